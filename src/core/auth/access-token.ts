import { createSigner, createVerifier } from 'fast-jwt';
import { InvalidTokenError } from '../errors.js';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** session id: logout and password changes revoke sessions, and with them their tokens */
  sid: string;
  /** organisation id */
  org: string;
}

export interface AccessTokenService {
  issue(claims: AccessClaims): { token: string; expiresAt: Date };
  verify(token: string): AccessClaims;
  readonly ttlSeconds: number;
}

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/**
 * HS256 access tokens. The algorithm is pinned on both sides and never read from the token,
 * which rules out `alg: none` and HS/RS confusion. fast-jwt caches verified tokens, so
 * authenticated reads are not capped by signature checks.
 */
export function createAccessTokenService(options: AccessTokenOptions): AccessTokenService {
  const sign = createSigner({
    key: options.secret,
    algorithm: 'HS256',
    iss: options.issuer,
    aud: options.audience,
    expiresIn: options.ttlSeconds * 1000,
  });
  const verifyToken = createVerifier({
    key: options.secret,
    algorithms: ['HS256'],
    allowedIss: options.issuer,
    allowedAud: options.audience,
    requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'sid', 'org'],
    cache: 10_000,
  });
  return {
    ttlSeconds: options.ttlSeconds,
    issue(claims) {
      const token = sign({ sub: claims.sub, sid: claims.sid, org: claims.org });
      return { token, expiresAt: new Date(Date.now() + options.ttlSeconds * 1000) };
    },
    verify(token) {
      let payload: Record<string, unknown>;
      try {
        payload = verifyToken(token) as Record<string, unknown>;
      } catch (error) {
        throw new InvalidTokenError(undefined, undefined, { cause: error });
      }
      const { sub, sid, org } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof org !== 'string') throw new InvalidTokenError();
      return { sub, sid, org };
    },
  };
}

/** A JWT is three base64url segments; anything else presented as a bearer credential is an API key. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}
