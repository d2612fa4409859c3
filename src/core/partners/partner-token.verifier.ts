import { createHash } from 'node:crypto';
import { createDecoder, createVerifier } from 'fast-jwt';
import { InvalidTokenError } from '../errors.js';
import { verificationKeysOf, type PartnerTokenAlgorithm } from './identity-provider-keys.js';
import type { IdentityProviderConfig } from './organisation-settings.repository.js';

type VerifyFn = (token: string) => Record<string, unknown>;

interface CompiledKey {
  kid: string | undefined;
  algorithm: PartnerTokenAlgorithm;
  verify: VerifyFn;
}

const decodeComplete = createDecoder({ complete: true }) as (token: string) => { header: Record<string, unknown>; payload: unknown };
// Partners' clocks drift; half a minute either way is the usual allowance.
const CLOCK_TOLERANCE_MS = 30_000;
const MAX_COMPILED_PROVIDERS = 256;
/** A partner token valid longer than its provider's maxTokenLifetimeSeconds (default a day, at most 30 days) is refused. */
export const DEFAULT_PARTNER_TOKEN_LIFETIME_SECONDS = 86_400;
export const MAX_PARTNER_TOKEN_LIFETIME_SECONDS = 30 * 86_400;

/** Why a verified token still may not be used: it is valid for longer than its provider allows, or issued in the future. */
function lifetimeFault(payload: Record<string, unknown>, config: IdentityProviderConfig, now = Date.now()): string | undefined {
  const max = config.maxTokenLifetimeSeconds ?? DEFAULT_PARTNER_TOKEN_LIFETIME_SECONDS;
  const exp = payload.exp as number;
  if (payload.iat !== undefined && typeof payload.iat !== 'number') return 'iat is not a number';
  if (exp * 1000 - now > max * 1000 + CLOCK_TOLERANCE_MS) return `exp is more than ${max} s away`;
  if (typeof payload.iat === 'number' && exp - payload.iat > max) return `exp is more than ${max} s after iat`;
  if (typeof payload.iat === 'number' && payload.iat * 1000 > now + CLOCK_TOLERANCE_MS) return 'iat is in the future';
  return undefined;
}

/** The header and payload of a token, unverified: only to decide which key or issuer to check it against. */
export function peekToken(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    const { header, payload } = decodeComplete(token);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('the payload is not an object');
    return { header, payload: payload as Record<string, unknown> };
  } catch (error) {
    throw new InvalidTokenError(undefined, undefined, { cause: error });
  }
}

function compileKeys(config: IdentityProviderConfig): CompiledKey[] {
  return verificationKeysOf(config).map((key) => ({
    kid: key.kid,
    algorithm: key.algorithm,
    // One algorithm per key, fixed by the key's type: the token's `alg` only selects candidates.
    verify: createVerifier({
      key: key.pem,
      algorithms: [key.algorithm],
      allowedIss: config.issuer,
      allowedAud: config.audience,
      requiredClaims: ['iss', 'aud', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_MS,
      cache: 1000,
    }) as VerifyFn,
  }));
}

/**
 * Verifies tokens signed by a partner's own identity provider (RS256 or ES256 only) against
 * the organisation's configured key or JWKS, issuer and audience; exp is required, and no further
 * away than the provider's maximum lifetime.
 */
export function createPartnerTokenVerifier() {
  // Compiled verifiers per configuration, so a settings change takes effect on the next request.
  const compiled = new Map<string, CompiledKey[]>();

  function keysFor(config: IdentityProviderConfig): CompiledKey[] {
    const id = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    let keys = compiled.get(id);
    if (!keys) {
      if (compiled.size >= MAX_COMPILED_PROVIDERS) compiled.clear();
      keys = compileKeys(config);
      compiled.set(id, keys);
    }
    return keys;
  }

  return {
    verify(token: string, config: IdentityProviderConfig): Record<string, unknown> {
      const { header } = peekToken(token);
      const candidates = keysFor(config).filter(
        (key) => key.algorithm === header.alg && (header.kid === undefined || key.kid === undefined || key.kid === header.kid),
      );
      let failure: unknown = new Error(`no configured key verifies alg ${String(header.alg)} with kid ${String(header.kid)}`);
      for (const key of candidates) {
        let payload: Record<string, unknown>;
        try {
          payload = key.verify(token);
        } catch (error) {
          failure = error;
          continue;
        }
        const fault = lifetimeFault(payload, config);
        if (fault) throw new InvalidTokenError(undefined, undefined, { cause: new Error(`the token is valid for too long: ${fault}`) });
        return payload;
      }
      throw new InvalidTokenError(undefined, undefined, { cause: failure });
    },
  };
}

export type PartnerTokenVerifier = ReturnType<typeof createPartnerTokenVerifier>;
