import { dictionary } from '@zxcvbn-ts/language-common';
import { WeakPasswordError } from '../errors.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** What the core needs to keep passwords: src/adapters/password-hasher.argon2.ts provides it. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

// zxcvbn's list of ~49,000 passwords seen most often in breaches.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary as Record<string, string[]>)['passwords-common'],
);

/**
 * Length per NIST SP 800-63B, in characters (code points: an emoji is one, not two UTF-16 units);
 * no composition rules, but breached/common passwords are refused.
 */
export function assertAcceptablePassword(password: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
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
