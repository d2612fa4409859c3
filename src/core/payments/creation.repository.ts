import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { createBatcher } from '../../db/batching.js';
import { valuesInTableOrder } from '../../db/insert-select.js';
import { jsonRows, type JsonRow, type JsonRowFields } from '../../db/json-rows.js';
import type { Database } from '../../db/client.js';
import { paymentOperations, payments } from '../../db/schema.js';
import { paymentEventsFor } from '../events/payment-events.js';
import { eventEnvelope, objectIdOf, subscribedEndpoints } from '../events/outbox.js';
import type { NewOperation, OperationRecord, StoredAnswer } from './operation.repository.js';
import { FIRST_CHECK_SECONDS, isFinal, type IntentState, type NewPayment, type PaymentRecord } from './payment.repository.js';
import { toPaymentView } from './payment.views.js';

const p = sql.placeholder;

/** One creation's start, as the start statement reads it from its JSON rows. */
const START_FIELDS = {
  payment_id: 'text', organisation_id: 'text', user_id: 'text', idempotency_key: 'text', request_hash: 'text',
  amount: 'integer', currency: 'text', description: 'text?', stripe_customer_id: 'text?', capture_method: 'text',
  operation_id: 'text', kind: 'text', attempt_key: 'text', stripe_idempotency_key: 'text', token: 'text', lease_seconds: 'double precision',
} as const satisfies JsonRowFields;
type StartRow = JsonRow<typeof START_FIELDS>;

const START_INPUT = sql.raw(`start_input as i`);
const leaseUntil = sql`now() + make_interval(secs => i.lease_seconds)`;

/** Columns of `table` read from the start input's field of the same (column) name. */
function fromStartInput<T extends PgTable>(table: T, names: Array<keyof T['_']['columns'] & string>): Record<string, SQL> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  return Object.fromEntries(names.map((name) => [name, sql.raw(`i.${columns[name]!.name}`)]));
}

/** What Stripe answered a creation, as the payment row keeps it. */
export interface CreationOutcome extends IntentState {
  stripePaymentIntentId: string;
  stripeCustomerId: string;
  observedAt: Date;
}

/**
 * A creation's two writes, each one prepared statement that takes any number of creations: the
 * creations of concurrent requests go together (createBatcher), one round trip and one commit for
 * all. One statement is atomic on its own, so neither needs the extra round trips of an explicit
 * transaction, and each creation in it gets exactly what it would get alone.
 * - start: the payment row (in 'creating') and its 'create' operation, held by the caller's lease;
 *   neither row ever exists without the other.
 * - complete: under that lease, the operation's stored answer, Stripe's state on the payment, and
 *   the payment's events in the outbox; all of it, or (the lease was lost) none of it.
 */
export function createCreationStatements(db: Database) {
  const start = prepareStart(db);
  const complete = prepareCompletion(db);
  const startBatch = createBatcher(async (rows: StartRow[]) => {
    const started = new Map((await start.execute({ rows: JSON.stringify(rows) })).map((row) => [row.payment.id, row]));
    return rows.map((row) => started.get(row.payment_id));
  });
  const completeBatch = createBatcher(async (rows: CompleteRow[]) => {
    // A holder whose lease lapsed and the one that took over can complete in one batch: each is its (operation, token).
    const holding = (operationId: string, token: string) => `${operationId} ${token}`;
    const outcomes = new Map((await complete.execute({ rows: JSON.stringify(rows) })).map((row) => [holding(row.operationId, row.token), row]));
    return rows.map((row): CompletionResult => {
      const outcome = outcomes.get(holding(row.operation_id, row.token));
      if (!outcome?.owned) return 'user-deleted';
      return outcome.finished ? 'stored' : 'lease-lost';
    });
  });

  return {
    /** Both rows as inserted, or undefined when the user's key is already used. op.paymentId is values.id. */
    async start(values: NewPayment, op: NewOperation, token: string, leaseSeconds: number): Promise<{ payment: PaymentRecord; operation: OperationRecord } | undefined> {
      return startBatch({
        payment_id: values.id,
        organisation_id: values.organisationId,
        user_id: values.userId,
        idempotency_key: values.idempotencyKey,
        request_hash: values.requestHash,
        amount: values.amount,
        currency: values.currency,
        description: values.description,
        stripe_customer_id: values.stripeCustomerId ?? null,
        capture_method: values.captureMethod ?? 'automatic',
        operation_id: op.id,
        kind: op.kind,
        attempt_key: op.attemptKey,
        stripe_idempotency_key: op.stripeIdempotencyKey,
        token,
        lease_seconds: leaseSeconds,
      });
    },

    /**
     * Stores the creation's answer and outcome if `token` still holds its operation and its user
     * still exists: 'lease-lost' or 'user-deleted' otherwise (nothing is written then). The
     * payment's events are derived here, from the row as the creation started it: nothing else
     * writes a payment while its creation is held.
     */
    async complete(payment: PaymentRecord, operationId: string, token: string, answer: StoredAnswer, outcome: CreationOutcome): Promise<CompletionResult> {
      const { observedAt, ...state } = outcome;
      const updatedAt = new Date();
      const after: PaymentRecord = { ...payment, ...state, stripeSyncedAt: observedAt, updatedAt };
      const view = toPaymentView(after, []);
      return completeBatch({
        operation_id: operationId,
        token,
        response_status: answer.status,
        response_body: answer.body,
        payment_id: payment.id,
        user_id: payment.userId,
        stripe_payment_intent_id: state.stripePaymentIntentId,
        stripe_customer_id: state.stripeCustomerId,
        status: state.status,
        payment_method_id: state.paymentMethodId,
        last_error_code: state.lastErrorCode,
        next_action_url: state.nextActionUrl,
        amount_received: state.amountReceived,
        observed_at: observedAt.toISOString(),
        updated_at: updatedAt.toISOString(),
        // The first reconciliation check comes soon; a final status has none (make_interval of null is null).
        first_check_seconds: isFinal(state.status) ? null : FIRST_CHECK_SECONDS,
        organisation_id: payment.organisationId,
        object_id: objectIdOf(view),
        events: paymentEventsFor(payment, after).map((type) => ({ type, ...eventEnvelope(type, view) })),
      });
    },
  };
}

/**
 * start's statement, for any number of creations: each payment row (in 'creating') and its
 * 'create' operation, held by the caller's lease; neither row ever exists without the other. A
 * payment whose user already used the key is not inserted, and so neither is its operation.
 */
function prepareStart(db: Database) {
  const input = db.$with('start_input', { paymentId: sql<string>`payment_id` }).as(sql`
    select * from ${jsonRows(p('rows'), START_FIELDS, 'i')}`);
  const payment = db.$with('new_payment').as(
    db
      .insert(payments)
      .select(sql`select ${valuesInTableOrder(payments, {
        ...fromStartInput(payments, ['organisationId', 'userId', 'idempotencyKey', 'requestHash', 'amount', 'currency', 'description', 'stripeCustomerId', 'captureMethod']),
        id: sql`i.payment_id`,
        status: sql`'creating'`,
        nextCheckAt: leaseUntil,
      })} from ${START_INPUT}`)
      .onConflictDoNothing({ target: [payments.userId, payments.idempotencyKey] })
      .returning(),
  );
  const operation = db.$with('new_operation').as(
    db
      .insert(paymentOperations)
      .select(sql`select ${valuesInTableOrder(paymentOperations, {
        ...fromStartInput(paymentOperations, ['kind', 'attemptKey', 'requestHash', 'stripeIdempotencyKey']),
        id: sql`i.operation_id`,
        paymentId: sql`i.payment_id`,
        leaseToken: sql`i.token`,
        leaseExpiresAt: leaseUntil,
      })} from ${START_INPUT} where i.payment_id in (select id from new_payment)`)
      .returning(),
  );
  const paymentFields = Object.fromEntries(Object.keys(getTableColumns(payments)).map((name) => [name, payment[name as keyof PaymentRecord]]));
  const operationFields = Object.fromEntries(Object.keys(getTableColumns(paymentOperations)).map((name) => [name, operation[name as keyof OperationRecord]]));
  return db
    .with(input, payment, operation)
    .select({ payment: paymentFields, operation: operationFields } as never)
    .from(payment)
    .innerJoin(operation, eq(operation.paymentId, payment.id))
    .prepare('paybridge_start_creations') as unknown as { execute(values: { rows: string }): Promise<Array<{ payment: PaymentRecord; operation: OperationRecord }>> };
}

/** What complete found: stored, or nothing written because the lease was lost or the user is gone. */
export type CompletionResult = 'stored' | 'lease-lost' | 'user-deleted';

/** One creation's completion, as the completion statement reads it from its JSON rows. */
const COMPLETE_FIELDS = {
  operation_id: 'text', token: 'text', response_status: 'integer', response_body: 'text', payment_id: 'text', user_id: 'text',
  stripe_payment_intent_id: 'text', stripe_customer_id: 'text', status: 'text', payment_method_id: 'text?', last_error_code: 'text?',
  next_action_url: 'text?', amount_received: 'integer', observed_at: 'timestamptz', updated_at: 'timestamptz', first_check_seconds: 'integer?',
  organisation_id: 'text', object_id: 'text', events: 'jsonb',
} as const satisfies JsonRowFields;
type CompleteRow = JsonRow<typeof COMPLETE_FIELDS> & { events: Array<{ id: string; type: string; body: string }> };

/**
 * complete's statement, for any number of creations. Every part is a data-modifying CTE of the
 * one statement (PostgreSQL runs them all, on one snapshot); each later part proceeds, creation by
 * creation, only where the one before it wrote. The users' rows are share-locked first (in one
 * order, whoever runs it): a deletion either waits for the payment to exist (and reconciliation
 * then cancels it if unpaid), or wins and no answer is stored for a deleted user.
 */
function prepareCompletion(db: Database) {
  const input = db.$with('complete_input', { operationId: sql<string>`operation_id` }).as(sql`
    select * from ${jsonRows(p('rows'), COMPLETE_FIELDS, 'i')}`);
  const owner = db.$with('owner', { id: sql<string>`id` }).as(sql`
    select id from users where id in (select user_id from complete_input) and deleted_at is null order by id for share`);
  const finished = db.$with('finished', { id: sql<string>`id` }).as(sql`
    update ${paymentOperations} as o set state = 'done', response_status = i.response_status, response_body = i.response_body,
      lease_token = null, lease_expires_at = null, updated_at = now()
    from complete_input as i
    where o.id = i.operation_id and o.lease_token = i.token and o.lease_expires_at > now() and i.user_id in (select id from owner)
    returning o.id, i.token`);
  const completed = db.$with('completed', { operationId: sql<string>`operation_id` }).as(sql`
    update ${payments} as p set stripe_payment_intent_id = i.stripe_payment_intent_id, stripe_customer_id = i.stripe_customer_id,
      status = i.status, payment_method_id = i.payment_method_id, last_error_code = i.last_error_code,
      next_action_url = i.next_action_url, amount_received = i.amount_received, stripe_synced_at = i.observed_at,
      checks = 0, next_check_at = now() + make_interval(secs => i.first_check_seconds), updated_at = i.updated_at
    from complete_input as i
    where p.id = i.payment_id and p.status = 'creating' and p.stripe_payment_intent_id is null and (i.operation_id, i.token) in (select id, token from finished)
    returning i.operation_id, i.token`);
  const announced = db.$with('announced', { id: sql<string>`id` }).as(sql`
    insert into outbox_events (id, organisation_id, type, object_id, body)
    select e.id, i.organisation_id, e.type, i.object_id, e.body
    from complete_input as i cross join lateral jsonb_to_recordset(i.events) as e(id text, type text, body text)
    where (i.operation_id, i.token) in (select operation_id, token from completed) and exists (${subscribedEndpoints(sql`i.organisation_id`, sql`e.type`)})
    returning id, type, organisation_id, object_id`);
  const delivered = db.$with('delivered', { id: sql<string>`id` }).as(sql`
    insert into webhook_deliveries (id, event_id, endpoint_id, object_id)
    select gen_random_uuid()::text, a.id, endpoint.id, a.object_id
    from announced as a cross join lateral (${subscribedEndpoints(sql`a.organisation_id`, sql`a.type`)}) as endpoint
    returning id`);
  return db
    .with(input, owner, finished, completed, announced, delivered)
    .select({
      operationId: sql<string>`i.operation_id`,
      token: sql<string>`i.token`,
      owned: sql<boolean>`i.user_id in (select id from owner)`,
      finished: sql<boolean>`(i.operation_id, i.token) in (select id, token from finished)`,
    })
    .from(sql`complete_input as i`)
    .prepare('paybridge_complete_creations');
}

export type CreationStatements = ReturnType<typeof createCreationStatements>;
