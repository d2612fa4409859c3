import { and, asc, eq, gt, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { idempotencyKeys, payments } from '../../db/schema.js';

export type PaymentRecord = typeof payments.$inferSelect;
export type NewPayment = Pick<
  PaymentRecord,
  'id' | 'organisationId' | 'userId' | 'idempotencyKey' | 'requestHash' | 'amount' | 'currency' | 'description'
>;

export interface IntentState {
  status: string;
  paymentMethodId: string | null;
  lastErrorCode: string | null;
  nextActionUrl: string | null;
}

export const FINAL_STATUSES = ['succeeded', 'canceled'] as const;
export const CREATING = 'creating';

export function createPaymentRepository(db: Database) {
  return {
    /** Inserts the row in 'creating' under a lease, or answers undefined when the key is already used. */
    async insertCreating(values: NewPayment, leaseSeconds: number): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .insert(payments)
        .values({ ...values, status: CREATING, leaseExpiresAt: sql`now() + make_interval(secs => ${leaseSeconds})` })
        .onConflictDoNothing({ target: [payments.userId, payments.idempotencyKey] })
        .returning();
      return row;
    },

    async findByKey(userId: string, idempotencyKey: string): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.userId, userId), eq(payments.idempotencyKey, idempotencyKey)))
        .limit(1);
      return row;
    },

    async findById(id: string): Promise<PaymentRecord | undefined> {
      const [row] = await db.select().from(payments).where(eq(payments.id, id)).limit(1);
      return row;
    },

    async findByIntentId(organisationId: string, intentId: string): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.organisationId, organisationId), eq(payments.stripePaymentIntentId, intentId)))
        .limit(1);
      return row;
    },

    async findAnyByIntentId(intentId: string): Promise<PaymentRecord | undefined> {
      const [row] = await db.select().from(payments).where(eq(payments.stripePaymentIntentId, intentId)).limit(1);
      return row;
    },

    /** Takes over a 'creating' row whose lease lapsed (its creator crashed or gave up). */
    async claimLapsed(id: string, leaseSeconds: number): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .update(payments)
        .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${leaseSeconds})` })
        .where(and(eq(payments.id, id), isNull(payments.stripePaymentIntentId), lt(payments.leaseExpiresAt, sql`now()`)))
        .returning();
      return row;
    },

    /** Lets the next retry take over at once instead of waiting for the lease to lapse. */
    async releaseLease(id: string): Promise<void> {
      await db
        .update(payments)
        .set({ leaseExpiresAt: sql`now() - interval '1 millisecond'` })
        .where(and(eq(payments.id, id), isNull(payments.stripePaymentIntentId)));
    },

    /** Nothing was created at Stripe and nothing will be: the key becomes free again. */
    async deleteCreating(id: string): Promise<void> {
      await db.delete(payments).where(and(eq(payments.id, id), isNull(payments.stripePaymentIntentId)));
    },

    /** Completes a 'creating' row; whoever completes first wins and every caller gets that row. */
    async complete(
      id: string,
      values: { stripePaymentIntentId: string; stripeCustomerId: string; createResponse: string; observedAt: Date } & IntentState,
    ): Promise<PaymentRecord> {
      const { observedAt, ...rest } = values;
      const [row] = await db
        .update(payments)
        .set({ ...rest, leaseExpiresAt: null, stripeSyncedAt: observedAt, updatedAt: new Date() })
        .where(and(eq(payments.id, id), isNull(payments.stripePaymentIntentId)))
        .returning();
      return row ?? (await this.findById(id))!;
    },

    /**
     * Applies Stripe's state as read at observedAt, unless a later read is already stored.
     * A final status (succeeded, canceled) is never left.
     */
    async applyState(intentId: string, state: IntentState, observedAt: Date): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .update(payments)
        .set({ ...state, stripeSyncedAt: observedAt, updatedAt: new Date() })
        .where(
          and(
            eq(payments.stripePaymentIntentId, intentId),
            or(isNull(payments.stripeSyncedAt), lt(payments.stripeSyncedAt, observedAt)),
            or(notInArray(payments.status, [...FINAL_STATUSES]), eq(payments.status, state.status)),
          ),
        )
        .returning();
      return row;
    },

    /** Refunds only grow, so a late event carrying a smaller total changes nothing. */
    async applyRefunded(intentId: string, amountRefunded: number): Promise<void> {
      await db
        .update(payments)
        .set({ amountRefunded: sql`greatest(${payments.amountRefunded}, ${amountRefunded})`, updatedAt: new Date() })
        .where(eq(payments.stripePaymentIntentId, intentId));
    },

    async list(filter: { organisationId: string; userId?: string | undefined }, page: { limit: number; startingAfter?: string | undefined }) {
      const conditions = [eq(payments.organisationId, filter.organisationId), isNotNull(payments.stripePaymentIntentId)];
      if (filter.userId) conditions.push(eq(payments.userId, filter.userId));
      if (page.startingAfter) {
        const anchor = await db.select({ id: payments.id }).from(payments).where(eq(payments.stripePaymentIntentId, page.startingAfter)).limit(1);
        conditions.push(gt(payments.id, anchor[0]?.id ?? page.startingAfter));
      }
      return db
        .select()
        .from(payments)
        .where(and(...conditions))
        .orderBy(asc(payments.id))
        .limit(page.limit);
    },

    /** A page of what reconciliation must look at, in id order after `afterId`: crashed creations or unsettled intents. */
    async findUnsettled(kind: 'creations' | 'intents', limit: number, afterId?: string): Promise<PaymentRecord[]> {
      const unsettled =
        kind === 'creations'
          ? and(isNull(payments.stripePaymentIntentId), lt(payments.leaseExpiresAt, sql`now()`))
          : and(isNotNull(payments.stripePaymentIntentId), notInArray(payments.status, [...FINAL_STATUSES]));
      return db
        .select()
        .from(payments)
        .where(afterId ? and(unsettled, gt(payments.id, afterId)) : unsettled)
        .orderBy(asc(payments.id))
        .limit(limit);
    },

    /** Remembers the body first sent with an idempotency key; answers the hash stored for it. */
    async rememberKey(userId: string, scope: string, key: string, requestHash: string): Promise<string> {
      await db.insert(idempotencyKeys).values({ userId, scope, key, requestHash }).onConflictDoNothing();
      const [row] = await db
        .select({ requestHash: idempotencyKeys.requestHash })
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
        .limit(1);
      return row!.requestHash;
    },
  };
}

export type PaymentRepository = ReturnType<typeof createPaymentRepository>;
