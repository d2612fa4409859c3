import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { bearer, databaseUrl, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';
import { userJwt } from '../coord/helpers.js';

const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
const t = useTestApp({ env: { OPERATOR_API_KEY: operatorKey } }, async (app) => {
  app.logs.secret(operatorKey);
});

const operator = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>, key = operatorKey) =>
  t.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

async function newOrganisation(name = `Acme ${randomBytes(4).toString('hex')}`) {
  const created = await operator('POST', '/operator/organisations', { name });
  assert.equal(created.statusCode, 201, created.body);
  const body = created.json<{ id: string; name: string; apiKey: string }>();
  t.logs.secret(body.apiKey);
  return body;
}

describe('finding 7: operators create organisations', () => {
  test('POST gives id, name and a working first key once; GET lists it', async () => {
    const org = await newOrganisation('Second Org');
    assert.equal(org.name, 'Second Org');
    const user = await registerUser(t, { apiKey: org.apiKey });
    const list = await operator('GET', '/operator/organisations');
    assert.equal(list.statusCode, 200);
    const listed = list.json().find((o: { id: string }) => o.id === org.id);
    assert.deepEqual({ ...listed, createdAt: undefined }, { id: org.id, name: 'Second Org', isDefault: false, disabled: false, createdAt: undefined });
    assert.equal(JSON.stringify(list.json()).includes(org.apiKey), false, 'the key is never shown again');
    // The second organisation's key sees its own users only.
    const own = await t.inject({ method: 'GET', url: '/user', headers: bearer(org.apiKey) });
    assert.deepEqual(own.json().map((u: { userId: string }) => u.userId), [user.id]);
  });

  test("an organisation's key, a user token or nothing never reaches /operator/*", async () => {
    const user = await registerUser(t);
    for (const headers of [bearer(t.apiKey), bearer(user.token), {}, bearer(`${operatorKey}x`)]) {
      const response = await t.inject({ method: 'GET', url: '/operator/organisations', headers });
      assert.equal(response.statusCode, 401, response.body);
    }
  });

  test('DELETE disables: its keys and tokens stop working, nothing is deleted; PATCH re-enables', async () => {
    const org = await newOrganisation();
    const user = await registerUser(t, { apiKey: org.apiKey });
    const jwt = await t.inject({ method: 'POST', url: '/v1/users/create_jwt', headers: bearer(org.apiKey), payload: { email: uniqueEmail('p') } });
    const partnerJwt = t.logs.secret(jwt.json().jwt_token as string);
    const disabled = await operator('DELETE', `/operator/organisations/${org.id}`);
    assert.equal(disabled.statusCode, 200);
    assert.equal(disabled.json().disabled, true);
    assert.equal((await t.inject({ method: 'GET', url: '/user', headers: bearer(org.apiKey) })).statusCode, 401);
    assert.equal((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).statusCode, 401);
    assert.equal((await t.inject({ method: 'GET', url: '/v1/users/user/current', headers: bearer(partnerJwt) })).statusCode, 401);
    assert.equal((await t.inject({ method: 'GET', url: '/api/v1/users', headers: { 'cv-api-key': org.apiKey } })).statusCode, 401);
    const enabled = await operator('PATCH', `/operator/organisations/${org.id}`, { disabled: false, name: 'Renamed' });
    assert.equal(enabled.json().name, 'Renamed');
    assert.equal((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).statusCode, 200);
  });

  test('an issuer and audience claimed by the wrong organisation are released by the operator; then the right one sets them', async () => {
    const [squatter, owner] = [await newOrganisation(), await newOrganisation()];
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const identityProvider = { issuer: `https://id.${randomBytes(6).toString('hex')}.example`, audience: 'paybridge', pem };
    const set = (key: string) => t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(key), payload: { identityProvider } });
    assert.equal((await set(squatter.apiKey)).statusCode, 200);
    assert.equal((await operator('DELETE', `/operator/organisations/${squatter.id}`)).statusCode, 200, 'disabled');
    const taken = await set(owner.apiKey);
    assert.equal(taken.statusCode, 409, 'a disabled organisation still holds its claim');
    assert.match(taken.json().message, /operator can release it/);
    assert.equal((await operator('DELETE', `/operator/organisations/${squatter.id}/identity-provider`)).statusCode, 204);
    assert.equal((await operator('DELETE', `/operator/organisations/${squatter.id}/identity-provider`)).statusCode, 404, 'nothing left to release');
    assert.equal((await set(owner.apiKey)).statusCode, 200);
    assert.equal((await t.inject({ method: 'DELETE', url: `/operator/organisations/${owner.id}/identity-provider`, headers: bearer(owner.apiKey) })).statusCode, 401, 'the operator only');
  });

  test('hostile input: blank names 400, unknown ids 404, the default organisation cannot be disabled', async () => {
    for (const name of ['', '   ', 'x'.repeat(201), '\u0000evil', 'a\nb', 'Acme\u202Eevil', '\u200B', 'Ac\u00ADme']) {
      const refused = await operator('POST', '/operator/organisations', { name });
      assert.equal(refused.statusCode, 400, `${JSON.stringify(name)}: ${refused.body}`);
      assert.equal(refused.json().details[0].path, '/name');
    }
    assert.equal((await operator('PATCH', '/operator/organisations/%00', { disabled: true })).statusCode, 400);
    assert.equal((await operator('POST', '/operator/organisations', { name: 'a', extra: 1 })).statusCode, 400);
    assert.equal((await operator('PATCH', '/operator/organisations/nope', { disabled: true })).statusCode, 404);
    const defaultDisable = await operator('DELETE', `/operator/organisations/${t.ctx.defaultOrganisationId}`);
    assert.equal(defaultDisable.statusCode, 409);
  });
});

describe('reconcile is scoped to the caller\'s organisation', () => {
  test("one organisation's key reconciles only its own payments; the operator key reconciles all", async () => {
    const org = await newOrganisation();
    const user = await registerUser(t, { apiKey: org.apiKey });
    const payment = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: `c${Date.now()}`, amount: 1234, currency: 'usd' } });
    assert.ok(payment.statusCode < 300, payment.body);
    // Reconciliation looks only at what is due: make this payment due now (again before each pass).
    const makeDue = () => t.database.db.execute(sql`update payments set next_check_at = now() - interval '1 second' where stripe_payment_intent_id = ${payment.json().id as string}`);
    await makeDue();
    const mine = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json().examined, 0, "the other organisation's unsettled payment is not ours to touch");
    const theirs = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(org.apiKey) });
    assert.ok(theirs.json().examined >= 1, theirs.body);
    // On a shared PostgreSQL every test file's payments are "all": reconciling them would reach into other tests.
    if (databaseUrl) return;
    await makeDue();
    const all = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(operatorKey) });
    assert.equal(all.statusCode, 200);
    assert.ok(all.json().examined >= 1);
  });
});

describe('a partner JWT of one organisation is nothing to another', () => {
  test("org B's key with org A's user JWT is refused", async () => {
    const org = await newOrganisation();
    const jwt = await userJwt(t, { email: uniqueEmail('a') });
    const response = await t.inject({ method: 'GET', url: `/v1/users/user/current?access_key=${encodeURIComponent(org.apiKey)}`, headers: bearer(jwt) });
    assert.equal(response.statusCode, 403, response.body);
  });
});
