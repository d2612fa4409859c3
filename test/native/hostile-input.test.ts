import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const t = useTestApp({ env: { BODY_LIMIT: '4096' } });

function assertNativeError(response: { statusCode: number; json(): Record<string, unknown> }, status: number, code: string) {
  assert.equal(response.statusCode, status);
  const body = response.json();
  assert.equal(body.statusCode, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
  assert.match(String(body.requestId), /^req_/);
}

const register = (payload: string | Record<string, unknown>, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  t.inject({ method: 'POST', url: '/user/register', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('bad input gets a 4xx in the native envelope, never a 500', () => {
  test('wrong types and missing fields list every bad field', async () => {
    const response = await register({ userName: 42, email: 'not-an-email' });
    assertNativeError(response, 400, 'VALIDATION_FAILED');
    const paths = (response.json().details as Array<{ path: string }>).map((d) => d.path).sort();
    assert.deepEqual(paths, ['/email', '/password', '/userName']);
  });

  test('an email Stripe would refuse when the first payment makes the customer is refused at the door, and one it takes is accepted', async () => {
    for (const email of ['ada@example.c', 'ada@example.123', 'ada@example.c0m', '.ada@example.com', 'ada..b@example.com', 'ada@example.com.', 'ada@\uff45xample.com']) {
      const response = await register({ userName: 'Ada', email, password: 'long-enough-pass' });
      assertNativeError(response, 400, 'VALIDATION_FAILED');
      assert.deepEqual(response.json().details, [{ path: '/email', message: 'must match format "email"' }], email);
    }
    const local = `ada+${Date.now()}`;
    for (const email of [`${local}@example.xn--p1ai`, ` ${local}@EXAMPLE.io `]) {
      const response = await register({ userName: 'Ada', email, password: 'long-enough-pass' });
      assert.equal(response.statusCode, 201, `${email}: ${response.body}`);
      t.logs.secret(response.json().access_token as string);
    }
  });

  test("text shown to people (a payment's description, a key's name, an endpoint's description) refuses what would disguise it, naming the field", async () => {
    const user = await registerUser(t);
    for (const disguised of ['Invoice \u202Egnp.exe', 'zero\u200Bwidth', 'two\nlines', 'nul\u0000']) {
      const cases = [
        { url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID(), description: disguised }, path: '/description' },
        { url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: disguised }, path: '/name' },
        { url: '/admin/webhook-endpoints', headers: bearer(t.apiKey), payload: { url: 'http://127.0.0.1:9/hook', description: disguised }, path: '/description' },
      ];
      for (const { path, ...request } of cases) {
        const response = await t.inject({ method: 'POST', ...request });
        assertNativeError(response, 400, 'VALIDATION_FAILED');
        assert.ok((response.json().details as Array<{ path: string; message: string }>).some((d) => d.path === path && /must not contain|bidirectional-override or invisible/.test(d.message)), `${request.url} ${JSON.stringify(disguised)}: ${response.body}`);
      }
    }
    const plain = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID(), description: 'Café au lait, שלום, 👩🏽‍💻 (joiners kept)' } });
    assert.equal(plain.statusCode, 201, plain.body);
  });

  test('extra fields are refused, not ignored', async () => {
    const response = await register({ userName: 'A', email: uniqueEmail(), password: 'long-enough-pass', role: 'admin' });
    assertNativeError(response, 400, 'VALIDATION_FAILED');
    assert.deepEqual(response.json().details, [{ path: '/role', message: 'is not an accepted field' }]);
  });

  test('a field of fixed values names them once, and a body of thousands of bad fields answers a bounded error', async () => {
    const user = await register({ userName: 'Enum', email: uniqueEmail('enum'), password: 'correct horse battery staple 9' });
    const token = user.json().access_token as string;
    const payment = await t.inject({ method: 'POST', url: '/payment', headers: bearer(token), payload: { cuid: 'enum-1', captureMethod: 'later' } });
    assertNativeError(payment, 400, 'VALIDATION_FAILED');
    assert.deepEqual(payment.json().details, [{ path: '/captureMethod', message: 'must be one of "automatic", "manual"' }]);
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const flood = await register(many);
    assertNativeError(flood, 400, 'VALIDATION_FAILED');
    assert.ok((flood.json().details as unknown[]).length <= 20, `${(flood.json().details as unknown[]).length} details`);
    assert.ok(flood.body.length < 4096, `an error of ${flood.body.length} bytes`);
  });

  test('strings are not coerced into numbers or booleans in bodies', async () => {
    const response = await register({ userName: ['A'], email: uniqueEmail(), password: 12345678 });
    assertNativeError(response, 400, 'VALIDATION_FAILED');
  });

  test('malformed JSON', async () => {
    assertNativeError(await register('{"userName": "A",'), 400, 'MALFORMED_BODY');
  });

  test('an empty JSON body', async () => {
    assertNativeError(await register(''), 400, 'MALFORMED_BODY');
  });

  test('__proto__ and constructor.prototype keys', async () => {
    assertNativeError(await register('{"userName":"A","__proto__":{"admin":true}}'), 400, 'MALFORMED_BODY');
    assertNativeError(await register('{"userName":"A","constructor":{"prototype":{"admin":true}}}'), 400, 'MALFORMED_BODY');
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype was polluted');
  });

  test('an oversized body is a 413', async () => {
    assertNativeError(await register({ userName: 'x'.repeat(5000), email: uniqueEmail(), password: 'long-enough-pass' }), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('a body that is not JSON is a 415', async () => {
    const response = await register('userName=a', { 'content-type': 'application/x-www-form-urlencoded' });
    assertNativeError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('an unknown route is a 404 in the same shape', async () => {
    assertNativeError(await t.inject({ method: 'GET', url: '/no/such/route' }), 404, 'ROUTE_NOT_FOUND');
    assertNativeError(await t.inject({ method: 'PUT', url: '/no/such/route' }), 404, 'ROUTE_NOT_FOUND');
  });

  test('a path called with a method it does not answer is a 405 naming the methods it does', async () => {
    const wrong = await t.inject({ method: 'DELETE', url: '/payment?limit=1', headers: bearer(t.apiKey) });
    assertNativeError(wrong, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.allow, 'GET, HEAD, POST');
    const onItem = await t.inject({ method: 'PUT', url: '/user/some-user-id/', headers: bearer(t.apiKey) });
    assertNativeError(onItem, 405, 'METHOD_NOT_ALLOWED');
    assert.deepEqual(String(onItem.headers.allow).split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PATCH']);
    const options = await t.inject({ method: 'OPTIONS', url: '/payment' });
    assertNativeError(options, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(options.headers.allow, 'GET, HEAD, POST', 'without CORS_ORIGINS, OPTIONS is a method like any other');
    // What the wrong method's body holds is not looked at: the answer is still the 405.
    const badBody = await t.inject({ method: 'PUT', url: '/user/some-user-id', headers: { ...bearer(t.apiKey), 'content-type': 'application/json' }, payload: '{bad' });
    assertNativeError(badBody, 405, 'METHOD_NOT_ALLOWED');
    assertNativeError(await t.inject({ method: 'PUT', url: '/no/such/route', headers: { 'content-type': 'application/json' }, payload: '{bad' }), 404, 'ROUTE_NOT_FOUND');
  });

  test('a huge id in the path does not reach the database', async () => {
    const response = await t.inject({ method: 'GET', url: `/user/${'a'.repeat(150)}`, headers: bearer(t.apiKey) });
    assertNativeError(response, 400, 'VALIDATION_FAILED');
  });

  test('every answer carries its request id in a header', async () => {
    const response = await register('{');
    assert.equal(response.headers['x-request-id'], response.json().requestId);
  });
});

describe('credentials', () => {
  test('no credentials: 401 with a Bearer challenge', async () => {
    const response = await t.inject({ method: 'GET', url: '/user' });
    assertNativeError(response, 401, 'UNAUTHENTICATED');
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="paybridge"');
  });

  test('a malformed Authorization header', async () => {
    const response = await t.inject({ method: 'GET', url: '/user', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assertNativeError(response, 401, 'UNAUTHENTICATED');
  });

  test('an unknown API key', async () => {
    const response = await t.inject({ method: 'GET', url: '/user', headers: bearer('pbk_not-a-real-key-at-all-000000') });
    assertNativeError(response, 401, 'INVALID_API_KEY');
    assert.match(response.headers['www-authenticate'] as string, /error="invalid_token"/);
  });
});
