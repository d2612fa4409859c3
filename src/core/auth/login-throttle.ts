import { RateLimitedError } from '../errors.js';
import type { AttemptCounter } from './rate-limiter.js';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Caps failed logins per account (ASVS 2.2.1: at most 100 an hour) and per client address.
 * Every attempt is counted before the password is checked, atomically, so a burst of concurrent
 * guesses cannot all slip in before the first failure is recorded; a success gives its count back.
 */
export function createLoginThrottle(counter: AttemptCounter, limits: LoginThrottleLimits) {
  const accountKey = (organisationId: string, email: string) => `login:account:${organisationId}:${email}`;
  const addressKey = (address: string) => `login:address:${address}`;

  return {
    async beginAttempt(organisationId: string, email: string, address: string): Promise<void> {
      const [account, source] = await Promise.all([
        counter.increment(accountKey(organisationId, email), limits.windowSeconds),
        counter.increment(addressKey(address), limits.windowSeconds),
      ]);
      const blocked = [
        account.count > limits.maxFailuresPerAccount ? account.resetInSeconds : 0,
        source.count > limits.maxFailuresPerAddress ? source.resetInSeconds : 0,
      ];
      const retryAfter = Math.max(...blocked);
      if (retryAfter > 0) {
        throw new RateLimitedError('Too many failed login attempts; retry later', undefined, {
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    },

    async recordSuccess(organisationId: string, email: string, address: string): Promise<void> {
      await Promise.all([counter.clear(accountKey(organisationId, email)), counter.decrement(addressKey(address))]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
