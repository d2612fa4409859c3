import { getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { paymentOperations, payments } from '../../db/schema.js';
import { paymentEventsFor } from '../events/payment-events.js';
import { eventEnvelope, objectIdOf, subscribedEndpoints } from '../events/outbox.js';
import type { NewOperation, OperationRecord, StoredAnswer } from './operation.repository.js';
import { FIRST_CHECK_SECONDS, isFinal, type IntentState, type NewPayment, type PaymentRecord } from './payment.repository.js';
import { toPaymentView } from './payment.views.js';

const p = sql.placeholder;
const leaseUntil = sql`now() + make_interval(secs => ${p('leaseSeconds')})`;

/**
 * The operation's row as an insert … select from the new payment, every column in the table's
 * order (what insert … select requires). A column added to the table must be named here: a
 * missing one throws when the statement is prepared, never inserts into the wrong column.
 */
function operationColumns(paymentId: unknown): Record<string, unknown> {
  // A selection takes SQL, not bare placeholders.
  const param = (name: string) => sql`${p(name)}`;
  const given: Record<keyof OperationRecord, unknown> = {
    id: param('operationId'),
    paymentId,
    kind: param('kind'),
    attemptKey: param('attemptKey'),
    requestHash: param('requestHash'),
    stripeIdempotencyKey: param('stripeIdempotencyKey'),
    state: sql`'pending'`,
    responseStatus: sql`null::integer`,
    responseBody: sql`null::text`,
    leaseToken: param('token'),
    leaseExpiresAt: leaseUntil,
    attempts: sql`1`,
    createdAt: sql`now()`,
    updatedAt: sql`now()`,
  };
  const ordered: Record<string, unknown> = {};
  for (const name of Object.keys(getTableColumns(paymentOperations))) {
    if (!(name in given)) throw new Error(`creation.repository: payment_operations.${name} is not given`);
    ordered[name] = given[name as keyof OperationRecord];
  }
  return ordered;
}

/** What Stripe answered a creation, as the payment row keeps it. */
export interface CreationOutcome extends IntentState {
  stripePaymentIntentId: string;
  stripeCustomerId: string;
  observedAt: Date;
}

/**
 * A creation's two writes, each one prepared statement. One statement is atomic on its own, so
 * neither needs the three extra round trips of an explicit transaction.
 * - start: the payment row (in 'creating') and its 'create' operation, held by the caller's lease;
 *   neither row ever exists without the other.
 * - complete: under that lease, the operation's stored answer, Stripe's state on the payment, and
 *   the payment's events in the outbox; all of it, or (the lease was lost) none of it.
 */
export function createCreationStatements(db: Database) {
  const payment = db.$with('new_payment').as(
    db
      .insert(payments)
      .values({
        id: p('paymentId'),
        organisationId: p('organisationId'),
        userId: p('userId'),
        idempotencyKey: p('idempotencyKey'),
        requestHash: p('requestHash'),
        amount: p('amount'),
        currency: p('currency'),
        description: p('description'),
        stripeCustomerId: p('stripeCustomerId'),
        captureMethod: p('captureMethod'),
        status: 'creating',
        nextCheckAt: leaseUntil,
      })
      .onConflictDoNothing({ target: [payments.userId, payments.idempotencyKey] })
      .returning(),
  );
  const operation = db.$with('new_operation').as(
    db
      .insert(paymentOperations)
      .select(db.select(operationColumns(payment.id) as never).from(payment))
      .returning(),
  );
  const paymentFields = Object.fromEntries(Object.keys(getTableColumns(payments)).map((name) => [name, payment[name as keyof PaymentRecord]]));
  const operationFields = Object.fromEntries(Object.keys(getTableColumns(paymentOperations)).map((name) => [name, operation[name as keyof OperationRecord]]));
  const start = db
    .with(payment, operation)
    .select({ payment: paymentFields, operation: operationFields } as never)
    .from(payment)
    .innerJoin(operation, sql`true`)
    .prepare('paybridge_start_creation');
  const complete = prepareCompletion(db);

  return {
    /** Both rows as inserted, or undefined when the user's key is already used. op.paymentId is values.id. */
    async start(values: NewPayment, op: NewOperation, token: string, leaseSeconds: number): Promise<{ payment: PaymentRecord; operation: OperationRecord } | undefined> {
      const [row] = (await start.execute({
        paymentId: values.id,
        organisationId: values.organisationId,
        userId: values.userId,
        idempotencyKey: values.idempotencyKey,
        requestHash: values.requestHash,
        amount: values.amount,
        currency: values.currency,
        description: values.description,
        stripeCustomerId: values.stripeCustomerId ?? null,
        captureMethod: values.captureMethod ?? 'automatic',
        operationId: op.id,
        kind: op.kind,
        attemptKey: op.attemptKey,
        stripeIdempotencyKey: op.stripeIdempotencyKey,
        token,
        leaseSeconds,
      })) as Array<{ payment: PaymentRecord; operation: OperationRecord }>;
      return row;
    },

    /**
     * Stores the creation's answer and outcome if `token` still holds its operation and its user
     * still exists: 'lease-lost' or 'user-deleted' otherwise (nothing is written then). The
     * payment's events are derived here, from the row as the creation started it: nothing else
     * writes a payment while its creation is held.
     */
    async complete(payment: PaymentRecord, operationId: string, token: string, answer: StoredAnswer, outcome: CreationOutcome): Promise<'stored' | 'lease-lost' | 'user-deleted'> {
      const { observedAt, ...state } = outcome;
      const updatedAt = new Date();
      const after: PaymentRecord = { ...payment, ...state, stripeSyncedAt: observedAt, updatedAt };
      const view = toPaymentView(after, []);
      const events = paymentEventsFor(payment, after).map((type) => ({ type, ...eventEnvelope(type, view) }));
      const rows = await complete.execute({
        operationId,
        token,
        responseStatus: answer.status,
        responseBody: answer.body,
        paymentId: payment.id,
        userId: payment.userId,
        ...state,
        observedAt,
        updatedAt,
        firstCheckSeconds: isFinal(state.status) ? null : FIRST_CHECK_SECONDS,
        organisationId: payment.organisationId,
        objectId: objectIdOf(view),
        events: JSON.stringify(events),
      });
      if (rows.length === 0) return 'user-deleted';
      return rows[0]!.finished === 1 ? 'stored' : 'lease-lost';
    },
  };
}

/**
 * complete's statement. Every part is a data-modifying CTE of the one statement (PostgreSQL runs
 * them all, on one snapshot); each later part proceeds only if the one before it returned a row.
 * The user's row is share-locked first: a deletion either waits for the payment to exist (and
 * reconciliation then cancels it if unpaid), or wins and no answer is stored for a deleted user.
 */
function prepareCompletion(db: Database) {
  const owner = db.$with('owner', { id: sql<string>`id` }).as(sql`
    select id from users where id = ${p('userId')} and deleted_at is null for share`);
  const finished = db.$with('finished', { id: sql<string>`id` }).as(sql`
    update ${paymentOperations} set state = 'done', response_status = ${p('responseStatus')}, response_body = ${p('responseBody')},
      lease_token = null, lease_expires_at = null, updated_at = now()
    where id = ${p('operationId')} and lease_token = ${p('token')} and lease_expires_at > now() and exists (select 1 from owner)
    returning id`);
  // The first reconciliation check comes soon; a final status has none (make_interval of null is null).
  const completed = db.$with('completed', { id: sql<string>`id` }).as(sql`
    update ${payments} set stripe_payment_intent_id = ${p('stripePaymentIntentId')}, stripe_customer_id = ${p('stripeCustomerId')},
      status = ${p('status')}, payment_method_id = ${p('paymentMethodId')}, last_error_code = ${p('lastErrorCode')},
      next_action_url = ${p('nextActionUrl')}, amount_received = ${p('amountReceived')}, stripe_synced_at = ${p('observedAt')},
      checks = 0, next_check_at = now() + make_interval(secs => ${p('firstCheckSeconds')}::integer), updated_at = ${p('updatedAt')}
    where id = ${p('paymentId')} and status = 'creating' and stripe_payment_intent_id is null and exists (select 1 from finished)
    returning id`);
  const announced = db.$with('announced', { id: sql<string>`id`, type: sql<string>`type` }).as(sql`
    insert into outbox_events (id, organisation_id, type, object_id, body)
    select e.id, ${p('organisationId')}, e.type, ${p('objectId')}, e.body
    from jsonb_to_recordset(${p('events')}::jsonb) as e(id text, type text, body text)
    where exists (select 1 from completed) and exists (${subscribedEndpoints(p('organisationId'), sql`e.type`)})
    returning id, type`);
  const delivered = db.$with('delivered', { id: sql<string>`id` }).as(sql`
    insert into webhook_deliveries (id, event_id, endpoint_id, object_id)
    select gen_random_uuid()::text, announced.id, endpoint.id, ${p('objectId')}
    from announced cross join lateral (${subscribedEndpoints(p('organisationId'), sql`announced.type`)}) as endpoint
    returning id`);
  // No row: the user is gone; a row with finished = 0: the lease was lost.
  return db
    .with(owner, finished, completed, announced, delivered)
    .select({ finished: sql<number>`(select count(*) from finished)::integer` })
    .from(owner)
    .prepare('paybridge_complete_creation');
}

export type CreationStatements = ReturnType<typeof createCreationStatements>;
