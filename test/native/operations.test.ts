import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../helpers/test-app.js';

const t = useTestApp();

describe('operations endpoints', () => {
  test('GET /healthz', async () => {
    const response = await t.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  test('GET /readyz reports the database', async () => {
    const response = await t.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().database, t.database.kind);
  });

  test('GET /openapi.json documents every route with its response schemas', async () => {
    const response = await t.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.equal(doc.openapi, '3.0.3');
    for (const path of ['/user', '/user/{id}', '/user/register', '/user/login', '/user/logout', '/admin/api-keys']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    const register = doc.paths['/user/register'].post;
    assert.ok(register.requestBody.content['application/json'].schema);
    assert.ok(register.responses['201']);
    assert.ok(register.responses['409']);
  });

  test('GET /docs serves the documentation page', async () => {
    const response = await t.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/html/);
  });

  test('credentials in the query string never reach the log', async () => {
    const secret = t.logs.secret('supersecret-access-key-value-123');
    await t.inject({ method: 'GET', url: `/healthz?access_key=${secret}` });
    await t.inject({ method: 'GET', url: `/nowhere?access_key=${secret}&x=1` });
    t.logs.assertNoSecrets();
    assert.ok(t.logs.text.includes('access_key=[REDACTED]'));
  });

  test('a client secret or card token sent where an id belongs (path, or a loggable query value) never reaches the log', async () => {
    const secret = t.logs.secret('Zsko8Zz1ClientSecretPart');
    const token = t.logs.secret('tok_58C7PDaTJRoLIQ7xw3bfUS51');
    for (const url of [`/payment/pi_abc_secret_${secret}`, `/payment/${token}`, `/payment?starting_after=pi_abc_secret_${secret}`, `/v1/users/x/${token}`]) {
      await t.inject({ method: 'GET', url });
    }
    t.logs.assertNoSecrets();
    assert.ok(t.logs.text.includes('_secret_[withheld]') && t.logs.text.includes('tok_[withheld]'));
  });
});
