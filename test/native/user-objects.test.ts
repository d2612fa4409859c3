import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { bearer, secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

const t = useTestApp();

const read = (id: string, token: string) => t.inject({ method: 'GET', url: `/user/${id}`, headers: bearer(token) });

describe('authorisation on /user/{id}', () => {
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    alice = await registerUser(t);
    bob = await registerUser(t);
  });

  const calls = (id: string) => [
    { method: 'GET' as const, url: `/user/${id}` },
    { method: 'PATCH' as const, url: `/user/${id}`, payload: { userName: 'Hijacked' } },
    { method: 'DELETE' as const, url: `/user/${id}` },
  ];

  test('user A gets 404 on every route of user B, and B is unchanged', async () => {
    for (const call of calls(bob.id)) {
      const response = await t.inject({ ...call, headers: bearer(alice.token) });
      assert.equal(response.statusCode, 404, `${call.method} ${response.body}`);
      assert.equal(response.json().code, 'NOT_FOUND');
    }
    const bobNow = await read(bob.id, bob.token);
    assert.equal(bobNow.statusCode, 200);
    assert.equal(bobNow.json().userName, 'Test User');
  });

  test("another organisation's API key gets 404, and the user is unchanged", async () => {
    const foreignKey = await secondOrganisationKey(t);
    for (const call of calls(bob.id)) {
      const response = await t.inject({ ...call, headers: bearer(foreignKey) });
      assert.equal(response.statusCode, 404, call.method);
    }
    assert.equal((await read(bob.id, bob.token)).statusCode, 200);
  });

  test('an unknown id and a foreign id answer alike', async () => {
    const unknown = await t.inject({ method: 'GET', url: '/user/00000000-0000-7000-8000-000000000000', headers: bearer(alice.token) });
    const foreign = await t.inject({ method: 'GET', url: `/user/${bob.id}`, headers: bearer(alice.token) });
    assert.equal(unknown.statusCode, foreign.statusCode);
    assert.equal(unknown.json().message, foreign.json().message);
  });

  test("the organisation's API key reads the user", async () => {
    const response = await t.inject({ method: 'GET', url: `/user/${bob.id}`, headers: bearer(t.apiKey) });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().userId, bob.id);
  });
});

describe('PATCH /user/{id}', () => {
  test('a user renames itself and changes its email', async () => {
    const user = await registerUser(t);
    const email = uniqueEmail('renamed');
    const response = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { userName: 'New Name', email: ` ${email.toUpperCase()}`, currentPassword: user.password } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().userName, 'New Name');
    assert.equal(response.json().email, email);
  });

  test('a user may not set its own customerId (the original let users take over Stripe customers)', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { customerId: 'cus_someoneElse' } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().details[0].path, '/customerId');
    assert.equal((await read(user.id, user.token)).json().customerId, undefined);
  });

  test('a customer paybridge did not make is not a tenant\'s to bind, unless tagged with its organisation', async () => {
    const user = await registerUser(t);
    const foreign = (await t.stripe.customers.create({ email: 'other-system@example.com' })).id;
    const refused = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(t.apiKey), payload: { customerId: foreign } });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'CUSTOMER_TAKEN');
    assert.equal(refused.json().details[0].path, '/customerId');
    assert.equal((await read(user.id, user.token)).json().customerId, undefined);
    await t.stripe.customers.update(foreign, { metadata: { paybridge_organisation_id: t.organisationId } });
    const tagged = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(t.apiKey), payload: { customerId: foreign } });
    assert.equal(tagged.statusCode, 200, tagged.body);
  });

  test('an API key sets customerId; one customer cannot belong to two users', async () => {
    const first = await registerUser(t);
    const second = await registerUser(t);
    const customerId = (await t.stripe.customers.create({ email: first.email, metadata: { paybridge_organisation_id: t.organisationId } })).id;
    const set = await t.inject({ method: 'PATCH', url: `/user/${first.id}`, headers: bearer(t.apiKey), payload: { customerId } });
    assert.equal(set.statusCode, 200);
    assert.equal(set.json().customerId, customerId);
    const taken = await t.inject({ method: 'PATCH', url: `/user/${second.id}`, headers: bearer(t.apiKey), payload: { customerId, userName: 'Should not stick' } });
    assert.equal(taken.statusCode, 409);
    const secondNow = await read(second.id, second.token);
    assert.equal(secondNow.json().userName, 'Test User', 'nothing half-applied');
    assert.equal(secondNow.json().customerId, undefined);
  });

  test('an email taken by another user is a 409 EMAIL_TAKEN', async () => {
    const first = await registerUser(t);
    const second = await registerUser(t);
    const response = await t.inject({ method: 'PATCH', url: `/user/${second.id}`, headers: bearer(second.token), payload: { email: first.email, currentPassword: second.password } });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'EMAIL_TAKEN');
  });

  test('changing the password needs the current one, and ends the other sessions only', async () => {
    const user = await registerUser(t);
    const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: user.password } });
    const otherSession = t.logs.secret(login.json().access_token as string);
    const newPassword = t.logs.secret('a-brand-new-passphrase');

    const missing = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { password: newPassword } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().details[0].path, '/currentPassword');
    const wrong = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { password: newPassword, currentPassword: 'wrong-password' } });
    assert.equal(wrong.statusCode, 401);

    const changed = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { password: newPassword, currentPassword: user.password } });
    assert.equal(changed.statusCode, 200);
    assert.equal((await read(user.id, user.token)).statusCode, 200, 'the session that changed it stays');
    assert.equal((await read(user.id, otherSession)).statusCode, 401, 'other sessions end');
    const oldLogin = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: user.password } });
    assert.equal(oldLogin.statusCode, 401);
    const newLogin = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: newPassword } });
    assert.equal(newLogin.statusCode, 201);
    t.logs.secret(newLogin.json().access_token as string);
  });

  test('unknown fields and an empty patch are rejected', async () => {
    const user = await registerUser(t);
    const extra = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { userName: 'x', isAdmin: true } });
    assert.equal(extra.statusCode, 400);
    assert.deepEqual(extra.json().details, [{ path: '/isAdmin', message: 'is not an accepted field' }]);
    const empty = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: {} });
    assert.equal(empty.statusCode, 400);
  });
});

describe('DELETE /user/{id} and logout', () => {
  test('deleting a user ends its sessions and frees its email', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'DELETE', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().userId, user.id);
    const after = await read(user.id, user.token);
    assert.equal(after.statusCode, 401);
    assert.match(after.headers['www-authenticate'] as string, /^Bearer realm="paybridge", error="invalid_token"$/);
    const again = await t.inject({ method: 'POST', url: '/user/register', headers: bearer(t.apiKey), payload: { userName: 'Again', email: user.email, password: 'registering-again' } });
    assert.equal(again.statusCode, 201);
    t.logs.secret(again.json().access_token as string);
  });

  test('logout ends every session of the user', async () => {
    const user = await registerUser(t);
    const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: user.password } });
    const second = t.logs.secret(login.json().access_token as string);
    const out = await t.inject({ method: 'POST', url: '/user/logout', headers: bearer(user.token) });
    assert.equal(out.statusCode, 204);
    assert.equal((await read(user.id, user.token)).statusCode, 401);
    assert.equal((await read(user.id, second)).statusCode, 401);
  });
});

describe('the email is unique per organisation, case-insensitively', () => {
  test('admin creation of a duplicate is a 409', async () => {
    const email = uniqueEmail();
    await registerUser(t, { email });
    const response = await t.inject({ method: 'POST', url: '/user', headers: bearer(t.apiKey), payload: { userName: 'Dup', email: email.toUpperCase(), password: 'duplicate-passphrase' } });
    assert.equal(response.statusCode, 409);
  });
});
