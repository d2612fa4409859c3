import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../helpers/test-app.js';

const t = useTestApp();

describe('finding 6: credentials in query strings never reach the log, however the name is spelled', () => {
  test('encoded, upper-cased and array spellings of access_key and jwt are redacted', async () => {
    const marker = `NOTLOGGED${Date.now()}`;
    const spellings = ['access%5Fkey', '%61ccess_key', 'ACCESS_KEY', 'j%77t', 'jwt[]', 'access_key[0]', 'Access%5FKey'];
    for (const [i, name] of spellings.entries()) {
      await t.inject({ method: 'GET', url: `/v1/users/user/current?${name}=${marker}${i}` });
    }
    await t.inject({ method: 'GET', url: `/v1/users/user/current?${marker}bare` });
    // Personal data is kept out as well: an email filter's value is not logged.
    await t.inject({ method: 'GET', url: `/api/v1/users?email=${marker}%40example.com` });
    const text = t.logs.text;
    assert.ok(text.includes('/v1/users/user/current'), 'the requests were logged');
    assert.equal(text.includes(marker), false, 'a query value reached the log');
  });
});

describe('finding 6: /payment/return is a page with security headers', () => {
  test('CSP with frame-ancestors, X-Frame-Options, nosniff, Referrer-Policy and no-store', async () => {
    const response = await t.inject({ method: 'GET', url: '/payment/return?payment_intent=pi_x&payment_intent_client_secret=pi_x_secret_abcdefgh1234' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/html/);
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('the JSON API is not given page headers it does not need, and /docs keeps its own policy', async () => {
    const docs = await t.inject({ method: 'GET', url: '/docs' });
    assert.notEqual(docs.headers['content-security-policy'], "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
  });
});
