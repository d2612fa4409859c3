import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { loadTransactableSystemsFile } from '../../src/bootstrap/transactable-systems-file.js';
import { useTestApp } from '../helpers/test-app.js';

const t = useTestApp();
const dir = mkdtempSync(join(tmpdir(), 'paybridge-catalogue-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('TRANSACTABLE_SYSTEMS_FILE', () => {
  test('loads the catalogue that the Coord face then lists', async () => {
    const path = file('systems.json', JSON.stringify([{ systemId: 'CitiBike', name: 'Citi Bike', linkedAccountRequired: true, usersApiFields: ['stripe_info.stripe_customer_id'] }]));
    assert.equal(await loadTransactableSystemsFile(path, t.organisationId, t.ctx.services), 1);
    const response = await t.inject({ method: 'GET', url: `/v1/users/transactable_systems?access_key=${t.apiKey}` });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().transactable_systems.map((s: { system_id: string }) => s.system_id), ['CitiBike']);
  });

  for (const [label, content, expected] of [
    ['not JSON', '[{', /cannot be read as JSON/],
    ['not a catalogue', '[{"systemId": "X"}]', /not a catalogue: \/0 must have required property 'name'/],
    ['breaking a catalogue rule', JSON.stringify([{ systemId: 'A', name: 'A' }, { systemId: 'A', name: 'B' }]), /same systemId/],
  ] as const) {
    test(`a file ${label} stops the start with a message naming the variable`, async () => {
      await assert.rejects(
        loadTransactableSystemsFile(file(`${label}.json`, content), t.organisationId, t.ctx.services),
        (error: unknown) => error instanceof ConfigError && error.variable === 'TRANSACTABLE_SYSTEMS_FILE' && expected.test(error.message),
      );
    });
  }
});
