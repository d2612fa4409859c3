import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, PLATE, putCatalogue, userJwt } from './helpers.js';

const t = useTestApp({}, async () => {
  const { organisations } = t.ctx.services;
  const organisation = await organisations.createOrganisation('another partner');
  otherKey = t.logs.secret((await organisations.issueApiKey(organisation.id, 'other')).key);
  await putCatalogue(t, [{ systemId: 'CitiBike', linkedAccountRequired: true }]);
});
/** A second organisation on the same deployment, with its own API key. */
let otherKey: string;

async function otherUserJwt(email: string): Promise<string> {
  const response = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(otherKey), payload: { email } });
  assert.equal(response.statusCode, 200, response.body);
  return t.logs.secret(response.json().jwt_token as string);
}

interface Call {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  payload?: unknown;
  /** Every user route works with a test JWT; these only with one. */
  testOnly?: boolean;
}

const userCalls: Call[] = [
  { method: 'GET', path: '/user/current' },
  { method: 'PUT', path: '/user/current/vehicle', payload: PLATE },
  { method: 'POST', path: '/user/current/update_vehicle', payload: PLATE },
  { method: 'GET', path: '/user/current/transactable_systems' },
  { method: 'GET', path: '/transactable_systems' },
  { method: 'POST', path: '/testing/user/current/transactable_systems', payload: { system_id: 'CitiBike', linked_account: true }, testOnly: true },
];

const payloadOf = (call: Call) => (call.payload !== undefined ? { payload: call.payload } : {});

function payloadClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('every path answers with and without access_key', () => {
  test('user routes: JWT alone, JWT with access_key (query or X-Access-Key header)', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('every-path') }, 'test');
    for (const call of userCalls) {
      const alone = await coord(t, { ...call, ...payloadOf(call), jwt });
      assert.equal(alone.statusCode, 200, `${call.method} ${call.path} without access_key: ${alone.body}`);
      const withKey = await coord(t, { ...call, ...payloadOf(call), jwt, accessKey: t.apiKey });
      assert.equal(withKey.statusCode, 200, `${call.method} ${call.path} with access_key: ${withKey.body}`);
      const withHeader = await coord(t, { ...call, ...payloadOf(call), jwt, headers: { 'x-access-key': t.apiKey } });
      assert.equal(withHeader.statusCode, 200, `${call.method} ${call.path} with X-Access-Key: ${withHeader.body}`);
    }
    const stripeInfo = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt: await userJwt(t, { email: uniqueEmail('si') }), accessKey: t.apiKey, payload: { coord_targeted_token: 'tok_visa' } });
    assert.equal(stripeInfo.statusCode, 200, stripeInfo.body);
  });

  test('JWT routes: the server token as bearer, as access_key, or as X-Access-Key', async () => {
    for (const path of ['/create_jwt', '/testing/create_jwt', '/testing/user']) {
      const payload = { email: uniqueEmail('jwt-routes') };
      for (const credentials of [{ headers: bearer(t.apiKey) }, { accessKey: t.apiKey }, { headers: { 'x-access-key': t.apiKey } }]) {
        const response = await coord(t, { method: 'POST', path, payload, ...credentials });
        assert.equal(response.statusCode, 200, `${path} ${JSON.stringify(Object.keys(credentials))}: ${response.body}`);
        t.logs.secret(response.json().jwt_token as string);
      }
      const none = await coord(t, { method: 'POST', path, payload });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().code, 'UNAUTHENTICATED');
      assert.match(none.json().message, /access_key/);
      assert.match(none.headers['www-authenticate'] as string, /^Bearer realm="paybridge"/);
    }
  });

  test('the access_key never reaches a log line', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('logs') });
    await coord(t, { method: 'GET', path: '/user/current', jwt, accessKey: t.apiKey });
    await coord(t, { method: 'GET', path: '/user/current', jwt, accessKey: t.logs.secret('pbk_wrong-key-that-is-also-secret') });
    t.logs.assertNoSecrets();
    assert.ok(t.logs.text.includes('access_key=[REDACTED]'));
  });
});

describe('wrong credentials get clear 4xx answers', () => {
  test('a wrong key is a 401 INVALID_API_KEY, wherever it is sent and whatever else is valid', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('wrong-key') });
    const cases = [
      coord(t, { method: 'POST', path: '/create_jwt', headers: bearer('pbk_not-a-real-key'), payload: { email: uniqueEmail() } }),
      coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), accessKey: 'pbk_not-a-real-key', payload: { email: uniqueEmail() } }),
      coord(t, { method: 'POST', path: '/testing/create_jwt', accessKey: 'pbk_not-a-real-key', payload: { email: uniqueEmail() } }),
      coord(t, { method: 'GET', path: '/user/current', jwt, accessKey: 'pbk_not-a-real-key' }),
      coord(t, { method: 'GET', path: '/user/current', jwt, headers: { 'x-access-key': 'pbk_not-a-real-key' } }),
    ];
    for (const response of await Promise.all(cases)) {
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().code, 'INVALID_API_KEY');
      assert.match(response.headers['www-authenticate'] as string, /error="invalid_token"/);
    }
  });

  test("another organisation's user: its JWT with this access_key is a 403, and it never sees this organisation's data", async () => {
    const foreignJwt = await otherUserJwt(uniqueEmail('foreign'));
    const mixed = await coord(t, { method: 'GET', path: '/user/current', jwt: foreignJwt, accessKey: t.apiKey });
    assert.equal(mixed.statusCode, 403);
    assert.equal(mixed.json().code, 'ORGANISATION_MISMATCH');

    const keys = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), accessKey: otherKey, payload: { email: uniqueEmail() } });
    assert.equal(keys.statusCode, 403);
    assert.equal(keys.json().code, 'ORGANISATION_MISMATCH');

    const theirs = await coord(t, { method: 'GET', path: '/transactable_systems', accessKey: otherKey });
    assert.deepEqual(theirs.json(), { transactable_systems: [] }, "this organisation's catalogue stays its own");
    const foreignMe = await coord(t, { method: 'GET', path: '/user/current/transactable_systems', jwt: foreignJwt });
    assert.equal(foreignMe.statusCode, 200);
    assert.deepEqual(foreignMe.json().transactable_systems, [], "a foreign user sees its own organisation's systems only");
  });

  test('the same email in two organisations is two users', async () => {
    const email = uniqueEmail('two-orgs');
    const mine = await userJwt(t, { email });
    const theirs = await otherUserJwt(email);
    await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: mine, payload: PLATE });
    assert.equal((await coord(t, { method: 'GET', path: '/user/current', jwt: theirs })).json().vehicle, null);
  });

  test('an expired, tampered or unsigned JWT is a 401 INVALID_TOKEN', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('tamper') });
    const claims = payloadClaims(jwt);
    const { jwtSecret, jwtIssuer, jwtAudience } = t.config;
    const signExpired = createSigner({ key: jwtSecret, algorithm: 'HS256', iss: jwtIssuer, aud: jwtAudience, expiresIn: 3_600_000, clockTimestamp: Date.now() - 7_200_000 });
    const expired = t.logs.secret(signExpired({ sub: claims.sub, sid: claims.sid, org: claims.org }));
    const [header, , signature] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 86_400 })).toString('base64url');
    const tampered = `${header}.${forged}.${signature}`;
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${forged}.`;
    for (const token of [expired, tampered, unsigned, 'a.b.c']) {
      const response = await coord(t, { method: 'GET', path: '/user/current', jwt: token });
      assert.equal(response.statusCode, 401, `${token.slice(0, 12)}: ${response.body}`);
      assert.equal(response.json().code, 'INVALID_TOKEN');
      assert.match(response.headers['www-authenticate'] as string, /error="invalid_token"/);
    }
    assert.equal((await coord(t, { method: 'GET', path: '/user/current', jwt })).statusCode, 200, 'the genuine token still works');
  });

  test('user routes need a user JWT: an API key alone is a 401 that says so', async () => {
    for (const call of userCalls.filter((c) => c.path !== '/transactable_systems')) {
      const response = await coord(t, { ...call, ...payloadOf(call), headers: bearer(t.apiKey) });
      assert.equal(response.statusCode, 401, `${call.path}: ${response.body}`);
      assert.match(response.json().message, /user JWT is required/);
    }
    const anonymous = await coord(t, { method: 'GET', path: '/user/current' });
    assert.equal(anonymous.statusCode, 401);
    const malformed = await coord(t, { method: 'GET', path: '/user/current', headers: { authorization: 'Token abc' } });
    assert.equal(malformed.statusCode, 401);
  });
});

describe('malformed requests', () => {
  test('bad JSON, a wrong content type, unknown and missing fields: 4xx in the Coord envelope', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('malformed') });
    const badJson = await t.inject({ method: 'PUT', url: '/v1/users/user/current/vehicle', headers: { ...bearer(jwt), 'content-type': 'application/json' }, payload: '{"license_plate":' });
    assert.equal(badJson.statusCode, 400);
    assert.equal(badJson.json().code, 'MALFORMED_BODY');
    assert.deepEqual(Object.keys(badJson.json()).sort(), ['code', 'message', 'request_id', 'status']);

    const text = await t.inject({ method: 'PUT', url: '/v1/users/user/current/vehicle', headers: { ...bearer(jwt), 'content-type': 'application/xml' }, payload: '<plate/>' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().code, 'UNSUPPORTED_MEDIA_TYPE');

    const unknownField = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: uniqueEmail(), admin: true } });
    assert.equal(unknownField.statusCode, 400);
    assert.deepEqual(unknownField.json().fields, [{ field: '/admin', message: 'is not an accepted field' }]);

    const badEmail = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: 'not-an-email' } });
    assert.equal(badEmail.statusCode, 400);
    assert.equal(badEmail.json().fields[0].field, '/email');

    const noToken = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: {} });
    assert.deepEqual(noToken.json().fields, [{ field: '/coord_targeted_token', message: 'is required' }]);

    const unknownRoute = await coord(t, { method: 'GET', path: '/user/nothing-here', jwt });
    assert.equal(unknownRoute.statusCode, 404);
    assert.equal(unknownRoute.json().code, 'ROUTE_NOT_FOUND');
    assert.equal(typeof unknownRoute.json().request_id, 'string');

    const wrongMethod = await coord(t, { method: 'DELETE', path: '/user/current', jwt });
    assert.equal(wrongMethod.statusCode, 405);
    assert.equal(wrongMethod.json().code, 'METHOD_NOT_ALLOWED');
    assert.equal(wrongMethod.headers.allow, 'GET, HEAD');
  });
});
