import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { AttemptCounter } from '../core/auth/rate-limiter.js';
import type { Database } from '../db/client.js';
import { attemptWindows } from '../db/schema.js';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 10_000;

const secondsLeft = sql<number>`greatest(1, ceil(extract(epoch from ${attemptWindows.resetAt} - now())))::int`;

/**
 * Counters in the database, for deployments without Redis: every instance on the database shares
 * them, and a restart keeps them. Windows are timed on the database's clock, so instances whose
 * clocks differ agree. Lapsed windows are restarted by the next attempt and swept once a minute,
 * so the table holds about what the windows still open hold.
 */
export function createDatabaseAttemptCounter(db: Database): AttemptCounter & { sweep(): Promise<number> } {
  /** Deletes lapsed windows (a batch at a time); answers how many. */
  const sweep = async (): Promise<number> => {
    const lapsed = db.select({ key: attemptWindows.key }).from(attemptWindows).where(lt(attemptWindows.resetAt, sql`now()`)).limit(SWEEP_BATCH);
    return (await db.delete(attemptWindows).where(sql`${attemptWindows.key} in (${lapsed})`).returning({ key: attemptWindows.key })).length;
  };
  const sweeper = setInterval(() => void sweep().catch(() => undefined), SWEEP_EVERY_MS);
  sweeper.unref();
  return {
    sweep,
    async increment(key, windowSeconds) {
      const lapsed = sql`${attemptWindows.resetAt} <= now()`;
      const [row] = await db
        .insert(attemptWindows)
        .values({ key, count: 1, resetAt: sql`now() + make_interval(secs => ${windowSeconds})` })
        .onConflictDoUpdate({
          target: attemptWindows.key,
          // The window starts at its first attempt and is never extended; a lapsed one starts afresh.
          set: {
            count: sql`case when ${lapsed} then 1 else ${attemptWindows.count} + 1 end`,
            resetAt: sql`case when ${lapsed} then excluded.reset_at else ${attemptWindows.resetAt} end`,
          },
        })
        .returning({ count: attemptWindows.count, resetInSeconds: secondsLeft });
      return { count: row!.count, resetInSeconds: row!.resetInSeconds };
    },
    async peek(key) {
      const [row] = await db
        .select({ count: attemptWindows.count, resetInSeconds: secondsLeft })
        .from(attemptWindows)
        .where(and(eq(attemptWindows.key, key), gt(attemptWindows.resetAt, sql`now()`), gt(attemptWindows.count, 0)));
      return row ?? { count: 0, resetInSeconds: 0 };
    },
    async decrement(key) {
      await db
        .update(attemptWindows)
        .set({ count: sql`${attemptWindows.count} - 1` })
        .where(and(eq(attemptWindows.key, key), gt(attemptWindows.resetAt, sql`now()`), gt(attemptWindows.count, 0)));
    },
    async close() {
      clearInterval(sweeper);
    },
  };
}
