import { readFileSync } from 'node:fs';
import type { Static } from 'typebox';
import { ConfigError } from '../config.js';
import { AppError } from '../core/errors.js';
import { Catalogue } from '../faces/admin/coord-admin.schemas.js';
import { findUnsafeText } from '../core/text.js';
import { compileBodyValidator } from '../http/validation.js';
import type { Services } from '../http/app-context.js';

const VARIABLE = 'TRANSACTABLE_SYSTEMS_FILE';

/**
 * Part of start-up: the catalogue file is the same document `PUT /admin/transactable-systems`
 * takes, checked by the same schema and rules; a bad file stops the start, naming the variable.
 */
export async function loadTransactableSystemsFile(file: string, organisationId: string, services: Pick<Services, 'transactableSystems'>): Promise<number> {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(VARIABLE, `names ${file}, which cannot be read as JSON: ${(error as Error).message}`);
  }
  const validate = compileBodyValidator(Catalogue);
  const unsafe = findUnsafeText(document);
  if (unsafe.length > 0 || !validate(document)) {
    const issues = [...unsafe, ...(validate.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'is invalid' }))];
    const problems = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
    throw new ConfigError(VARIABLE, `names ${file}, which is not a catalogue: ${problems}`);
  }
  try {
    const loaded = await services.transactableSystems.loadCatalogue(organisationId, document as Static<typeof Catalogue>);
    return loaded.length;
  } catch (error) {
    if (error instanceof AppError) throw new ConfigError(VARIABLE, `names ${file}: ${(error.details ?? []).map((d) => `${d.path} ${d.message}`).join('; ') || error.message}`);
    throw error;
  }
}
