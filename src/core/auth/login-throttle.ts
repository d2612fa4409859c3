import { RateLimitedError } from '../errors.js';
import type { FailureCounter } from './rate-limiter.js';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Caps failed logins per account (ASVS 2.2.1: at most 100 an hour) and per client address,
 * so neither a targeted guesser nor a credential-stuffing source gets unlimited tries.
 */
export function createLoginThrottle(counter: FailureCounter, limits: LoginThrottleLimits) {
  const accountKey = (organisationId: string, email: string) => `login:account:${organisationId}:${email}`;
  const addressKey = (address: string) => `login:address:${address}`;

  return {
    async assertAllowed(organisationId: string, email: string, address: string): Promise<void> {
      const [account, source] = await Promise.all([counter.peek(accountKey(organisationId, email)), counter.peek(addressKey(address))]);
      const blocked = [
        account.count >= limits.maxFailuresPerAccount ? account.resetInSeconds : 0,
        source.count >= limits.maxFailuresPerAddress ? source.resetInSeconds : 0,
      ];
      const retryAfter = Math.max(...blocked);
      if (retryAfter > 0) {
        throw new RateLimitedError('Too many failed login attempts; retry later', undefined, {
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    },

    async recordFailure(organisationId: string, email: string, address: string): Promise<void> {
      await Promise.all([
        counter.record(accountKey(organisationId, email), limits.windowSeconds),
        counter.record(addressKey(address), limits.windowSeconds),
      ]);
    },

    async recordSuccess(organisationId: string, email: string): Promise<void> {
      await counter.clear(accountKey(organisationId, email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
