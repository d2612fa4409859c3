import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { assertAnswer, createCvUser, cvList, cvPost, INVALID_API_KEY, invalidRequest, USERS_URL } from './helpers.js';

const t = useTestApp();

const MALFORMED_JSON = 'The request body is not valid JSON, or uses a forbidden key (__proto__, constructor.prototype)';

describe('cv-api-key', () => {
  const createUser = () => ({ action: 'CREATE_USER', email: uniqueEmail('cv') });

  test('missing: 401 {"status": 401, "error": "Invalid API key"} on every route', async () => {
    assertAnswer(await cvPost(t, createUser(), null), 401, INVALID_API_KEY);
    assertAnswer(await t.inject({ method: 'GET', url: USERS_URL }), 401, INVALID_API_KEY);
    assertAnswer(await t.inject({ method: 'GET', url: `${USERS_URL}/` }), 401, INVALID_API_KEY);
  });

  test('wrong, empty, blank or oversized: the same 401', async () => {
    for (const key of ['pbk_not-a-real-key', '', '   ', `pbk_${'x'.repeat(300)}`]) {
      assertAnswer(await cvPost(t, createUser(), key), 401, INVALID_API_KEY);
      assertAnswer(await cvList(t, {}, key), 401, INVALID_API_KEY);
    }
  });

  test('a valid key sent as a bearer token instead is not a cv-api-key', async () => {
    const response = await t.inject({ method: 'GET', url: USERS_URL, headers: { authorization: `Bearer ${t.apiKey}` } });
    assertAnswer(response, 401, INVALID_API_KEY);
  });

  test('a revoked key: 401', async () => {
    const { organisations } = t.ctx.services;
    const { key, record } = await organisations.issueApiKey(t.organisationId, 'soon revoked');
    t.logs.secret(key);
    assert.equal((await cvList(t, {}, key)).statusCode, 200);
    await organisations.revokeApiKey({ kind: 'apiKey', organisationId: t.organisationId, apiKeyId: record.id }, record.id);
    assertAnswer(await cvList(t, {}, key), 401, INVALID_API_KEY);
  });

  test('the key is checked before the body: a bad key with a malformed body is still a 401', async () => {
    assertAnswer(await cvPost(t, '{"action": ', 'wrong'), 401, INVALID_API_KEY);
    assertAnswer(await cvPost(t, { action: 'NOPE' }, null), 401, INVALID_API_KEY);
  });

  test("a second organisation's key neither sees nor changes this organisation's users", async () => {
    const secondKey = await secondOrganisationKey(t);
    const email = uniqueEmail('scoped');
    await createCvUser(t, email);
    const listed = await cvList(t, { emailPrefix: email }, secondKey);
    assertAnswer(listed, 200, { status: 200, success: true, data: [], meta: { hasMore: false, cursor: null } });
    const renamed = await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail: email, newEmail: uniqueEmail('hijack') }, secondKey);
    assertAnswer(renamed, 400, invalidRequest(`User ${email} does not exist`));
    const own = await cvList(t, { emailPrefix: email });
    assert.deepEqual(own.json().data.map((u: { email: string }) => u.email), [email], 'unchanged');
    const sameEmailThere = await cvPost(t, { action: 'CREATE_USER', email }, secondKey);
    assert.equal(sameEmailThere.statusCode, 201, 'emails are unique per organisation, not globally');
  });
});

describe('the failure envelope for what is not a well-formed call', () => {
  test('malformed JSON, an empty body, and forbidden keys', async () => {
    assertAnswer(await cvPost(t, '{"action": "CREATE_USER",'), 400, invalidRequest(MALFORMED_JSON));
    assertAnswer(await cvPost(t, ''), 400, invalidRequest(MALFORMED_JSON));
    assertAnswer(await cvPost(t, '{"action":"CREATE_USER","__proto__":{"admin":true}}'), 400, invalidRequest(MALFORMED_JSON));
    assertAnswer(await cvPost(t, '{"action":"CREATE_USER","constructor":{"prototype":{"admin":true}}}'), 400, invalidRequest(MALFORMED_JSON));
  });

  test('a body that is not a JSON object', async () => {
    for (const body of ['[]', '"CREATE_USER"', '42', 'null', 'true']) {
      assertAnswer(await cvPost(t, body), 400, invalidRequest('body must be a JSON object'));
    }
  });

  test('no body and no content type', async () => {
    const response = await t.inject({ method: 'POST', url: USERS_URL, headers: { 'cv-api-key': t.apiKey } });
    assertAnswer(response, 400, invalidRequest('body must be a JSON object'));
  });

  test('a body that is not JSON: 415', async () => {
    const response = await t.inject({
      method: 'POST',
      url: USERS_URL,
      headers: { 'cv-api-key': t.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'action=CREATE_USER',
    });
    assertAnswer(response, 415, { status: 415, success: false, message: 'Unsupported media type', error: 'Send the body as application/json' });
  });

  test('an oversized body: 413', async () => {
    const response = await cvPost(t, { action: 'CREATE_USER', email: uniqueEmail(), firstName: 'x'.repeat(70_000) });
    assertAnswer(response, 413, { status: 413, success: false, message: 'Payload too large', error: 'The request body is too large' });
  });

  test('unknown routes (404) and methods (405) under /api/v1/users, in the same envelope, with or without a key', async () => {
    for (const headers of [{ 'cv-api-key': t.apiKey }, {}]) {
      const nested = await t.inject({ method: 'GET', url: `${USERS_URL}/someone?x=1`, headers });
      assertAnswer(nested, 404, { status: 404, success: false, message: 'Not found', error: 'No route GET /api/v1/users/someone' });
      for (const method of ['PUT', 'DELETE', 'OPTIONS'] as const) {
        const wrong = await t.inject({ method, url: USERS_URL, headers, payload: {} });
        assertAnswer(wrong, 405, { status: 405, success: false, message: 'Method not allowed', error: `${method} is not allowed on /api/v1/users; it answers GET, HEAD, POST` });
        assert.equal(wrong.headers.allow, 'GET, HEAD, POST');
      }
    }
  });

  test('the trailing slash form is the same route', async () => {
    const response = await t.inject({ method: 'GET', url: `${USERS_URL}/`, headers: { 'cv-api-key': t.apiKey } });
    assert.equal(response.statusCode, 200);
  });
});

describe('action', () => {
  const CHOICES = 'action must be one of CREATE_USER, UPDATE_EMAIL, UPDATE_PAYMENT_INFO';

  test('missing', async () => {
    assertAnswer(await cvPost(t, { email: uniqueEmail() }), 400, invalidRequest('action is required'));
  });

  test('unknown, differently cased, or not a string', async () => {
    for (const action of ['DELETE_USER', 'update_payment_info', '', 42, null, ['CREATE_USER'], { name: 'CREATE_USER' }, '__proto__', 'constructor']) {
      assertAnswer(await cvPost(t, { action, email: uniqueEmail() }), 400, invalidRequest(CHOICES));
    }
  });

  test("another action's fields are not accepted", async () => {
    const response = await cvPost(t, { action: 'CREATE_USER', email: uniqueEmail(), data: { stripeSetupId: 'seti_123' } });
    assertAnswer(response, 400, invalidRequest('data is not an accepted field'));
  });
});

describe('OpenAPI', () => {
  test('documents both routes under the CareValidate API tag, with the key header, the three body shapes and the envelopes', async () => {
    const response = await t.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const path = response.json().paths[USERS_URL];
    assert.deepEqual(Object.keys(path).sort(), ['get', 'post']);
    for (const operation of [path.get, path.post]) {
      assert.deepEqual(operation.tags, ['CareValidate API']);
      assert.ok(operation.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'cv-api-key'));
      assert.ok(operation.responses['401'] && operation.responses['400']);
    }
    const variants = path.post.requestBody.content['application/json'].schema.anyOf as Array<{ properties: { action: { enum: string[] } } }>;
    assert.deepEqual(variants.map((v) => v.properties.action.enum[0]), ['CREATE_USER', 'UPDATE_EMAIL', 'UPDATE_PAYMENT_INFO']);
    assert.deepEqual(Object.keys(path.post.responses).sort(), ['200', '201', '400', '401', '408', '413', '415', '431', '501', '503']);
  });
});
