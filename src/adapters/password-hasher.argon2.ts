import argon2 from 'argon2';
import { createLimiter } from '../core/concurrency.js';
import type { PasswordHasher } from '../core/auth/password.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's minimum for argon2id: 19 MiB, two passes, one lane. */
export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * argon2id hashing on at most `concurrency` threads at once. Hashing is deliberately
 * CPU-heavy: unbounded, a login flood would take every core and stall every other request;
 * bounded, the remaining cores keep serving.
 */
export function createArgon2Hasher(concurrency: number, params: Argon2Params = OWASP_ARGON2ID): PasswordHasher {
  const limit = createLimiter(concurrency);
  return {
    hash: (password) => limit(() => argon2.hash(password, { type: argon2.argon2id, ...params })),
    // argon2.verify compares in constant time and reads the parameters from the hash itself.
    verify: (hash, password) => limit(() => argon2.verify(hash, password).catch(() => false)),
  };
}
