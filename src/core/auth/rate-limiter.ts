import { Redis } from 'ioredis';

/** Fixed-window attempt counters, shared between instances when Redis is configured. */
export interface AttemptCounter {
  /** Counts one attempt under key (atomically) and answers the window's count and seconds left. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }>;
  /** Takes one attempt back (a success should not count against an address). */
  decrement(key: string): Promise<void>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryAttemptCounter(now: () => number = Date.now): AttemptCounter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async increment(key, windowSeconds) {
      const entry = live(key) ?? { count: 0, resetAt: now() + windowSeconds * 1000 };
      entry.count += 1;
      windows.set(key, entry);
      return { count: entry.count, resetInSeconds: Math.ceil((entry.resetAt - now()) / 1000) };
    },
    async decrement(key) {
      const entry = live(key);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async clear(key) {
      windows.delete(key);
    },
    async close() {
      windows.clear();
    },
  };
}

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
    async decrement(key) {
      await redis.decr(name(key));
    },
    async clear(key) {
      await redis.del(name(key));
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
