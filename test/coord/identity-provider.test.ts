import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createSigner, type Algorithm } from 'fast-jwt';
import { bearer, createTestApp, type TestApp, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, patchSettings, PLATE, putCatalogue, systemsOf, userJwt } from './helpers.js';

const pem = (key: { export(o: { type: 'spki' | 'pkcs8'; format: 'pem' }): string | Buffer }, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

let issuer: string;
const t = useTestApp({}, async () => {
  issuer = `https://id.partner-${randomUUID()}.example`;
  const configured = await patchSettings(t, { identityProvider: { issuer, audience, pem: pem(rsa.publicKey, 'spki') } });
  assert.equal(configured.statusCode, 200, configured.body);
  await putCatalogue(t, [{ systemId: 'PhoneCabs', jwtClaims: ['phone_number'] }]);
});
const audience = 'paybridge-coord';

/** A token as the partner's identity provider would sign it. */
function idpToken(
  claims: Record<string, unknown>,
  options: { key?: string; algorithm?: Algorithm; kid?: string; iss?: string; aud?: string; expiresIn?: number; clockTimestamp?: number } = {},
): string {
  const sign = createSigner({
    key: options.key ?? pem(rsa.privateKey, 'pkcs8'),
    algorithm: options.algorithm ?? 'RS256',
    iss: options.iss ?? issuer,
    aud: options.aud ?? audience,
    ...(options.expiresIn !== 0 ? { expiresIn: options.expiresIn ?? 600_000 } : {}),
    ...(options.kid ? { kid: options.kid } : {}),
    ...(options.clockTimestamp ? { clockTimestamp: options.clockTimestamp } : {}),
  });
  return t.logs.secret(sign(claims));
}

const me = (jwt: string, accessKey?: string) => coord(t, { method: 'GET', path: '/user/current', jwt, ...(accessKey ? { accessKey } : {}) });

describe("tokens from the partner's own identity provider (PEM, RS256)", () => {
  test('are accepted as user JWTs, with or without access_key; the user is provisioned from the email and name claims', async () => {
    const email = uniqueEmail('idp');
    const token = idpToken({ sub: `idp-${randomUUID()}`, email, name: 'Grace Hopper' });
    const first = await me(token);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().email, email);
    assert.equal(first.json().name, 'Grace Hopper');
    assert.equal(first.json().is_test, false);
    assert.equal((await me(token, t.apiKey)).statusCode, 200);
  });

  test("email and name always follow the token's claims; the user is the same (matched by sub)", async () => {
    const sub = `idp-${randomUUID()}`;
    const first = idpToken({ sub, email: uniqueEmail('before'), name: 'Before' });
    assert.equal((await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: first, payload: PLATE })).statusCode, 200);
    const newEmail = uniqueEmail('after');
    const later = await me(idpToken({ sub, email: newEmail, name: 'After' }));
    assert.deepEqual([later.json().email, later.json().name, later.json().vehicle], [newEmail, 'After', PLATE]);
  });

  test("a system's jwt_claims are checked against the claims the token carries", async () => {
    const withPhone = idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('phone'), phone_number: '+15551234567' });
    assert.equal((await systemsOf(t, withPhone)).get('PhoneCabs')!.transactable, true);
    const ours = await userJwt(t, { email: uniqueEmail('no-phone') });
    assert.deepEqual((await systemsOf(t, ours)).get('PhoneCabs')!.missing.jwt_claims, ['phone_number']);
  });

  test('wrong issuer or audience, expiry, another key, alg confusion and no email: 401', async () => {
    const claims = { sub: `idp-${randomUUID()}`, email: uniqueEmail('refused') };
    const publicPem = pem(rsa.publicKey, 'spki');
    const refused: Array<[string, string]> = [
      ['unknown issuer', idpToken(claims, { iss: 'https://elsewhere.example' })],
      ['wrong audience', idpToken(claims, { aud: 'someone-else' })],
      ['expired', idpToken(claims, { clockTimestamp: Date.now() - 3_600_000, expiresIn: 600_000 })],
      ['no exp', idpToken(claims, { expiresIn: 0 })],
      ["a stranger's key", idpToken(claims, { key: pem(stranger.privateKey, 'pkcs8') })],
      ['HS256 keyed with the public PEM', idpToken(claims, { key: publicPem, algorithm: 'HS256' })],
      ['no email claim', idpToken({ sub: 'no-email' })],
    ];
    for (const [what, token] of refused) {
      const response = await me(token);
      assert.equal(response.statusCode, 401, `${what}: ${response.body}`);
      assert.equal(response.json().code, 'INVALID_TOKEN', what);
    }
    assert.match((await me(idpToken({ sub: 'no-email' }))).json().message, /email claim/);
  });

  test("with another organisation's access_key the token is not accepted", async () => {
    const { organisations } = t.ctx.services;
    const organisation = await organisations.createOrganisation('no idp');
    const otherKey = t.logs.secret((await organisations.issueApiKey(organisation.id, 'k')).key);
    const token = idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('cross') });
    const response = await me(token, otherKey);
    assert.equal(response.statusCode, 401, response.body);
  });
});

describe('a JWKS document (ES256 and RS256 keys, chosen by kid)', () => {
  let jwksT: TestApp;
  const jwksIssuer = `https://jwks.partner-${randomUUID()}.example`;
  before(async () => {
    jwksT = await createTestApp();
    const keys = [
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' },
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256' },
    ];
    const configured = await patchSettings(jwksT, { identityProvider: { issuer: jwksIssuer, audience, jwks: { keys } } });
    assert.equal(configured.statusCode, 200, configured.body);
  });
  after(async () => jwksT.close());

  const sign = (kid: string, key: string, algorithm: Algorithm) =>
    createSigner({ key, algorithm, kid, iss: jwksIssuer, aud: audience, expiresIn: 600_000 })({ sub: `s-${randomUUID()}`, email: uniqueEmail('jwks') });

  test("tokens of either key are accepted; an unknown kid or another key's signature is not", async () => {
    const ecToken = sign('ec-1', pem(ec.privateKey, 'pkcs8'), 'ES256');
    const rsaToken = sign('rsa-1', pem(rsa.privateKey, 'pkcs8'), 'RS256');
    for (const token of [ecToken, rsaToken]) assert.equal((await coord(jwksT, { method: 'GET', path: '/user/current', jwt: token })).statusCode, 200);
    const unknownKid = sign('other', pem(ec.privateKey, 'pkcs8'), 'ES256');
    const wrongKey = sign('rsa-1', pem(stranger.privateKey, 'pkcs8'), 'RS256');
    for (const token of [unknownKid, wrongKey]) assert.equal((await coord(jwksT, { method: 'GET', path: '/user/current', jwt: token })).statusCode, 401);
  });
});

describe('identity provider settings (administrators and API keys)', () => {
  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a private key', { pem: pem(rsa.privateKey, 'pkcs8') }, '/identityProvider/pem'],
    ['a short RSA key', { pem: pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'spki') }, '/identityProvider/pem'],
    ['not a key', { pem: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }, '/identityProvider/pem'],
    ['a JWKS with a private key', { jwks: { keys: [ec.privateKey.export({ format: 'jwk' })] } }, '/identityProvider/jwks/keys/0'],
    ['both pem and jwks', { pem: pem(rsa.publicKey, 'spki'), jwks: { keys: [{ kty: 'EC' }] } }, '/identityProvider'],
    ['a P-384 key', { pem: pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, 'spki') }, '/identityProvider/pem'],
  ];
  for (const [what, keyFields, field] of invalid) {
    test(`${what} is refused with a 400 naming ${field}`, async () => {
      const response = await patchSettings(t, { identityProvider: { issuer: 'https://x.example', audience: 'a', ...keyFields } });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().details[0].path, field);
    });
  }

  test('the settings kept are the last valid ones, and a user cannot read or change them', async () => {
    const settings = await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(t.apiKey) });
    assert.equal(settings.json().identityProvider.issuer, issuer);
    const user = await userJwt(t, { email: uniqueEmail('not-admin') });
    assert.equal((await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(user) })).statusCode, 403);
    assert.equal((await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(user), payload: { redirectUris: [] } })).statusCode, 403);
  });
});

describe('two organisations trusting the same identity provider', () => {
  test('a token without access_key is refused as ambiguous; with each access_key it lands in that organisation', async () => {
    const { organisations } = t.ctx.services;
    const second = await organisations.createOrganisation('same idp');
    const secondKey = t.logs.secret((await organisations.issueApiKey(second.id, 'k')).key);
    const copy = { identityProvider: { issuer, audience, pem: pem(rsa.publicKey, 'spki') } };
    const configured = await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(secondKey), payload: copy });
    assert.equal(configured.statusCode, 200, configured.body);
    try {
      const token = idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('shared') });
      const ambiguous = await me(token);
      assert.equal(ambiguous.statusCode, 401);
      assert.match(ambiguous.json().message, /access_key/);
      await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: token, accessKey: t.apiKey, payload: PLATE });
      assert.deepEqual((await me(token, t.apiKey)).json().vehicle, PLATE);
      assert.equal((await me(token, secondKey)).json().vehicle, null, "the second organisation's user is another user");
    } finally {
      await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(secondKey), payload: { identityProvider: null } });
    }
  });
});
