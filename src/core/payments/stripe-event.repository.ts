import { and, asc, count, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { idempotencyKeys, stripeEvents } from '../../db/schema.js';

export type StoredEvent = typeof stripeEvents.$inferSelect;
export type NewEvent = { id: string; type: string; createdAt: Date; payload: Record<string, unknown> };

const inSeconds = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

/** The queue of Stripe events: stored on receipt, taken by one worker at a time, retried, dead-lettered. */
export function createStripeEventRepository(db: Database) {
  const ready = and(isNull(stripeEvents.processedAt), isNull(stripeEvents.deadAt), or(isNull(stripeEvents.lockedUntil), lt(stripeEvents.lockedUntil, sql`now()`)));

  async function take(condition: ReturnType<typeof and>, limit: number, lockSeconds: number): Promise<StoredEvent[]> {
    // SKIP LOCKED: several instances take disjoint events; the lock lasts as long as the claim.
    const candidates = db.select({ id: stripeEvents.id }).from(stripeEvents).where(condition).orderBy(asc(stripeEvents.stripeCreatedAt)).limit(limit).for('update', { skipLocked: true });
    return db
      .update(stripeEvents)
      .set({ lockedUntil: inSeconds(lockSeconds), attempts: sql`${stripeEvents.attempts} + 1` })
      .where(inArray(stripeEvents.id, candidates))
      .returning();
  }

  return {
    /** Stores the event unless it was stored before; true when it is new. The receiver gets `graceSeconds` to process it first. */
    async enqueue(event: NewEvent, graceSeconds: number): Promise<boolean> {
      const rows = await db
        .insert(stripeEvents)
        .values({ id: event.id, type: event.type, stripeCreatedAt: event.createdAt, payload: event.payload, nextAttemptAt: inSeconds(graceSeconds) })
        .onConflictDoNothing()
        .returning({ id: stripeEvents.id });
      return rows.length === 1;
    },

    /** Takes one event by id (the instance that just received it), if nobody holds it. */
    takeById: (id: string, lockSeconds: number) => take(and(eq(stripeEvents.id, id), ready), 1, lockSeconds),

    /** Takes the events due, oldest at Stripe first. */
    takeDue: (limit: number, lockSeconds: number) => take(and(ready, lte(stripeEvents.nextAttemptAt, sql`now()`)), limit, lockSeconds),

    /** Keeps held events held a while longer (their holder is still applying them). */
    async extendLocks(ids: string[], lockSeconds: number): Promise<void> {
      await db
        .update(stripeEvents)
        .set({ lockedUntil: inSeconds(lockSeconds) })
        .where(and(inArray(stripeEvents.id, ids), isNull(stripeEvents.processedAt), isNull(stripeEvents.deadAt), isNotNull(stripeEvents.lockedUntil)));
    },

    async markProcessed(id: string): Promise<void> {
      await db.update(stripeEvents).set({ processedAt: new Date(), lockedUntil: null, lastError: null }).where(eq(stripeEvents.id, id));
    },

    async scheduleRetry(id: string, error: string, delaySeconds: number): Promise<void> {
      await db.update(stripeEvents).set({ lastError: error, lockedUntil: null, nextAttemptAt: inSeconds(delaySeconds) }).where(eq(stripeEvents.id, id));
    },

    async markDead(id: string, error: string): Promise<void> {
      await db.update(stripeEvents).set({ lastError: error, lockedUntil: null, deadAt: new Date() }).where(eq(stripeEvents.id, id));
    },

    async findById(id: string): Promise<StoredEvent | undefined> {
      const [row] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, id)).limit(1);
      return row;
    },

    /** The queue's depth and how long its oldest event has waited (database clock), for the metrics gauges. */
    async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
      const [row] = await db
        .select({ count: count(), oldest: sql<number>`coalesce(extract(epoch from now() - min(${stripeEvents.receivedAt})), 0)::float8` })
        .from(stripeEvents)
        .where(and(isNull(stripeEvents.processedAt), isNull(stripeEvents.deadAt)));
      return { count: row?.count ?? 0, oldestAgeSeconds: Number(row?.oldest ?? 0) };
    },

    /** Retention: processed events and expired idempotency keys older than the cutoff. */
    async deleteBefore(cutoff: Date): Promise<{ events: number; keys: number }> {
      const events = await db.delete(stripeEvents).where(and(isNotNull(stripeEvents.processedAt), lt(stripeEvents.processedAt, cutoff))).returning({ id: stripeEvents.id });
      const keys = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).returning({ key: idempotencyKeys.key });
      return { events: events.length, keys: keys.length };
    },
  };
}

export type StripeEventRepository = ReturnType<typeof createStripeEventRepository>;
