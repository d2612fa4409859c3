import { Redis } from 'ioredis';
import type { AttemptCounter } from '../core/auth/rate-limiter.js';

// Decrements only a live window: DECR on an expired key would create a counter with no TTL.
const DECREMENT_LIVE = "if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then return redis.call('DECR', KEYS[1]) end return 0";

/** Counters in Redis, shared by every instance; each key carries its window's TTL, so none outlives it. */
export function createRedisAttemptCounter(url: string): AttemptCounter {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Connection problems surface as rejected commands; without a listener ioredis would print them.
  redis.on('error', () => undefined);
  const name = (key: string) => `paybridge:attempts:${key}`;
  return {
    async increment(key, windowSeconds) {
      // INCR then EXPIRE NX in one transaction: the window starts at the first attempt and is never extended.
      const results = await redis.multi().incr(name(key)).expire(name(key), windowSeconds, 'NX').ttl(name(key)).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttl = Number(results?.[2]?.[1] ?? windowSeconds);
      return { count, resetInSeconds: Math.max(ttl, 1) };
    },
    async peek(key) {
      const results = await redis.multi().get(name(key)).ttl(name(key)).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttl = Number(results?.[1]?.[1] ?? -2);
      // TTL is -2 for a missing key (no window open).
      return count > 0 && ttl > 0 ? { count, resetInSeconds: ttl } : { count: 0, resetInSeconds: 0 };
    },
    async decrement(key) {
      await redis.eval(DECREMENT_LIVE, 1, name(key));
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
