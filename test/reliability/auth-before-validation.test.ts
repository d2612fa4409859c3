import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coord } from '../coord/helpers.js';
import { bearer, useTestApp } from '../helpers/test-app.js';

const t = useTestApp();

// A caller without a valid credential learns that first: nothing about the body (which fields a
// route takes, what they must hold) is told to someone who may not call it.
describe('a request without a valid credential is a 401 before its body or query is judged', () => {
  test('native routes: a payment, an API key, a user update, webhook endpoints, settings', async () => {
    for (const [method, url, payload] of [
      ['POST', '/payment', { amount: 'lots', nonsense: true }],
      ['POST', '/admin/api-keys', { name: 5 }],
      ['PATCH', '/user/nobody', { userName: 7 }],
      ['POST', '/admin/webhook-endpoints', { url: 'not a url' }],
      ['PATCH', '/admin/settings', { redirectUris: 'x' }],
      ['GET', '/payment?limit=ten', undefined],
    ] as const) {
      for (const headers of [{}, bearer('not-a-real-key')]) {
        const response = await t.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        assert.equal(response.statusCode, 401, `${method} ${url}: ${response.body}`);
      }
    }
  });

  test('nor its body read: malformed JSON, a prototype key, a NUL, a body too large or of another type, a NUL in the query or path', async () => {
    for (const [method, url, payload, type] of [
      ['POST', '/user/logout', '{nope', 'application/json'],
      ['POST', '/v1/users/create_jwt', '{"__proto__":1}', 'application/json'],
      ['PATCH', '/operator/organisations/x', '{"x":"\\u0000"}', 'application/json'],
      ['POST', '/payment', 'x'.repeat(2_000_000), 'application/json'],
      ['POST', '/payment', 'cuid=1', 'text/plain'],
      ['POST', '/user', '{}', 'application/json; encoded'],
      ['GET', '/api/v1/users?email=a@example.com', undefined, 'gzip'],
      ['GET', '/user?x=%00', undefined, undefined],
      ['GET', '/v1/users/user/current?x=%00', undefined, undefined],
      ['GET', '/user/%00', undefined, undefined],
    ] as const) {
      // "encoded": a JSON body compressed; a GET with a Content-Encoding and no body at all.
      const headers = type === 'gzip' ? { 'content-encoding': 'gzip' } : type?.endsWith('encoded') ? { 'content-type': 'application/json', 'content-encoding': 'gzip' } : type ? { 'content-type': type } : {};
      const response = await t.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
      assert.equal(response.statusCode, 401, `${method} ${url}: ${response.body}`);
    }
  });

  test('Coord routes: create_jwt without a key, the current user without a JWT', async () => {
    const jwt = await coord(t, { method: 'POST', path: '/create_jwt', payload: { email: 'not an email', unknown: 1 } });
    assert.equal(jwt.statusCode, 401, jwt.body);
    const vehicle = await coord(t, { method: 'PUT', path: '/user/current/vehicle', payload: { license_plate: 'x' } });
    assert.equal(vehicle.statusCode, 401, vehicle.body);
  });

  test('with a valid credential the same body is judged: a 400 naming the field', async () => {
    const response = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 5 } });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().details[0].path, '/name');
  });
});
