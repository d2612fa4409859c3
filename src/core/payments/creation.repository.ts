import { getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { paymentOperations, payments } from '../../db/schema.js';
import type { NewOperation, OperationRecord } from './operation.repository.js';
import type { NewPayment, PaymentRecord } from './payment.repository.js';

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
    if (!(name in given)) throw new Error(`creation-start: payment_operations.${name} is not given`);
    ordered[name] = given[name as keyof OperationRecord];
  }
  return ordered;
}

/**
 * Starts a creation: the payment row (in 'creating') and its 'create' operation, held by the
 * caller's lease, in one prepared statement. One statement is atomic on its own, so neither row
 * ever exists without the other, without the three round trips of an explicit transaction.
 */
export function createCreationStart(db: Database) {
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
  };
}

export type CreationStart = ReturnType<typeof createCreationStart>;
