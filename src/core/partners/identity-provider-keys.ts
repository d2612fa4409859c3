import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { isPlainText } from '../users/display-name.js';
import type { IdentityProviderConfig } from './organisation-settings.repository.js';

/** The only algorithms a partner's identity provider may sign with; each key allows exactly one. */
export type PartnerTokenAlgorithm = 'RS256' | 'ES256';

export interface VerificationKey {
  /** SPKI PEM, whatever form it was configured in (fast-jwt takes PEM). */
  pem: string;
  algorithm: PartnerTokenAlgorithm;
  kid?: string | undefined;
}

const invalid = (path: string, message: string) => new ValidationError(`The identity provider's key is unusable: ${message}`, [{ path, message }]);

/**
 * The algorithm follows from the key, never from a token: RSA keys (2048 bits or more) verify
 * RS256 only, P-256 keys ES256 only. Anything else is refused when the key is configured.
 */
function algorithmOf(key: KeyObject, path: string): PartnerTokenAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < 2048) throw invalid(path, 'RSA keys must have at least 2048 bits');
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  throw invalid(path, 'only RSA (RS256) and P-256 EC (ES256) public keys are accepted');
}

function fromPem(pem: string): VerificationKey {
  // A private key would be accepted by createPublicKey (it derives the public half); storing one is a leak.
  if (/PRIVATE KEY/.test(pem)) throw invalid('/identityProvider/pem', 'this is a private key; give the public key');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw invalid('/identityProvider/pem', 'not a PEM public key');
  }
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), algorithm: algorithmOf(key, '/identityProvider/pem') };
}

function fromJwk(jwk: unknown, index: number): VerificationKey | undefined {
  const path = `/identityProvider/jwks/keys/${index}`;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid(path, 'not a JSON Web Key object');
  const fields = jwk as Record<string, unknown>;
  if ('d' in fields) throw invalid(path, 'this is a private key; give the public key');
  for (const [name, isValid] of Object.entries(PUBLIC_JWK_MEMBERS)) {
    if (Object.hasOwn(fields, name) && !isValid(fields[name])) throw invalid(`${path}/${name}`, `${name} is not of the type RFC 7517 gives it`);
  }
  // Keys published for encryption (or for operations other than verifying) are not ours to verify with.
  if (fields.use !== undefined && fields.use !== 'sig') return undefined;
  if (fields.key_ops !== undefined && !(fields.key_ops as string[]).includes('verify')) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: fields as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalid(path, 'not a usable RSA or EC public key');
  }
  const algorithm = algorithmOf(key, path);
  if (fields.alg !== undefined && fields.alg !== algorithm) throw invalid(`${path}/alg`, `must be ${algorithm} for this key, or absent`);
  const kid = typeof fields.kid === 'string' ? fields.kid : undefined;
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), algorithm, kid };
}

// A JWK's registered public members (RFC 7517 §4, RFC 7518 §6), each of its type; nothing else of a key is kept.
const isStrings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
// RFC 7517: key_ops lists each operation once; x5c holds one certificate at least; x5u is an https URL.
const isOperations = (value: unknown) => isStrings(value) && new Set(value as string[]).size === (value as string[]).length;
const isHttpsUrl = (value: unknown) => isText(value) && URL.canParse(value as string) && new URL(value as string).protocol === 'https:';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PUBLIC_JWK_MEMBERS: Record<string, (value: unknown) => boolean> = {
  kty: isText, use: isText, alg: isText, kid: isText, x5u: isHttpsUrl, x5t: isText, 'x5t#S256': isText, crv: isText, x: isText, y: isText, n: isText, e: isText,
  key_ops: isOperations,
  x5c: (value) => isStrings(value) && (value as string[]).length > 0 && (value as string[]).every((item) => BASE64.test(item)),
};

function isText(value: unknown): boolean {
  return typeof value === 'string' && isPlainText(value);
}

/** The provider as stored: each JWK reduced to its registered public members (a key's extras are nobody's data). */
export function withPublicJwkMembers(config: IdentityProviderConfig): IdentityProviderConfig {
  if (!config.jwks || !Array.isArray(config.jwks.keys)) return config;
  const keys = config.jwks.keys.map((jwk) =>
    typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk)
      ? Object.fromEntries(Object.keys(PUBLIC_JWK_MEMBERS).filter((name) => Object.hasOwn(jwk, name)).map((name) => [name, (jwk as Record<string, unknown>)[name]]))
      : jwk,
  );
  return { ...config, jwks: { keys } };
}

/** The verification keys of a configured identity provider; throws ValidationError naming the faulty key. */
export function verificationKeysOf(config: IdentityProviderConfig): VerificationKey[] {
  if ((config.pem === undefined) === (config.jwks === undefined)) {
    throw new ValidationError('Give the identity provider either a PEM key or a JWKS document', [{ path: '/identityProvider', message: 'needs exactly one of pem, jwks' }]);
  }
  if (config.pem !== undefined) return [fromPem(config.pem)];
  const keys = Array.isArray(config.jwks?.keys) ? config.jwks.keys : [];
  const usable = keys.map(fromJwk).filter((key): key is VerificationKey => key !== undefined);
  if (usable.length === 0) throw invalid('/identityProvider/jwks/keys', 'the JWKS holds no signing key');
  return usable;
}
