import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const PATH = '/admin/webhook-endpoints';

describe('webhook endpoints API', () => {
  const t = useTestApp();

  const create = (payload: unknown, key = t.apiKey) => t.inject({ method: 'POST', url: PATH, headers: bearer(key), payload: payload as Record<string, unknown> });

  test('an API key creates, reads, lists, changes and deletes an endpoint; the secret is shown once', async () => {
    const created = await create({ url: 'https://app.example/hooks', events: ['payment.succeeded', 'user.created'], description: 'main' });
    assert.equal(created.statusCode, 201, created.body);
    const endpoint = created.json<{ id: string; secret: string; url: string; events: string[]; enabled: boolean }>();
    t.logs.secret(endpoint.secret);
    assert.match(endpoint.secret, /^whsec_[0-9a-f]{48}$/);
    assert.deepEqual(endpoint.events, ['payment.succeeded', 'user.created']);
    assert.equal(endpoint.enabled, true);

    const read = await t.inject({ method: 'GET', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey) });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json<{ secret?: string }>().secret, undefined, 'never shown again');
    assert.ok(!read.body.includes(endpoint.secret));
    const listed = await t.inject({ method: 'GET', url: PATH, headers: bearer(t.apiKey) });
    assert.ok(listed.json<Array<{ id: string }>>().some((e) => e.id === endpoint.id));
    assert.ok(!listed.body.includes(endpoint.secret));

    const patched = await t.inject({ method: 'PATCH', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey), payload: { events: ['*'], description: null } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json<{ events: string[] }>().events, ['*']);
    assert.equal(patched.json<{ description: string | null }>().description, null);

    const rotated = await t.inject({ method: 'POST', url: `${PATH}/${endpoint.id}/rotate-secret`, headers: bearer(t.apiKey) });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const newSecret = t.logs.secret(rotated.json<{ secret: string }>().secret);
    assert.notEqual(newSecret, endpoint.secret);

    assert.equal((await t.inject({ method: 'DELETE', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey) })).statusCode, 204);
    assert.equal((await t.inject({ method: 'GET', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey) })).statusCode, 404);
  });

  test('events default to all', async () => {
    const created = await create({ url: 'https://app.example/all' });
    assert.equal(created.statusCode, 201, created.body);
    t.logs.secret(created.json<{ secret: string }>().secret);
    assert.deepEqual(created.json<{ events: string[] }>().events, ['*']);
  });

  test('bad input is a 400 naming the field', async () => {
    for (const [payload, path] of [
      [{ url: 'not a url' }, '/url'],
      [{ url: 'ftp://app.example/hooks' }, '/url'],
      [{ url: 'https://user:pass@app.example/hooks' }, '/url'],
      [{ url: 'https://app.example:0/hooks' }, '/url'],
      [{ url: 'https://app.example/hooks', events: ['payment.exploded'] }, '/events/0'],
      [{ url: 'https://app.example/hooks', events: [] }, '/events'],
      [{ url: 'https://app.example/hooks', secret: 'mine' }, '/secret'],
      [{}, '/url'],
    ] as const) {
      const response = await create(payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
      const body = response.json<{ code: string; details: Array<{ path: string }> }>();
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.ok(body.details.some((d) => d.path === path), `${JSON.stringify(payload)} names ${path}: ${response.body}`);
    }
  });

  test('a plain user can neither manage endpoints nor read their deliveries (403); an administrator can', async () => {
    const created = await create({ url: 'https://app.example/hooks' });
    const { id, secret } = created.json<{ id: string; secret: string }>();
    t.logs.secret(secret);
    const user = await registerUser(t);
    for (const [method, url] of [
      ['GET', PATH],
      ['POST', PATH],
      ['GET', `${PATH}/${id}`],
      ['PATCH', `${PATH}/${id}`],
      ['DELETE', `${PATH}/${id}`],
      ['POST', `${PATH}/${id}/rotate-secret`],
      ['GET', `${PATH}/${id}/deliveries`],
    ] as const) {
      const payload = method === 'POST' && url === PATH ? { url: 'https://evil.example/' } : method === 'PATCH' ? { url: 'https://evil.example/' } : undefined;
      const response = await t.inject({ method, url, headers: bearer(user.token), ...(payload ? { payload } : {}) });
      assert.equal(response.statusCode, 403, `${method} ${url}: ${response.body}`);
      assert.ok(!response.body.includes(secret));
    }
    assert.equal((await t.inject({ method: 'GET', url: PATH })).statusCode, 401);

    const email = uniqueEmail('admin');
    const password = t.logs.secret('admin-webhooks-passphrase-9');
    const made = await t.inject({ method: 'POST', url: '/user', headers: bearer(t.apiKey), payload: { userName: 'Admin', email, password, role: 'admin' } });
    assert.equal(made.statusCode, 201, made.body);
    const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password } });
    const adminToken = t.logs.secret(login.json<{ access_token: string }>().access_token);
    assert.equal((await t.inject({ method: 'GET', url: `${PATH}/${id}`, headers: bearer(adminToken) })).statusCode, 200);
    assert.equal((await t.inject({ method: 'GET', url: `${PATH}/${id}/deliveries`, headers: bearer(adminToken) })).statusCode, 200);
  });

  test("another organisation's key sees none of this organisation's endpoints or deliveries (404)", async () => {
    const created = await create({ url: 'https://app.example/hooks' });
    const { id, secret } = created.json<{ id: string; secret: string }>();
    t.logs.secret(secret);
    const otherKey = await secondOrganisationKey(t);
    const listed = await t.inject({ method: 'GET', url: PATH, headers: bearer(otherKey) });
    assert.deepEqual(listed.json(), []);
    for (const [method, url] of [
      ['GET', `${PATH}/${id}`],
      ['PATCH', `${PATH}/${id}`],
      ['DELETE', `${PATH}/${id}`],
      ['POST', `${PATH}/${id}/rotate-secret`],
      ['GET', `${PATH}/${id}/deliveries`],
    ] as const) {
      const response = await t.inject({ method, url, headers: bearer(otherKey), ...(method === 'PATCH' ? { payload: { enabled: false } } : {}) });
      assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
    }
    assert.equal((await t.inject({ method: 'GET', url: `${PATH}/${id}`, headers: bearer(t.apiKey) })).json<{ enabled: boolean }>().enabled, true);
  });
});

describe('webhook endpoints where private addresses are refused (WEBHOOK_ALLOW_PRIVATE_URLS=false)', () => {
  const t = useTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }, deliverWebhooks: false });

  test('loopback, private, link-local and mapped addresses are refused at registration', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hooks',
      'http://localhost/hooks',
      'https://api.localhost/hooks',
      'http://[::1]/hooks',
      'http://[::ffff:127.0.0.1]/hooks',
      'http://169.254.169.254/latest/meta-data',
      'https://10.1.2.3/hooks',
      'https://192.168.1.10/hooks',
      'https://172.16.0.1/hooks',
      'https://0.0.0.0/hooks',
      // IPv6 forms that carry an IPv4 address a relay or translator may reach: 6to4, IPv4-compatible,
      // IPv4-translated, hex-mapped, NAT64 local use, Teredo.
      'https://[2002:7f00:1::]/hooks',
      'https://[2002:a9fe:a9fe::]/latest/meta-data',
      'https://[::127.0.0.1]/hooks',
      'https://[::ffff:0:7f00:1]/hooks',
      'https://[::ffff:7f00:1]/hooks',
      'https://[64:ff9b:1::a9fe:a9fe]/hooks',
      'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks',
      'https://[2001:470:1:1:0:5efe:7f00:1]/hooks',
      'https://[fec0::1]/hooks',
      'http://vm/hooks',
    ]) {
      const response = await t.inject({ method: 'POST', url: PATH, headers: bearer(t.apiKey), payload: { url } });
      if (url === 'http://vm/hooks' && response.statusCode === 201) continue; // only where "vm" does not resolve to a private address
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json<{ details: Array<{ path: string }> }>().details[0]!.path, '/url');
    }
  });
});
