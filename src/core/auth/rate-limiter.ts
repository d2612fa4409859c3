import { Redis } from 'ioredis';

/** Fixed-window failure counters, shared between instances when Redis is configured. */
export interface FailureCounter {
  /** Failures recorded under key in the current window, and seconds until the window ends. */
  peek(key: string): Promise<{ count: number; resetInSeconds: number }>;
  record(key: string, windowSeconds: number): Promise<void>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryFailureCounter(now: () => number = Date.now): FailureCounter {
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
    async peek(key) {
      const entry = live(key);
      return entry ? { count: entry.count, resetInSeconds: Math.ceil((entry.resetAt - now()) / 1000) } : { count: 0, resetInSeconds: 0 };
    },
    async record(key, windowSeconds) {
      const entry = live(key);
      if (entry) entry.count += 1;
      else windows.set(key, { count: 1, resetAt: now() + windowSeconds * 1000 });
    },
    async clear(key) {
      windows.delete(key);
    },
    async close() {
      windows.clear();
    },
  };
}

export function createRedisFailureCounter(url: string): FailureCounter {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Connection problems surface as rejected commands; without a listener ioredis would print them.
  redis.on('error', () => undefined);
  const name = (key: string) => `paybridge:failures:${key}`;
  return {
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(name(key)), redis.ttl(name(key))]);
      return { count: Number(count ?? 0), resetInSeconds: Math.max(ttl, 0) };
    },
    async record(key, windowSeconds) {
      // INCR then EXPIRE NX: the window starts at the first failure and is never extended.
      await redis.multi().incr(name(key)).expire(name(key), windowSeconds, 'NX').exec();
    },
    async clear(key) {
      await redis.del(name(key));
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
