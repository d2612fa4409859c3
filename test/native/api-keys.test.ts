import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, secondOrganisationKey, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const t = useTestApp();

describe('API keys', () => {
  test('created once, listed without the key, revoked for good', async () => {
    const created = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 'backend' } });
    assert.equal(created.statusCode, 201);
    const { id, key, prefix } = created.json<{ id: string; key: string; prefix: string }>();
    t.logs.secret(key);
    assert.match(key, /^pbk_[A-Za-z0-9_-]{40}$/);
    assert.ok(key.startsWith(prefix.replace('…', '')));

    const works = await t.inject({ method: 'GET', url: '/user', headers: bearer(key) });
    assert.equal(works.statusCode, 200);

    const list = await t.inject({ method: 'GET', url: '/admin/api-keys', headers: bearer(t.apiKey) });
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(key), 'the key itself is never listed');
    const listed = list.json<Array<{ id: string; revokedAt: string | null }>>().find((k) => k.id === id);
    assert.deepEqual(listed?.revokedAt, null);

    const revoked = await t.inject({ method: 'DELETE', url: `/admin/api-keys/${id}`, headers: bearer(t.apiKey) });
    assert.equal(revoked.statusCode, 200);
    assert.notEqual(revoked.json().revokedAt, null);
    const refused = await t.inject({ method: 'GET', url: '/user', headers: bearer(key) });
    assert.equal(refused.statusCode, 401);
    const again = await t.inject({ method: 'DELETE', url: `/admin/api-keys/${id}`, headers: bearer(t.apiKey) });
    assert.equal(again.statusCode, 404);
  });

  test('the database holds only a digest of the key', async () => {
    const created = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 'digest check' } });
    const key = t.logs.secret(created.json().key as string);
    const { sql } = await import('drizzle-orm');
    const result = await t.database.db.execute(sql`select * from api_keys where id = ${created.json().id}`);
    const stored = JSON.stringify((result as unknown as { rows: unknown[] }).rows);
    assert.ok(!stored.includes(key));
    assert.ok(!stored.includes(key.slice(12)), 'not even a large part of it');
  });

  test('a plain user cannot manage API keys', async () => {
    const user = await registerUser(t);
    for (const call of [
      { method: 'POST' as const, url: '/admin/api-keys', payload: { name: 'mine' } },
      { method: 'GET' as const, url: '/admin/api-keys' },
    ]) {
      const response = await t.inject({ ...call, headers: bearer(user.token) });
      assert.equal(response.statusCode, 403);
    }
  });

  test("an organisation cannot revoke another organisation's key", async () => {
    const otherKey = await secondOrganisationKey(t);
    const created = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(otherKey), payload: { name: 'theirs' } });
    assert.equal(created.statusCode, 201);
    t.logs.secret(created.json().key as string);
    const response = await t.inject({ method: 'DELETE', url: `/admin/api-keys/${created.json().id}`, headers: bearer(t.apiKey) });
    assert.equal(response.statusCode, 404);
    const stillWorks = await t.inject({ method: 'GET', url: '/user', headers: bearer(created.json().key as string) });
    assert.equal(stillWorks.statusCode, 200, 'the key was not revoked');
  });
});
