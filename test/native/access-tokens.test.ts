import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

let user: TestUser;
const t = useTestApp({}, async () => {
  user = await registerUser(t);
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

function hs256(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

async function assertRefused(token: string, label: string) {
  const response = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(token) });
  assert.equal(response.statusCode, 401, label);
  assert.equal(response.json().code, 'INVALID_TOKEN', label);
  assert.match(response.headers['www-authenticate'] as string, /error="invalid_token"/, label);
  // One generic answer whatever the reason; the reason stays in the log.
  assert.equal(response.json().message, 'The access token is invalid or expired', label);
}

describe('access tokens', () => {
  test('carry iss, aud, sub, exp and a one-hour lifetime', () => {
    const claims = claimsOf(user.token);
    assert.equal(claims.iss, 'paybridge');
    assert.equal(claims.aud, 'paybridge-api');
    assert.equal(claims.sub, user.id);
    assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
  });

  test('a valid token is accepted', async () => {
    const response = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(response.statusCode, 200);
  });

  test('forged and altered tokens are refused', async () => {
    const claims = claimsOf(user.token);
    const now = Math.floor(Date.now() / 1000);
    const secret = t.config.jwtSecret;
    const [header, , signature] = user.token.split('.');
    const cases: Array<[string, string]> = [
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
      ['tampered payload', `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`],
      ['another key', hs256(claims, 'another-secret-another-secret-another-secret')],
      ['expired', hs256({ ...claims, iat: now - 7200, exp: now - 3600 }, secret)],
      ['not yet valid', hs256({ ...claims, nbf: now + 3600 }, secret)],
      ['wrong issuer', hs256({ ...claims, iss: 'evil' }, secret)],
      ['wrong audience', hs256({ ...claims, aud: 'other-api' }, secret)],
      ['no exp', hs256({ ...claims, exp: undefined }, secret)],
      ['HS512 with the same secret', hs256(claims, secret, { alg: 'HS512', typ: 'JWT' })],
      ['unknown session', hs256({ ...claims, sid: '00000000-0000-7000-8000-000000000000' }, secret)],
    ];
    for (const [label, token] of cases) await assertRefused(token, label);
  });

  test('an RS256 token is refused even when its signature is valid for its own key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sign = createSigner({ key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), algorithm: 'RS256' });
    await assertRefused(sign(claimsOf(user.token)), 'RS256');
  });
});
