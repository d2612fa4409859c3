import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { PgTransaction, type PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.js';
import { paymentOperations, payments, refunds } from '../../db/schema.js';
import type { PaymentDispute } from './payment-dispute.js';
import { announcePaymentChange } from '../events/payment-events.js';
import type { ProviderPaymentIntent, ProviderRefund } from './payment-gateway.js';
import { createRefundRepository, type RefundChanges } from './refund.repository.js';

export type PaymentRecord = typeof payments.$inferSelect;
export type NewPayment = Pick<
  PaymentRecord,
  'id' | 'organisationId' | 'userId' | 'idempotencyKey' | 'requestHash' | 'amount' | 'currency' | 'description'
> &
  // The customer the creation charges, fixed before the first Stripe call.
  Partial<Pick<PaymentRecord, 'stripeCustomerId' | 'captureMethod'>>;

export interface IntentState {
  /** Stripe's, which may differ from what the creation asked for (the intent was updated at Stripe since). */
  amount: number;
  currency: string;
  status: string;
  paymentMethodId: string | null;
  lastErrorCode: string | null;
  nextActionUrl: string | null;
  amountReceived: number;
}

/** What of an intent a payment stores. */
export function intentStateOf(intent: ProviderPaymentIntent): IntentState {
  return { amount: intent.amount, currency: intent.currency, status: intent.status, paymentMethodId: intent.paymentMethodId, lastErrorCode: intent.lastErrorCode, nextActionUrl: intent.nextActionUrl, amountReceived: intent.amountReceived };
}

/** What a Stripe event about an intent is compared with on receipt (see bringsNoNews). */
export interface EventTarget {
  status: string;
  stripePaymentIntentId: string | null;
  paymentMethodId: string | null;
  /** Its creation is still held by a live request, which will store Stripe's answer. */
  creationHeld: boolean;
}

export const FINAL_STATUSES = ['succeeded', 'canceled'] as const;
export const CREATING = 'creating';
/** Reconciliation's backoff: the first check after a change comes in seconds, later ones hours apart. */
export const FIRST_CHECK_SECONDS = 5;
export const MAX_CHECK_INTERVAL_SECONDS = 6 * 3600;

export const isFinal = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);
const inSeconds = (seconds: number | SQL) => sql`now() + make_interval(secs => ${seconds})`;

// A plain boolean, not a type guard: the handle stays a Database either way.
const isTransaction = (db: Database): boolean => db instanceof PgTransaction;

export function createPaymentRepository(db: Database) {
  const inTransaction = isTransaction(db);
  // Every intent event runs this on receipt: prepared once (lazily: repositories made per transaction never use it).
  let eventTarget: ReturnType<typeof prepareEventTarget> | undefined;
  function prepareEventTarget() {
    // Qualified by hand: a column in a single-table query renders unqualified, and "id" would name the operation's own.
    const held = sql<boolean>`exists (select 1 from ${paymentOperations} where ${paymentOperations.paymentId} = ${sql.identifier('payments')}.${sql.identifier('id')}
      and ${paymentOperations.kind} = 'create' and ${paymentOperations.state} = 'pending' and ${paymentOperations.leaseExpiresAt} > now())`;
    return db
      .select({ status: payments.status, stripePaymentIntentId: payments.stripePaymentIntentId, paymentMethodId: payments.paymentMethodId, creationHeld: held.mapWith(Boolean) })
      .from(payments)
      .where(eq(payments.id, sql.placeholder('id')))
      .limit(1)
      .prepare('paybridge_payment_event_target');
  }
  /**
   * The one way a payment's Stripe state (status, failure, refunds, dispute) is written: the
   * row is locked, changed, and the change announced to webhook endpoints (the outbox) in the
   * same transaction. Answers the row if the write applied.
   */
  function changeState(where: SQL | undefined, changes: PgUpdateSetSource<typeof payments>, refundChanges?: RefundChanges): Promise<PaymentRecord | undefined> {
    // Inside a caller's transaction (an operation storing its answer) the write is already atomic with
    // it: a savepoint would only cost two more round trips.
    const atomically = <T>(fn: (tx: Database) => Promise<T>) => (inTransaction ? fn(db) : db.transaction(fn));
    return atomically(async (tx) => {
      const [before] = await tx.select().from(payments).where(where).limit(1).for('update');
      if (!before) return undefined;
      const [after] = await tx.update(payments).set({ ...changes, updatedAt: new Date() }).where(eq(payments.id, before.id)).returning();
      await announcePaymentChange(tx, before, after!, refundChanges);
      return after;
    });
  }

  /**
   * The one place a payment's status is written (creation, Stripe's state, abandonment). A
   * changed status resets the reconciliation backoff; a final one ends it.
   */
  function recordStatus(where: SQL | undefined, state: IntentState & Partial<Pick<PaymentRecord, 'stripePaymentIntentId' | 'stripeCustomerId'>>, observedAt: Date) {
    const changed = sql`${payments.status} is distinct from ${state.status}`;
    return changeState(where, {
      ...state,
      stripeSyncedAt: observedAt,
      checks: sql`case when ${changed} then 0 else ${payments.checks} end`,
      // Reaching a final status ends the checks; re-reading one leaves a check of its refunds in place.
      nextCheckAt: isFinal(state.status)
        ? sql`case when ${changed} then null else ${payments.nextCheckAt} end`
        : sql`case when ${changed} then ${inSeconds(FIRST_CHECK_SECONDS)} else ${payments.nextCheckAt} end`,
    });
  }

  return {
    /** Inserts the row in 'creating', or answers undefined when the user's key is already used. */
    async insertCreating(values: NewPayment, firstCheckSeconds: number): Promise<PaymentRecord | undefined> {
      const [row] = await db
        .insert(payments)
        .values({ ...values, status: CREATING, nextCheckAt: inSeconds(firstCheckSeconds) })
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

    async findEventTarget(paymentId: string): Promise<EventTarget | undefined> {
      eventTarget ??= prepareEventTarget();
      const [row] = await eventTarget.execute({ id: paymentId });
      return row;
    },

    async findAnyByIntentId(intentId: string): Promise<PaymentRecord | undefined> {
      const [row] = await db.select().from(payments).where(eq(payments.stripePaymentIntentId, intentId)).limit(1);
      return row;
    },

    /** The database's clock: the one clock every instance shares, for ordering reads of Stripe. */
    async now(): Promise<Date> {
      // Both drivers (PGlite, node-postgres) answer raw queries as { rows }.
      const result = (await db.execute(sql`select clock_timestamp() as now`)) as unknown as { rows: Array<{ now: string | Date }> };
      return new Date(result.rows[0]!.now);
    },

    /** Nothing was created at Stripe and nothing will be: the key becomes free again. */
    async deleteCreating(id: string): Promise<void> {
      await db.delete(payments).where(and(eq(payments.id, id), isNull(payments.stripePaymentIntentId)));
    },

    /** Completes a 'creating' row with its intent. */
    /**
     * Applies Stripe's state as read at observedAt, unless a later read is already stored.
     * A final status (succeeded, canceled) is never left.
     */
    async applyState(intentId: string, state: IntentState, observedAt: Date): Promise<PaymentRecord | undefined> {
      return recordStatus(
        and(
          eq(payments.stripePaymentIntentId, intentId),
          or(isNull(payments.stripeSyncedAt), lt(payments.stripeSyncedAt, observedAt)),
          or(sql`${payments.status} not in ('succeeded', 'canceled')`, eq(payments.status, state.status)),
        ),
        state,
        observedAt,
      );
    },

    /**
     * Stores refunds as Stripe showed them at observedAt, then the refunded total they make
     * (re-read, not summed from events: a failed or reversed refund lowers it again). The payment
     * is locked first: a refund's foreign key would share-lock it, and two writers upgrading that
     * lock to announce the change would deadlock.
     */
    storeRefunds(paymentId: string, seen: ProviderRefund[], observedAt: Date): Promise<PaymentRecord | undefined> {
      return db.transaction(async (tx) => {
        const [locked] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.id, paymentId)).limit(1).for('update');
        if (!locked) return undefined;
        const changes = await createRefundRepository(tx).upsert(paymentId, seen, observedAt);
        return createPaymentRepository(tx).recountRefunded(paymentId, changes);
      });
    },

    /** A refund was made: reconciliation re-reads the payment's refunds soon (a failure's event may be lost). */
    async checkRefundsSoon(paymentId: string): Promise<void> {
      await db.update(payments).set({ checks: 0, nextCheckAt: inSeconds(FIRST_CHECK_SECONDS) }).where(eq(payments.id, paymentId));
    },

    /** An intent's refunds, as Stripe listed them at observedAt (see storeRefunds). */
    async applyRefunds(intentId: string, seen: ProviderRefund[], observedAt: Date): Promise<PaymentRecord | undefined> {
      const [payment] = await db.select({ id: payments.id }).from(payments).where(eq(payments.stripePaymentIntentId, intentId)).limit(1);
      return payment ? this.storeRefunds(payment.id, seen, observedAt) : undefined;
    },

    /** Sets the refunded total from the stored refunds, announcing what the refunds' write changed. */
    recountRefunded(paymentId: string, changes: RefundChanges): Promise<PaymentRecord | undefined> {
      return changeState(eq(payments.id, paymentId), { amountRefunded: createRefundRepository(db).refundedTotal(paymentId) }, changes);
    },

    /** Records a dispute as read from Stripe at observedAt, unless a read that started later was already recorded. */
    async applyDispute(intentId: string, dispute: PaymentDispute, observedAt: Date): Promise<boolean> {
      const row = await changeState(
        and(eq(payments.stripePaymentIntentId, intentId), or(isNull(payments.disputeEventAt), lte(payments.disputeEventAt, observedAt))),
        { dispute, disputeEventAt: observedAt },
      );
      return row !== undefined;
    },

    /**
     * A page of the filter's payments, in creation order. The page continues after `startingAfter`
     * (a PaymentIntent id) only if that payment is in the same list: undefined otherwise, so a
     * cursor naming someone else's payment says nothing about it.
     */
    async list(filter: { organisationId: string; userId?: string | undefined }, page: { limit: number; startingAfter?: string | undefined }): Promise<PaymentRecord[] | undefined> {
      const conditions = [eq(payments.organisationId, filter.organisationId), isNotNull(payments.stripePaymentIntentId)];
      if (filter.userId) conditions.push(eq(payments.userId, filter.userId));
      if (page.startingAfter) {
        const [anchor] = await db.select({ id: payments.id }).from(payments).where(and(...conditions, eq(payments.stripePaymentIntentId, page.startingAfter))).limit(1);
        if (!anchor) return undefined;
        conditions.push(gt(payments.id, anchor.id));
      }
      return db
        .select()
        .from(payments)
        .where(and(...conditions))
        .orderBy(asc(payments.id))
        .limit(page.limit);
    },

    /**
     * What reconciliation must look at (of one organisation, if given): due by `asOf`, soonest
     * first. An index range, never the whole table.
     */
    async findDue(limit: number, asOf: Date, organisationId?: string): Promise<PaymentRecord[]> {
      const due = lte(payments.nextCheckAt, asOf);
      return db
        .select()
        .from(payments)
        .where(organisationId === undefined ? due : and(due, eq(payments.organisationId, organisationId)))
        .orderBy(asc(payments.nextCheckAt))
        .limit(limit);
    },

    /** A user's payments that are not settled yet (due now or later), in id order after `afterId`: a page of at most `limit`. */
    async findUnsettledOfUser(organisationId: string, userId: string, limit: number, afterId = ''): Promise<PaymentRecord[]> {
      return db
        .select()
        .from(payments)
        .where(and(eq(payments.organisationId, organisationId), eq(payments.userId, userId), isNotNull(payments.nextCheckAt), gt(payments.id, afterId)))
        .orderBy(asc(payments.id))
        .limit(limit);
    },

    /**
     * Pushes the next check of payments that are still due out, doubling the wait each time
     * (a payment whose status just changed was already rescheduled by that write).
     */
    async deferChecks(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      // A payment that succeeded is settled once none of its refunds is still on its way.
      const pending = sql`exists (select 1 from ${refunds} where ${refunds.paymentId} = ${payments.id} and ${refunds.status} in ('pending', 'requires_action'))`;
      const settled = sql`${payments.status} = 'canceled' or (${payments.status} = 'succeeded' and not ${pending})`;
      const wait = sql`least(${FIRST_CHECK_SECONDS} * power(2, least(${payments.checks}, 20)), ${MAX_CHECK_INTERVAL_SECONDS})::double precision`;
      await db
        .update(payments)
        .set({ checks: sql`${payments.checks} + 1`, nextCheckAt: sql`case when ${settled} then null else ${inSeconds(wait)} end` })
        .where(and(inArray(payments.id, ids), lte(payments.nextCheckAt, sql`now()`)));
    },

    /** Gives up on a creation nothing came of: the row and its operation go, and the client's key is free again. */
    async forgetCreation(id: string): Promise<void> {
      await db.delete(payments).where(and(eq(payments.id, id), eq(payments.status, CREATING), isNull(payments.stripePaymentIntentId)));
    },

    /** How many payments reconciliation has yet to settle (the backlog a metric shows): half-done creations, or intents not yet final. */
    async countUnsettled(kind: 'creations' | 'intents'): Promise<number> {
      const unsettled = kind === 'creations' ? eq(payments.status, CREATING) : and(isNotNull(payments.stripePaymentIntentId), isNotNull(payments.nextCheckAt));
      const [row] = await db.select({ count: count() }).from(payments).where(unsettled);
      return row?.count ?? 0;
    },
  };
}

export type PaymentRepository = ReturnType<typeof createPaymentRepository>;
