import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createPaymentRepository } from '../../src/core/payments/payment.repository.js';
import { createOperationRepository } from '../../src/core/payments/operation.repository.js';
import { newId } from '../../src/core/ids.js';
import { clearFaults, injectFault, paymentIntentsOf } from '../helpers/emulator.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// No webhook endpoint is registered (a secret is configured instead), so nothing but the
// reconciler or a client's retry can bring a payment up to date here.
const t = useTestApp({ env: { STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replace(/-/g, '')}` } });

const createPayment = (user: TestUser, cuid: string) => t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid } });

async function customerOf(user: TestUser): Promise<string> {
  const me = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
  return me.json().customerId as string;
}

async function userWithCustomer(): Promise<TestUser> {
  const user = await registerUser(t);
  assert.equal((await createPayment(user, randomUUID())).statusCode, 201);
  return user;
}

describe('Stripe failing during POST /payment', () => {
  for (const kind of ['http500', 'drop'] as const) {
    test(`${kind} on every attempt (after Stripe executed): 503, then the retry finds the one PaymentIntent`, async () => {
      const user = await userWithCustomer();
      const cuid = randomUUID();
      // The SDK tries three times (two retries); all three answers are lost.
      await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind, count: 3, executeBeforeFault: true });
      const failed = await createPayment(user, cuid);
      assert.equal(failed.statusCode, 503, failed.body);
      assert.equal(failed.json().code, 'PROVIDER_UNAVAILABLE');
      await clearFaults(t.stripeUrl);
      const retried = await createPayment(user, cuid);
      assert.equal(retried.statusCode, 201, retried.body);
      assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 2, 'the first payment and this one, once');
    });
  }

  test("the user's Stripe customer changed between the failed attempt and the retry: the retry finishes on the first customer, no 500", async () => {
    const user = await userWithCustomer();
    const first = await customerOf(user);
    const cuid = randomUUID();
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'http500', count: 3, executeBeforeFault: true });
    assert.equal((await createPayment(user, cuid)).statusCode, 503);
    await clearFaults(t.stripeUrl);
    // An administrator binds the user to another customer before the client retries.
    const second = (await t.stripe.customers.create({ email: user.email, metadata: { paybridge_organisation_id: t.organisationId } })).id;
    const bound = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(t.apiKey), payload: { customerId: second } });
    assert.equal(bound.statusCode, 200, bound.body);

    const retried = await createPayment(user, cuid);
    assert.equal(retried.statusCode, 201, retried.body);
    const intent = await t.stripe.paymentIntents.retrieve(retried.json().id as string);
    assert.equal(intent.customer, first, 'the payment is the one Stripe made on the first attempt');
    assert.deepEqual(await paymentIntentsOf(t.stripe, second), [], 'no second PaymentIntent on the new customer');
    assert.equal((await createPayment(user, cuid)).body, retried.body, 'and every later retry gets the same answer');
    // The next payment is the new customer's.
    const next = await createPayment(user, randomUUID());
    assert.equal((await t.stripe.paymentIntents.retrieve(next.json().id as string)).customer, second);
  });

  test('a transient 500 is retried by the SDK with the same key: one PaymentIntent, no error', async () => {
    const user = await userWithCustomer();
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'http500', count: 1, executeBeforeFault: true });
    const response = await createPayment(user, randomUUID());
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 2);
  });
});

/** As if the payment's next check had come (reconciliation looks only at what is due). */
async function makeDue(intentId: string): Promise<void> {
  const { sql } = await import('drizzle-orm');
  await t.database.db.execute(sql`update payments set next_check_at = now() - interval '1 second' where stripe_payment_intent_id = ${intentId}`);
}

describe('reconciliation after a crash', () => {
  const repo = () => createPaymentRepository(t.database.db);

  /** A payment and its create operation as a crash leaves them: written, lease lapsed, Stripe's answer unknown. */
  async function crashedRow(user: TestUser, cuid: string) {
    const row = await repo().insertCreating(
      { id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: cuid, requestHash: 'crash', amount: 3100, currency: 'usd', description: null },
      -1, // due for reconciliation now
    );
    assert.ok(row);
    const operationId = newId();
    const operation = await createOperationRepository(t.database.db).insert(
      { id: operationId, paymentId: row.id, kind: 'create', attemptKey: 'create', requestHash: 'crash', stripeIdempotencyKey: `paybridge-create-${operationId}` },
      randomUUID(),
      -1, // the lease has already lapsed: its holder died
    );
    assert.ok(operation);
    return { ...row, stripeIdempotencyKey: operation.stripeIdempotencyKey };
  }

  test('a row written before the crash, with no Stripe call made: reconcile creates the intent once', async () => {
    const user = await userWithCustomer();
    const row = await crashedRow(user, randomUUID());
    const report = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    assert.equal(report.statusCode, 200);
    assert.ok(report.json().completed >= 1);
    const completed = await repo().findById(row.id);
    assert.match(completed!.stripePaymentIntentId!, /^pi_/);
    assert.equal(completed!.status, 'requires_payment_method');
    const again = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    assert.equal(again.statusCode, 200);
    assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 2);
  });

  test('Stripe made the intent but the crash lost the answer: reconcile adopts that same intent', async () => {
    const user = await userWithCustomer();
    const row = await crashedRow(user, randomUUID());
    const made = await t.stripe.paymentIntents.create(
      { amount: 3100, currency: 'usd', customer: await customerOf(user), metadata: { paybridge_payment_id: row.id } },
      { idempotencyKey: row.stripeIdempotencyKey },
    );
    assert.equal((await repo().findById(row.id))!.stripePaymentIntentId, null, 'still half-written before reconcile');
    await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    assert.equal((await repo().findById(row.id))!.stripePaymentIntentId, made.id);
    assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 2);
    const listed = await t.inject({ method: 'GET', url: '/payment', headers: bearer(user.token) });
    assert.ok(listed.json().some((p: { id: string }) => p.id === made.id));
  });

  test('a client retry after the crash gets the same payment the reconciler would', async () => {
    const user = await userWithCustomer();
    const cuid = randomUUID();
    const row = await crashedRow(user, cuid);
    // The crashed row recorded another body hash, so reuse the body it recorded: amount 3100.
    const { requestHash } = await import('../../src/core/payments/request-hash.js');
    await t.database.db.execute((await import('drizzle-orm')).sql`update payments set request_hash = ${requestHash({ amount: 3100, currency: 'usd', description: null })} where id = ${row.id}`);
    const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid, amount: 3100 } });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((await repo().findById(row.id))!.stripePaymentIntentId, response.json().id);
  });

  test('a customer deleted at Stripe mid-way: 503, and the retry makes a new customer', async () => {
    const user = await userWithCustomer();
    const first = await customerOf(user);
    await t.stripe.customers.del(first);
    const cuid = randomUUID();
    const failed = await createPayment(user, cuid);
    assert.equal(failed.statusCode, 503, failed.body);
    const retried = await createPayment(user, cuid);
    assert.equal(retried.statusCode, 201, retried.body);
    const second = await customerOf(user);
    assert.notEqual(second, first);
    assert.equal((await t.stripe.paymentIntents.retrieve(retried.json().id as string)).customer, second);
  });

  test('a plain user cannot trigger reconciliation', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(user.token) });
    assert.equal(response.statusCode, 403);
  });

  test('an unsettled payment is brought up to date from Stripe', async () => {
    const user = await registerUser(t);
    const created = await createPayment(user, randomUUID());
    const id = created.json().id as string;
    // Confirmed behind paybridge's back; no webhook arrives in this file.
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    const stale = await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) });
    assert.equal(stale.json().status, 'requires_payment_method', 'nothing else brought the change in');
    await makeDue(id);
    await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    const payment = await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) });
    assert.equal(payment.json().status, 'succeeded');
  });
});
