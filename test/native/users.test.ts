import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, createTestApp, secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const t = useTestApp();

const USER_KEYS = ['email', 'userId', 'userName'];

describe('POST /user/register', () => {
  test('creates the user and answers an access token that reads it', async () => {
    const user = await registerUser(t, { email: `  Mixed.Case-${Date.now()}@Example.COM ` });
    const response = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), USER_KEYS);
    assert.equal(body.email, user.email);
    assert.match(body.email, /^mixed\.case-\d+@example\.com$/);
  });

  test('refuses an email already registered, whatever its case', async () => {
    const email = uniqueEmail();
    await registerUser(t, { email });
    const response = await t.inject({
      method: 'POST',
      url: '/user/register',
      headers: bearer(t.apiKey),
      payload: { userName: 'Twin', email: email.toUpperCase(), password: 'a-fine-long-passphrase' },
    });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'EMAIL_TAKEN');
  });

  test('the same email may exist in another organisation', async () => {
    const email = uniqueEmail();
    await registerUser(t, { email });
    await registerUser(t, { email, apiKey: await secondOrganisationKey(t) });
  });

  for (const [label, password] of [['short', 'abc1234'], ['common', 'password1'], ['too long', 'x'.repeat(129)], ['four-emoji (8 UTF-16 units, 4 characters)', '\u{1F511}\u{1F512}\u{1F513}\u{1F510}']] as const) {
    test(`refuses a ${label} password with WEAK_PASSWORD`, async () => {
      const response = await t.inject({
        method: 'POST',
        url: '/user/register',
        payload: { userName: 'Weak', email: uniqueEmail(), password },
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'WEAK_PASSWORD');
      assert.equal(response.json().details[0].path, '/password');
    });
  }

  test('without an API key the user joins the default organisation', async () => {
    const email = uniqueEmail();
    const response = await t.inject({ method: 'POST', url: '/user/register', payload: { userName: 'Default', email, password: 'default-org-passphrase' } });
    assert.equal(response.statusCode, 201);
    const list = await t.inject({ method: 'GET', url: '/user', headers: bearer(t.apiKey) });
    assert.ok(!list.json().some((u: { email: string }) => u.email === email), 'not in the test organisation');
  });
});

describe('POST /user/login', () => {
  test('signs in with the right password, email in any case', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email.toUpperCase(), password: user.password } });
    assert.equal(response.statusCode, 201);
    const token = t.logs.secret(response.json().access_token as string);
    const me = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(token) });
    assert.equal(me.statusCode, 200);
  });

  test('a wrong password and an unknown email get the same generic 401', async () => {
    const user = await registerUser(t);
    const wrong = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: 'not-the-password' } });
    const unknown = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: uniqueEmail(), password: 'not-the-password' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    assert.deepEqual(strip(wrong.json()), strip(unknown.json()));
    assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
  });
});

describe('GET /user', () => {
  test('a plain user lists only itself', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'GET', url: '/user', headers: bearer(user.token) });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), [{ userId: user.id, userName: 'Test User', email: user.email }]);
  });

  test("a cursor must be a user of the caller's own list: garbage, another organisation's user or (for a user) anyone else is a 400 on the field", async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    const foreignKey = await secondOrganisationKey(t);
    const cases: Array<[string, string]> = [[t.apiKey, 'garbage'], [foreignKey, alice.id], [alice.token, bob.id], [alice.token, 'garbage']];
    for (const [token, cursor] of cases) {
      const page = await t.inject({ method: 'GET', url: `/user?starting_after=${cursor}`, headers: bearer(token) });
      assert.equal(page.statusCode, 400, `${cursor}: ${page.body}`);
      assert.deepEqual(page.json().details.map((d: { path: string }) => d.path), ['/query/starting_after']);
    }
    const own = await t.inject({ method: 'GET', url: `/user?starting_after=${alice.id}`, headers: bearer(alice.token) });
    assert.deepEqual([own.statusCode, own.json()], [200, []]);
    // A user deleted after its page was read still marks the place.
    assert.equal((await t.inject({ method: 'DELETE', url: `/user/${alice.id}`, headers: bearer(t.apiKey) })).statusCode, 200);
    const after = await t.inject({ method: 'GET', url: `/user?limit=1&starting_after=${alice.id}`, headers: bearer(t.apiKey) });
    assert.equal(after.statusCode, 200, after.body);
  });

  test('an API key lists its organisation only, paginated with a Link header', async () => {
    const scoped = await createTestApp();
    try {
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await registerUser(scoped));
      const first = await scoped.inject({ method: 'GET', url: '/user?limit=2', headers: bearer(scoped.apiKey) });
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().length, 2);
      const link = first.headers.link as string;
      assert.match(link, /^<http:\/\/paybridge\.test\/user\?limit=2&starting_after=[^>]+>; rel="next"$/);
      const seen = [...first.json()];
      let next: string | undefined = link;
      while (next) {
        const url = new URL(/<([^>]+)>/.exec(next)![1]!);
        const page = await scoped.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: bearer(scoped.apiKey) });
        seen.push(...page.json());
        next = page.headers.link as string | undefined;
      }
      assert.deepEqual(seen.map((u) => u.userId).sort(), created.map((u) => u.id).sort());
      for (const user of seen) assert.deepEqual(Object.keys(user).sort(), USER_KEYS);
    } finally {
      await scoped.close();
    }
  });

  test('rejects a limit outside 1-100, or not written in decimal digits', async () => {
    for (const limit of ['0', '101', 'ten', '0x10', '1e1', '%2016', '16.0x', '16.0', '+16', '016']) {
      const response = await t.inject({ method: 'GET', url: `/user?limit=${limit}`, headers: bearer(t.apiKey) });
      assert.equal(response.statusCode, 400, limit);
      assert.equal(response.json().details[0].path, '/query/limit');
    }
    const decimal = await t.inject({ method: 'GET', url: '/user?limit=16', headers: bearer(t.apiKey) });
    assert.equal(decimal.statusCode, 200, decimal.body);
  });
});

describe('POST /user (administrators)', () => {
  test('an API key creates a user and gets ReturnUserDto', async () => {
    const email = uniqueEmail();
    const response = await t.inject({
      method: 'POST',
      url: '/user',
      headers: bearer(t.apiKey),
      payload: { userName: 'Alan Turing', email, password: 'bombe-at-bletchley' },
    });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(Object.keys(response.json()).sort(), USER_KEYS);
    assert.equal(response.json().email, email);
  });

  test('a plain user cannot create users', async () => {
    const user = await registerUser(t);
    const response = await t.inject({
      method: 'POST',
      url: '/user',
      headers: bearer(user.token),
      payload: { userName: 'Sneaky', email: uniqueEmail(), password: 'bombe-at-bletchley' },
    });
    assert.equal(response.statusCode, 403);
  });

  test('an admin user made by an API key may list and manage users', async () => {
    const email = uniqueEmail('admin');
    const created = await t.inject({
      method: 'POST',
      url: '/user',
      headers: bearer(t.apiKey),
      payload: { userName: 'Admin', email, password: 'administrator-pass', role: 'admin' },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().role, undefined, 'role never leaves the server');
    const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password: 'administrator-pass' } });
    const adminToken = t.logs.secret(login.json().access_token as string);
    const victim = await registerUser(t);
    const list = await t.inject({ method: 'GET', url: '/user', headers: bearer(adminToken) });
    assert.equal(list.statusCode, 200);
    const patched = await t.inject({ method: 'PATCH', url: `/user/${victim.id}`, headers: bearer(adminToken), payload: { userName: 'Renamed by admin' } });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().userName, 'Renamed by admin');
  });
});
