import { asc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { refunds } from '../../db/schema.js';
import type { ProviderRefund } from './payment-gateway.js';

export type RefundRecord = typeof refunds.$inferSelect;

/** What one write of refunds changed, as an integrator hears it (see paymentEventsFor). */
export interface RefundChanges {
  /** Refunds stored for the first time. */
  recorded: number;
  /** Refunds that failed or were canceled with this write (seen so for the first time). */
  voided: number;
}

const NO_CHANGES: RefundChanges = { recorded: 0, voided: 0 };

/** Stripe's refund statuses in which the money is not (or no longer) on its way back. */
export const VOID_REFUND_STATUSES = ['failed', 'canceled'];
/** What Stripe refunds by itself when a charge is captured in part or expires: never money taken, so never shown. */
const RELEASE_REASON = 'expired_uncaptured_charge';

export function createRefundRepository(db: Database) {
  return {
    /**
     * Stores refunds (oldest first, so new ones are recorded in the order they were made) as read
     * from Stripe at observedAt, by Stripe's id; a row already holding a
     * later read is left alone, so an older read arriving late never rolls a status back.
     * Answers what changed for the integrator: refunds seen for the first time, and refunds whose
     * money went back to the merchant (failed or canceled) with this write.
     */
    async upsert(paymentId: string, seen: ProviderRefund[], observedAt: Date): Promise<RefundChanges> {
      const rows = seen
        .filter((r) => r.reason !== RELEASE_REASON)
        .map((r) => ({ id: r.id, paymentId, amount: r.amount, currency: r.currency, status: r.status, reason: r.reason, failureReason: r.failureReason, createdAt: r.createdAt, stripeSyncedAt: observedAt }));
      if (rows.length === 0) return NO_CHANGES;
      const earlier = await db.select({ id: refunds.id, status: refunds.status }).from(refunds).where(inArray(refunds.id, rows.map((r) => r.id)));
      const statusBefore = new Map(earlier.map((r) => [r.id, r.status]));
      const written = await db
        .insert(refunds)
        .values(rows)
        .onConflictDoUpdate({
          target: refunds.id,
          set: { status: sql`excluded.status`, failureReason: sql`excluded.failure_reason`, stripeSyncedAt: sql`excluded.stripe_synced_at` },
          setWhere: lt(refunds.stripeSyncedAt, sql`excluded.stripe_synced_at`),
        })
        .returning({ id: refunds.id, status: refunds.status });
      const isVoid = (status: string | undefined) => status !== undefined && VOID_REFUND_STATUSES.includes(status);
      return {
        recorded: written.filter((r) => !statusBefore.has(r.id)).length,
        voided: written.filter((r) => isVoid(r.status) && !isVoid(statusBefore.get(r.id))).length,
      };
    },

    /** The refunds of some payments, oldest first. */
    async listFor(paymentIds: string[]): Promise<RefundRecord[]> {
      if (paymentIds.length === 0) return [];
      return db.select().from(refunds).where(inArray(refunds.paymentId, paymentIds)).orderBy(asc(refunds.createdAt), asc(refunds.recordedOrder));
    },

    /** The SQL of a payment's refunded total: every refund but those that failed or were canceled. */
    refundedTotal(paymentId: string) {
      return sql<number>`(select coalesce(sum(${refunds.amount}), 0)::integer from ${refunds} where ${eq(refunds.paymentId, paymentId)} and ${notInArray(refunds.status, VOID_REFUND_STATUSES)})`;
    },
  };
}

export type RefundRepository = ReturnType<typeof createRefundRepository>;
