import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createLimiter } from '../concurrency.js';
import { WeakPasswordError } from '../errors.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** OWASP's minimum for argon2id: 19 MiB, two passes, one lane. */
export const OWASP_ARGON2ID = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2id hashing on at most `concurrency` threads at once. Hashing is deliberately
 * CPU-heavy: unbounded, a login flood would take every core and stall every other request;
 * bounded, the remaining cores keep serving.
 */
export function createArgon2Hasher(concurrency: number, params: { memoryCost: number; timeCost: number; parallelism: number } = OWASP_ARGON2ID): PasswordHasher {
  const limit = createLimiter(concurrency);
  return {
    hash: (password) => limit(() => argon2.hash(password, { type: argon2.argon2id, ...params })),
    // argon2.verify compares in constant time and reads the parameters from the hash itself.
    verify: (hash, password) => limit(() => argon2.verify(hash, password).catch(() => false)),
  };
}

// zxcvbn's list of ~49,000 passwords seen most often in breaches.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary as Record<string, string[]>)['passwords-common'],
);

/** Length per NIST SP 800-63B; no composition rules, but breached/common passwords are refused. */
export function assertAcceptablePassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new WeakPasswordError(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`, [
      { path: `/${field}`, message: `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` },
    ]);
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new WeakPasswordError('This password is too common; choose another', [
      { path: `/${field}`, message: 'is one of the most common passwords' },
    ]);
  }
}
