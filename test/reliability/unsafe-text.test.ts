import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { cvPost } from '../carevalidate/helpers.js';
import { coord } from '../coord/helpers.js';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// Text PostgreSQL cannot store: each used to reach the database and come back as a 500.
const UNSAFE = { NUL: 'a\u0000b', 'a lone high surrogate': 'a\ud800b', 'a lone low surrogate': '\udc00' };

let user: TestUser;
const t = useTestApp({}, async () => {
  user = await registerUser(t);
});

function assertNative(response: LightMyRequestResponse, path: string): void {
  assert.equal(response.statusCode, 400, response.body);
  const body = response.json<{ code: string; details: Array<{ path: string }> }>();
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.ok(body.details.some((d) => d.path === path), `${path} named in ${response.body}`);
}

function assertCoord(response: LightMyRequestResponse, field: string): void {
  assert.equal(response.statusCode, 400, response.body);
  const body = response.json<{ code: string; fields: Array<{ field: string }> }>();
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.ok(body.fields.some((f) => f.field === field), `${field} named in ${response.body}`);
}

function assertCareValidate(response: LightMyRequestResponse, field: string): void {
  assert.equal(response.statusCode, 400, response.body);
  const body = response.json<{ success: boolean; message: string; error: string }>();
  assert.equal(body.success, false);
  assert.equal(body.message, 'Invalid request');
  assert.match(body.error, new RegExp(`^${field.replace(/\./g, '\\.')} must not contain NUL`));
}

for (const [label, bad] of Object.entries(UNSAFE)) {
  describe(`${label} in any text is a 400 naming the field, on every face`, () => {
    test('native bodies: register, login, profile update, payment, API key, catalogue, settings', async () => {
      const json = (payload: unknown) => JSON.stringify(payload);
      const post = (url: string, payload: unknown, method: 'POST' | 'PATCH' | 'PUT' = 'POST', token = t.apiKey) =>
        t.inject({ method, url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: json(payload) });
      assertNative(await post('/user/register', { userName: bad, email: uniqueEmail(), password: 'long-enough-pass-9' }), '/userName');
      assertNative(await post('/user/login', { email: `${bad}@example.com`, password: 'whatever-pass' }), '/email');
      assertNative(await post(`/user/${user.id}`, { userName: bad }, 'PATCH', user.token), '/userName');
      assertNative(await post('/payment', { description: bad }, 'POST', user.token), '/description');
      assertNative(await post('/admin/api-keys', { name: bad }), '/name');
      assertNative(await post('/admin/transactable-systems', [{ systemId: 'sys', name: bad }], 'PUT'), '/0/name');
      assertNative(await post('/admin/settings', { redirectUris: [`https://example.com/${bad}`] }, 'PATCH'), '/redirectUris/0');
    });

    test('Coord: create_jwt name and external_uid', async () => {
      const response = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: uniqueEmail(), name: bad, external_uid: bad } });
      assertCoord(response, '/name');
      assertCoord(response, '/external_uid');
    });

    test('CareValidate: CREATE_USER firstName and gender', async () => {
      assertCareValidate(await cvPost(t, { action: 'CREATE_USER', email: uniqueEmail(), firstName: bad }), 'firstName');
      assertCareValidate(await cvPost(t, { action: 'CREATE_USER', email: uniqueEmail(), gender: bad }), 'gender');
    });
  });
}

describe('path and query parameters get the same rule', () => {
  test('a NUL in a path id or a query value', async () => {
    assertNative(await t.inject({ method: 'GET', url: `/user/${user.id}%00`, headers: bearer(user.token) }), '/params/id');
    assertNative(await t.inject({ method: 'GET', url: '/payment/%00', headers: bearer(user.token) }), '/params/id');
    assertNative(await t.inject({ method: 'GET', url: '/payment?starting_after=%00', headers: bearer(user.token) }), '/query/starting_after');
    assertNative(await t.inject({ method: 'DELETE', url: '/admin/transactable-systems/a%00', headers: bearer(t.apiKey) }), '/params/systemId');
    assertCareValidate(await t.inject({ method: 'GET', url: '/api/v1/users?email=%00', headers: { 'cv-api-key': t.apiKey } }), 'query.email');
  });

  test('a percent-escape that is not UTF-8 (an encoded lone surrogate) gets the face\'s envelope', async () => {
    for (const url of [`/user/${user.id}%ED%A0%80`, '/payment/%ff']) {
      const response = await t.inject({ method: 'GET', url, headers: bearer(user.token) });
      assertNative(response, '/url');
    }
    const coordAnswer = await coord(t, { method: 'GET', path: '/link-account/%ff' });
    assert.equal(coordAnswer.statusCode, 400, coordAnswer.body);
    assert.equal(coordAnswer.json<{ code: string }>().code, 'VALIDATION_FAILED');
  });
});

describe('a value nested deeper than the check reads is refused, never stored or passed to the database', () => {
  // 70 levels of {"a": …} around the given innermost value.
  const nested = (inner: unknown) => Array.from({ length: 70 }).reduce<unknown>((value) => ({ a: value }), inner);

  test('the free-form members of a JWKS key: a NUL or a lone surrogate 70 levels down, or nothing bad at all', async () => {
    for (const inner of ['\u0000', '\ud800', 'harmless']) {
      const key = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', extra: nested(inner) };
      const response = await t.inject({
        method: 'PATCH',
        url: '/admin/settings',
        headers: { ...bearer(t.apiKey), 'content-type': 'application/json' },
        payload: JSON.stringify({ identityProvider: { issuer: 'https://deep.example', audience: 'deep', jwks: { keys: [key] } } }),
      });
      assert.equal(response.statusCode, 400, response.body);
      const details = response.json<{ details: Array<{ path: string; message: string }> }>().details;
      assert.ok(details.some((d) => d.path.startsWith('/identityProvider/jwks/keys/0/extra/a/') && /nest/.test(d.message)), response.body);
    }
  });

  test('on the Coord and CareValidate faces too, in their own envelopes', async () => {
    const coordAnswer = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: uniqueEmail(), name: 'Deep', deep: nested('x') } });
    assert.equal(coordAnswer.statusCode, 400, coordAnswer.body);
    const cvAnswer = await cvPost(t, { action: 'CREATE_USER', email: uniqueEmail(), deep: nested('x') });
    assert.equal(cvAnswer.statusCode, 400, cvAnswer.body);
    assert.equal(cvAnswer.json<{ success: boolean }>().success, false);
  });
});

describe('text that is merely unusual is stored and read back as sent', () => {
  test('emoji, right-to-left text and paired surrogates are accepted (a bidirectional override is not: test/identity/display-names)', async () => {
    const name = 'שלום 👋🏽 𓂀 \u200f';
    const response = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { userName: name } });
    assert.equal(response.statusCode, 200, response.body);
    const read = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(read.json<{ userName: string }>().userName, name);
  });
});
