import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, describe, test } from 'node:test';
import { coord, userJwt } from '../coord/helpers.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { bearer, createTestApp, databaseUrl, uniqueEmail, type TestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// The shared PostgreSQL server is never stopped: the app reaches it through a proxy this test cuts.
const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): the database is cut off behind a TCP proxy';

let proxy: TcpProxy;
let t: TestApp;
let user: TestUser;
let jwt: string;

before(async () => {
  if (skip) return;
  const target = new URL(databaseUrl!);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(databaseUrl!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  t = await createTestApp({ env: { DATABASE_URL: viaProxy.toString() } });
  user = await registerUser(t);
  jwt = await userJwt(t, { email: uniqueEmail('coord') });
});

after(async () => {
  if (skip) return;
  t.logs.assertNoSecrets();
  await t.close();
  await proxy.close();
});

function assertUnavailable(response: LightMyRequestResponse): Record<string, unknown> {
  assert.equal(response.statusCode, 503, response.body);
  assert.match(String(response.headers['retry-after']), /^\d+$/);
  return response.json();
}

describe('database unreachable: 503 in each face\'s envelope, and the same instance recovers', { skip }, () => {
  test('every face answers 503 SERVICE_UNAVAILABLE with Retry-After while the database is cut off', async () => {
    await proxy.cut();
    const native = assertUnavailable(await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) }));
    assert.equal(native.code, 'SERVICE_UNAVAILABLE');
    assert.equal(native.statusCode, 503);
    const newPassword = t.logs.secret('a-brand-new-password-77');
    const patch = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { password: newPassword, currentPassword: user.password } });
    assert.equal(assertUnavailable(patch).code, 'SERVICE_UNAVAILABLE');
    const coordAnswer = assertUnavailable(await coord(t, { method: 'GET', path: '/user/current', jwt }));
    assert.equal(coordAnswer.code, 'SERVICE_UNAVAILABLE');
    assert.equal(coordAnswer.status, 503);
    const cv = assertUnavailable(await t.inject({ method: 'GET', url: '/api/v1/users', headers: { 'cv-api-key': t.apiKey } }));
    assert.equal(cv.status, 503);
    assert.equal(cv.success, false);
    assert.equal(cv.message, 'Service unavailable');
    assert.equal((await t.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  });

  test('when the database is back, the same instance serves again without a restart', async () => {
    await proxy.restore();
    const response = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await coord(t, { method: 'GET', path: '/user/current', jwt })).statusCode, 200);
  });

  test('the failed queries were logged by statement and code, never with their parameters', () => {
    assert.match(t.logs.text, /SERVICE_UNAVAILABLE/);
    assert.match(t.logs.text, /Failed query: select/);
    assert.doesNotMatch(t.logs.text, /params:/);
  });
});
