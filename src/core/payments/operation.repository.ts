import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { paymentOperations } from '../../db/schema.js';

export type OperationRecord = typeof paymentOperations.$inferSelect;
export type NewOperation = Pick<OperationRecord, 'id' | 'paymentId' | 'kind' | 'attemptKey' | 'requestHash' | 'stripeIdempotencyKey'>;

/** A stored answer: the HTTP status and the exact JSON body given the first time. */
export interface StoredAnswer {
  status: number;
  body: string;
}

const leaseUntil = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

/**
 * Operation rows. Every write after the insert is fenced: it names the holder's lease token
 * and succeeds only while that lease is unexpired, so a holder that was too slow changes nothing.
 */
export function createOperationRepository(db: Database) {
  const held = (id: string, token: string) =>
    and(eq(paymentOperations.id, id), eq(paymentOperations.leaseToken, token), gt(paymentOperations.leaseExpiresAt, sql`now()`));

  return {
    /** Inserts the operation held by `token`, or answers undefined when this attempt already exists. */
    async insert(values: NewOperation, token: string, leaseSeconds: number): Promise<OperationRecord | undefined> {
      const [row] = await db
        .insert(paymentOperations)
        .values({ ...values, leaseToken: token, leaseExpiresAt: leaseUntil(leaseSeconds) })
        .onConflictDoNothing({ target: [paymentOperations.paymentId, paymentOperations.kind, paymentOperations.attemptKey] })
        .returning();
      return row;
    },

    async find(paymentId: string, kind: string, attemptKey: string): Promise<OperationRecord | undefined> {
      const [row] = await db
        .select()
        .from(paymentOperations)
        .where(and(eq(paymentOperations.paymentId, paymentId), eq(paymentOperations.kind, kind), eq(paymentOperations.attemptKey, attemptKey)))
        .limit(1);
      return row;
    },

    async findById(id: string): Promise<OperationRecord | undefined> {
      const [row] = await db.select().from(paymentOperations).where(eq(paymentOperations.id, id)).limit(1);
      return row;
    },

    /** Takes over a pending operation whose holder's lease lapsed (it crashed, gave up, or is too slow). */
    async claimLapsed(id: string, token: string, leaseSeconds: number): Promise<OperationRecord | undefined> {
      const [row] = await db
        .update(paymentOperations)
        .set({ leaseToken: token, leaseExpiresAt: leaseUntil(leaseSeconds), attempts: sql`${paymentOperations.attempts} + 1`, updatedAt: new Date() })
        .where(
          and(
            eq(paymentOperations.id, id),
            eq(paymentOperations.state, 'pending'),
            or(isNull(paymentOperations.leaseExpiresAt), lt(paymentOperations.leaseExpiresAt, sql`now()`)),
          ),
        )
        .returning();
      return row;
    },

    /** Stores the answer; false when the lease was lost (the row is then someone else's). */
    async finish(id: string, token: string, answer: StoredAnswer): Promise<boolean> {
      const rows = await db
        .update(paymentOperations)
        .set({ state: 'done', responseStatus: answer.status, responseBody: answer.body, leaseToken: null, leaseExpiresAt: null, updatedAt: new Date() })
        .where(held(id, token))
        .returning({ id: paymentOperations.id });
      return rows.length === 1;
    },

    /** Lets the next retry take over at once instead of waiting for the lease to lapse. */
    async release(id: string, token: string): Promise<void> {
      await db
        .update(paymentOperations)
        .set({ leaseExpiresAt: sql`now() - interval '1 millisecond'`, updatedAt: new Date() })
        .where(held(id, token));
    },

    /** Withdraws the operation (nothing exists at Stripe for it); false when the lease was lost. */
    async remove(id: string, token: string): Promise<boolean> {
      const rows = await db.delete(paymentOperations).where(held(id, token)).returning({ id: paymentOperations.id });
      return rows.length === 1;
    },

    /** Retention: finished operations other than creations (whose answer the payment keeps) older than the cutoff. */
    async deleteFinishedBefore(cutoff: Date): Promise<number> {
      const rows = await db
        .delete(paymentOperations)
        .where(and(eq(paymentOperations.state, 'done'), sql`${paymentOperations.kind} <> 'create'`, lt(paymentOperations.updatedAt, cutoff)))
        .returning({ id: paymentOperations.id });
      return rows.length;
    },
  };
}

export type OperationRepository = ReturnType<typeof createOperationRepository>;
