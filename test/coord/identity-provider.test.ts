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

  test('a name claim longer than a name may be is cut at a character boundary, never through an emoji', async () => {
    for (const [claim, kept] of [['A'.repeat(99) + '😀x', 'A'.repeat(99) + '😀'], ['A'.repeat(98) + '👩🏽‍💻', 'A'.repeat(98)]]) {
      const response = await me(idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('long-name'), name: claim }));
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().name, kept);
    }
  });

  test("email and name always follow the token's claims; the user is the same (matched by sub)", async () => {
    const sub = `idp-${randomUUID()}`;
    const first = idpToken({ sub, email: uniqueEmail('before'), name: 'Before' });
    assert.equal((await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: first, payload: PLATE })).statusCode, 200);
    const newEmail = uniqueEmail('after');
    const later = await me(idpToken({ sub, email: newEmail, name: 'After' }));
    assert.deepEqual([later.json().email, later.json().name, later.json().vehicle], [newEmail, 'After', PLATE]);
  });

  test("the provider's users are its own: a sub equal to a create_jwt user's external_uid, or that user's email, opens no account of theirs", async () => {
    const uid = `shared-${randomUUID()}`;
    const aliceEmail = uniqueEmail('alice');
    const alice = await userJwt(t, { email: aliceEmail, external_uid: uid });
    const aliceBefore = (await me(alice)).json();

    const mallory = await me(idpToken({ sub: uid, email: uniqueEmail('mallory') }));
    assert.equal(mallory.statusCode, 200, mallory.body);
    assert.notEqual(mallory.json().email, aliceEmail, 'a user of its own');
    const sameEmail = await me(idpToken({ sub: `idp-${randomUUID()}`, email: aliceEmail }));
    assert.equal(sameEmail.statusCode, 409, sameEmail.body);
    assert.equal(sameEmail.json().code, 'EMAIL_TAKEN');
    const byEmailAndUid = await me(idpToken({ sub: uid, email: aliceEmail }));
    assert.notEqual(byEmailAndUid.statusCode, 200, 'the sub and email of a create_jwt user open nothing either');
    assert.deepEqual((await me(alice)).json(), aliceBefore, "alice's account is as it was");

    const noSub = await me(idpToken({ email: uniqueEmail('no-sub') }));
    assert.equal(noSub.statusCode, 401, noSub.body);
  });

  test("a create_jwt user is never taken over by a provider token with its email and a sub equal to its external_uid, however fresh", async () => {
    const uid = `fresh-${randomUUID()}`;
    const email = uniqueEmail('fresh');
    const partnerUser = await userJwt(t, { email, external_uid: uid });
    const before = (await me(partnerUser)).json();
    const provider = await me(idpToken({ sub: uid, email, name: 'Taken Over' }));
    assert.equal(provider.statusCode, 409, provider.body);
    assert.equal(provider.json().code, 'EMAIL_TAKEN');
    assert.deepEqual((await me(partnerUser)).json(), before, 'the partner user is as it was');
    const again = await userJwt(t, { email, external_uid: uid });
    assert.deepEqual((await me(again)).json(), before, 'create_jwt still reaches its own user');
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
      ['issued an hour from now', idpToken(claims, { clockTimestamp: Date.now() + 3_600_000, expiresIn: 600_000 })],
      ['no exp', idpToken(claims, { expiresIn: 0 })],
      ["a stranger's key", idpToken(claims, { key: pem(stranger.privateKey, 'pkcs8') })],
      ['HS256 keyed with the public PEM', idpToken(claims, { key: publicPem, algorithm: 'HS256' })],
      ['no email claim', idpToken({ sub: 'no-email' })],
      ...[false, 'false', 'False', ' FALSE ', 0, 'no', null].map((value): [string, string] => [`email_verified ${JSON.stringify(value)}`, idpToken({ ...claims, email_verified: value })]),
      ['a sub of spaces', idpToken({ ...claims, sub: '   ' })],
      ['an iat that is no number', idpToken({ ...claims, iat: 'yesterday' })],
    ];
    for (const [what, token] of refused) {
      const response = await me(token);
      assert.equal(response.statusCode, 401, `${what}: ${response.body}`);
      assert.equal(response.json().code, 'INVALID_TOKEN', what);
    }
    assert.match((await me(idpToken({ sub: 'no-email' }))).json().message, /email claim/);
    for (const verified of [true, 'true', 'True']) {
      const accepted = await me(idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('verified'), email_verified: verified }));
      assert.equal(accepted.statusCode, 200, `email_verified ${JSON.stringify(verified)}: ${accepted.body}`);
    }
  });

  test('a token valid for longer than the provider allows is refused (a day by default; maxTokenLifetimeSeconds sets it)', async () => {
    const claims = () => ({ sub: `idp-${randomUUID()}`, email: uniqueEmail('lifetime') });
    const day = 86_400_000;
    assert.equal((await me(idpToken(claims(), { expiresIn: day - 60_000 }))).statusCode, 200, 'just under a day is taken');
    const forAYear = await me(idpToken(claims(), { expiresIn: 365 * day }));
    assert.equal(forAYear.statusCode, 401, forAYear.body);
    assert.equal(forAYear.json().code, 'INVALID_TOKEN');
    assert.match(t.logs.text, /valid for too long/);
    // Issued long ago, expiring soon: exp - iat is what counts when iat is there.
    const issuedLongAgo = await me(idpToken(claims(), { clockTimestamp: Date.now() - 2 * day, expiresIn: 2 * day + 600_000 }));
    assert.equal(issuedLongAgo.statusCode, 401, issuedLongAgo.body);

    const longer = await patchSettings(t, { identityProvider: { issuer, audience, pem: pem(rsa.publicKey, 'spki'), maxTokenLifetimeSeconds: 7 * 86_400 } });
    assert.equal(longer.statusCode, 200, longer.body);
    assert.equal(longer.json().identityProvider.maxTokenLifetimeSeconds, 7 * 86_400);
    try {
      assert.equal((await me(idpToken(claims(), { expiresIn: 6 * day }))).statusCode, 200, 'six days are taken under a week');
      assert.equal((await me(idpToken(claims(), { expiresIn: 8 * day }))).statusCode, 401);
      const beyond = await patchSettings(t, { identityProvider: { issuer, audience, pem: pem(rsa.publicKey, 'spki'), maxTokenLifetimeSeconds: 31 * 86_400 } });
      assert.equal(beyond.statusCode, 400, beyond.body);
      assert.ok(beyond.body.includes('/identityProvider/maxTokenLifetimeSeconds'), beyond.body);
    } finally {
      await patchSettings(t, { identityProvider: { issuer, audience, pem: pem(rsa.publicKey, 'spki') } });
    }
  });

  test('claims held to the faces\' rules: NUL or a lone surrogate in email, name or sub, an email no face takes, a sub that is no string: 401, never a 500, nobody provisioned', async () => {
    const claims = [
      { email: 'x\u0000y@example.com' },
      { email: uniqueEmail('nul-name'), name: 'Ada\u0000' },
      { email: uniqueEmail('nul-sub'), sub: 'idp-\u0000' },
      { email: uniqueEmail('surrogate'), name: 'Ada \ud800' },
      { email: 'ua1@example.com.' },
      { email: 'ua1@\uff45xample.com' },
      { email: 'ua1@example.c' },
      { email: uniqueEmail('numeric-sub'), sub: 42 },
      { email: uniqueEmail('long-sub'), sub: 'x'.repeat(256) },
    ];
    for (const claim of claims) {
      const response = await me(idpToken({ sub: `idp-${randomUUID()}`, ...claim }));
      assert.equal(response.statusCode, 401, `${JSON.stringify(claim)}: ${response.body}`);
    }
    for (const options of [{ iss: 'https://id.example/\u0000' }, { aud: 'paybridge-\ud800' }]) {
      const response = await me(idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('unsafe-iss') }, options));
      assert.equal(response.statusCode, 401, `${JSON.stringify(options)}: ${response.body}`);
    }
    const punycode = await me(idpToken({ sub: `idp-${randomUUID()}`, email: `ua-${randomUUID().slice(0, 8)}@example.xn--p1ai` }));
    assert.equal(punycode.statusCode, 200, `a punycode top-level domain is an email Stripe takes: ${punycode.body}`);
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
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig', note: { anything: 'a key carries' } },
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256' },
    ];
    const configured = await patchSettings(jwksT, { identityProvider: { issuer: jwksIssuer, audience, jwks: { keys } } });
    assert.equal(configured.statusCode, 200, configured.body);
    // Only a key's registered public members are stored: its extras are nobody's data to keep.
    const stored = configured.json<{ identityProvider: { jwks: { keys: Array<Record<string, unknown>> } } }>().identityProvider.jwks.keys[0]!;
    assert.deepEqual(Object.keys(stored).sort(), ['crv', 'kid', 'kty', 'use', 'x', 'y']);
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
    ['a JWK whose key_ops are not strings', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), key_ops: [1, { a: [] }] }] } }, '/identityProvider/jwks/keys/0/key_ops'],
    ['a JWK whose kid is an object', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: {} }] } }, '/identityProvider/jwks/keys/0/kid'],
    ['a JWK whose kid hides a bidirectional override', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'k\u202e1' }] } }, '/identityProvider/jwks/keys/0/kid'],
    ['a JWK whose x5c is not base64', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), x5c: ['\u202egnp.exe'] }] } }, '/identityProvider/jwks/keys/0/x5c'],
    ['a JWK whose x5c is empty', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), x5c: [] }] } }, '/identityProvider/jwks/keys/0/x5c'],
    ['a JWK whose key_ops repeat one', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), key_ops: ['verify', 'verify'] }] } }, '/identityProvider/jwks/keys/0/key_ops'],
    ['a JWK whose x5u is no https URL', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), x5u: 'javascript:alert(1)' }] } }, '/identityProvider/jwks/keys/0/x5u'],
    ['a JWKS whose only key is for encryption (key_ops)', { jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), key_ops: ['encrypt'] }] } }, '/identityProvider/jwks/keys'],
  ];
  for (const [what, keyFields, field] of invalid) {
    test(`${what} is refused with a 400 naming ${field}`, async () => {
      const response = await patchSettings(t, { identityProvider: { issuer: 'https://x.example', audience: 'a', ...keyFields } });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().details[0].path, field);
    });
  }

  test("paybridge's own issuer is no provider's: a 400 naming /identityProvider/issuer", async () => {
    const response = await patchSettings(t, { identityProvider: { issuer: t.config.jwtIssuer, audience: t.config.jwtAudience, pem: pem(rsa.publicKey, 'spki') } });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().details[0].path, '/identityProvider/issuer');
  });

  test('the settings kept are the last valid ones, and a user cannot read or change them', async () => {
    const settings = await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(t.apiKey) });
    assert.equal(settings.json().identityProvider.issuer, issuer);
    const user = await userJwt(t, { email: uniqueEmail('not-admin') });
    assert.equal((await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(user) })).statusCode, 403);
    assert.equal((await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(user), payload: { redirectUris: [] } })).statusCode, 403);
  });
});

describe('two organisations and one identity provider', () => {
  async function secondOrganisation(name: string) {
    const { organisations } = t.ctx.services;
    const second = await organisations.createOrganisation(name);
    return t.logs.secret((await organisations.issueApiKey(second.id, 'k')).key);
  }
  const settings = (key: string, identityProvider: unknown) => t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(key), payload: { identityProvider } });

  test("another organisation cannot claim the issuer and audience one already trusts (409); the first one's tokens go on working without access_key", async () => {
    const squatter = await secondOrganisation('squatter');
    const copied = await settings(squatter, { issuer, audience, pem: pem(rsa.publicKey, 'spki') });
    assert.equal(copied.statusCode, 409, copied.body);
    assert.equal(copied.json().code, 'IDENTITY_PROVIDER_TAKEN');
    assert.deepEqual(copied.json().details.map((d: { path: string }) => d.path), ['/identityProvider/audience']);
    assert.equal((await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(squatter) })).json().identityProvider, null, 'nothing half-written');
    const email = uniqueEmail('owner');
    const mine = await me(idpToken({ sub: `idp-${randomUUID()}`, email }));
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json().email, email);
  });

  test('the same issuer with another audience is its own: each token lands, without access_key, in the organisation of its audience; one naming both belongs to neither, access_key or not', async () => {
    const secondKey = await secondOrganisation('same issuer, other audience');
    const otherAudience = `paybridge-other-${randomUUID()}`;
    const configured = await settings(secondKey, { issuer, audience: otherAudience, pem: pem(rsa.publicKey, 'spki') });
    assert.equal(configured.statusCode, 200, configured.body);
    try {
      const token = idpToken({ sub: `idp-${randomUUID()}`, email: uniqueEmail('second') }, { aud: otherAudience });
      assert.equal((await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: token, payload: PLATE })).statusCode, 200);
      assert.deepEqual((await me(token, secondKey)).json().vehicle, PLATE, 'the keyless request landed in the second organisation');
      assert.equal((await me(token, t.apiKey)).statusCode, 401, "the first organisation's audience is not this token's");

      const both = createSigner({ key: pem(rsa.privateKey, 'pkcs8'), algorithm: 'RS256', iss: issuer, aud: [audience, otherAudience], expiresIn: 600_000 });
      const bothToken = t.logs.secret(both({ sub: `idp-${randomUUID()}`, email: uniqueEmail('both') }));
      for (const key of [undefined, t.apiKey, secondKey]) {
        const ambiguous = await me(bothToken, key);
        assert.equal(ambiguous.statusCode, 401, ambiguous.body);
        assert.match(ambiguous.json().message, /several organisations/);
      }
    } finally {
      await settings(secondKey, null);
    }
  });

  test('once the first organisation lets the provider go, another may take it', async () => {
    const { organisations } = t.ctx.services;
    const first = await organisations.createOrganisation('first holder');
    const firstKey = t.logs.secret((await organisations.issueApiKey(first.id, 'k')).key);
    const provider = { issuer: `https://id.released-${randomUUID()}.example`, audience, pem: pem(rsa.publicKey, 'spki') };
    assert.equal((await settings(firstKey, provider)).statusCode, 200);
    const nextKey = await secondOrganisation('next holder');
    assert.equal((await settings(nextKey, provider)).statusCode, 409);
    assert.equal((await settings(firstKey, null)).statusCode, 200);
    assert.equal((await settings(nextKey, provider)).statusCode, 200);
  });
});
