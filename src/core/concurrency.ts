import { setTimeout as sleep } from 'node:timers/promises';

/** At most `limit` of the given tasks run at once; the rest wait in arrival order. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
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
