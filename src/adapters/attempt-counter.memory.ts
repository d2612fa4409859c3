import { LRUCache } from 'lru-cache';
import type { AttemptCounter } from '../core/auth/rate-limiter.js';

interface Window {
  count: number;
  resetAt: number;
}

/** A key's kind: its first two parts (`login:address`, `login:account`, `register:address`, …). */
const kindOf = (key: string) => key.split(':', 2).join(':');

/**
 * In-process counters. Each window expires with its TTL, and at most maxEntries keys of each kind
 * are kept (least recently used go first), so a flood of distinct emails or addresses cannot grow
 * memory: lapsed windows are dropped when met, and the bound holds whether or not they are. Kinds
 * have separate bounds, so a flood of fresh addresses (cheap: refused before any password is
 * checked) cannot evict the per-account counters that keep an account's attackers out.
 */
export function createMemoryAttemptCounter(options: { maxEntries?: number; now?: () => number } = {}): AttemptCounter & { readonly size: number } {
  const now = options.now ?? Date.now;
  const kinds = new Map<string, LRUCache<string, Window>>();
  // The cache's own TTL lets it drop a lapsed window whenever it meets it; max bounds it regardless.
  const windowsOf = (key: string): LRUCache<string, Window> => {
    const kind = kindOf(key);
    let windows = kinds.get(kind);
    if (!windows) kinds.set(kind, (windows = new LRUCache<string, Window>({ max: options.maxEntries ?? 100_000, ttl: 1, noUpdateTTL: true })));
    return windows;
  };
  const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - now()) / 1000));
  const live = (key: string): Window | undefined => {
    const windows = windowsOf(key);
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    get size() {
      return [...kinds.values()].reduce((sum, windows) => sum + windows.size, 0);
    },
    async increment(key, windowSeconds) {
      const existing = live(key);
      const entry = existing ?? { count: 0, resetAt: now() + windowSeconds * 1000 };
      entry.count += 1;
      if (!existing) windowsOf(key).set(key, entry, { ttl: windowSeconds * 1000 });
      return { count: entry.count, resetInSeconds: secondsUntil(entry.resetAt) };
    },
    async peek(key) {
      const entry = live(key);
      return entry ? { count: entry.count, resetInSeconds: secondsUntil(entry.resetAt) } : { count: 0, resetInSeconds: 0 };
    },
    async decrement(key) {
      const entry = live(key);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async close() {
      kinds.clear();
    },
  };
}

