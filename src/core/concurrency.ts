import { setTimeout as sleep } from 'node:timers/promises';

export interface Limiter {
  /** Runs `task` once fewer than the limit run; callers beyond it wait in arrival order. */
  <T>(task: () => Promise<T>): Promise<T>;
  /** Whether the limit is reached: a new task would wait. */
  readonly full: boolean;
}

/** At most `limit` of the given tasks run at once; the rest wait in arrival order. */
export function createLimiter(limit: number): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the first in line, so no newcomer can slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
  return Object.defineProperty(run, 'full', { get: () => running >= limit }) as Limiter;
}

/**
 * Waits `ms`, or until one of `pending` settles, or `stopped` aborts, whichever is first. The
 * timer and the listener on `stopped` go with the wait: a loop that wakes often on `pending`
 * leaves nothing behind on a long-lived signal.
 */
export async function waitForAny(ms: number, stopped: AbortSignal, pending: Iterable<Promise<unknown>>): Promise<void> {
  const wait = new AbortController();
  const stop = () => wait.abort();
  stopped.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race([sleep(ms, undefined, { signal: wait.signal }).catch(() => undefined), ...pending]);
  } finally {
    wait.abort();
    stopped.removeEventListener('abort', stop);
  }
}
