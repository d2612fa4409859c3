import { parseArgs } from 'node:util';
import type { Config } from './config.js';
import { ValidationError } from './core/errors.js';
import { createOrganisationRepository } from './core/organisations/organisation.repository.js';
import { createOrganisationService, toOrganisationView } from './core/organisations/organisation.service.js';
import { openMigratedDatabase } from './bootstrap/server.js';

export const ORG_USAGE = [
  'Usage: paybridge org create --name NAME   create an organisation; prints its id, name and first API key (shown once)',
  '       paybridge org list                 list organisations as JSON',
  'With the embedded database, stop the server first (PGlite has one owner at a time).',
  '',
].join('\n');

/** `paybridge org …`: the operator API's organisation commands, straight on the database. */
export async function runOrgCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create' && sub !== 'list') {
    process.stderr.write(ORG_USAGE);
    return sub === undefined || sub === '--help' || sub === 'help' ? 0 : 2;
  }
  let name: string | undefined;
  try {
    name = parseArgs({ args: rest, options: { name: { type: 'string' } }, strict: true }).values.name?.trim();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${ORG_USAGE}`);
    return 2;
  }
  if (sub === 'create' && !name) {
    process.stderr.write(`--name is required\n\n${ORG_USAGE}`);
    return 2;
  }
  // Opened as the server opens it: migrated, and a fault names DATABASE_URL.
  const database = await openMigratedDatabase(config);
  try {
    const organisations = createOrganisationService(createOrganisationRepository(database.db));
    if (sub === 'list') {
      process.stdout.write(`${JSON.stringify((await organisations.listOrganisations()).map(toOrganisationView), null, 2)}\n`);
    } else {
      const { organisation, apiKey } = await organisations.createOrganisationWithKey(name!);
      process.stdout.write(`${JSON.stringify({ id: organisation.id, name: organisation.name, apiKey }, null, 2)}\n`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    process.stderr.write(`--name ${error.details?.[0]?.message ?? 'is invalid'}\n\n${ORG_USAGE}`);
    return 2;
  } finally {
    await database.close();
  }
}
