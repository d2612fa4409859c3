import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type Stripe from 'stripe';
import { createStripeGateway } from '../../src/adapters/stripe/gateway.js';
import type { AppError } from '../../src/core/errors.js';
import { newId } from '../../src/core/ids.js';
import { createOperationRepository } from '../../src/core/payments/operation.repository.js';
import { createPaymentRepository } from '../../src/core/payments/payment.repository.js';
import { eventually } from '../helpers/emulator.js';
import { stripeEvent } from '../helpers/stripe-events.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// Deliveries are made by the test, signed with this secret, so each case controls what arrives when.
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const t = useTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET } }, async () => {
  t.logs.secret(SECRET);
});

function deliver(event: unknown, options: { secret?: string; timestamp?: number; signature?: string } = {}) {
  const payload = JSON.stringify(event);
  const header =
    options.signature ??
    t.stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) });
  return t.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
}

async function newPayment(user: TestUser): Promise<string> {
  const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
  return response.json().id as string;
}

const statusOf = async (user: TestUser, id: string) => (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) })).json().status as string;

/** Events are acknowledged at once and applied by the worker a moment later. */
const statusBecomes = (user: TestUser, id: string, status: string) =>
  eventually(async () => ((await statusOf(user, id)) === status ? status : undefined), `payment ${id} to become ${status}`);

async function eventsFor(intentId: string): Promise<Stripe.Event[]> {
  const events = await t.stripe.events.list({ limit: 100 });
  return events.data.filter((e) => (e.data.object as { id?: string }).id === intentId).reverse();
}

describe('POST /webhooks/stripe', () => {
  test('a payment confirmed outside paybridge is reflected once its event arrives', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    assert.equal(await statusOf(user, id), 'requires_payment_method', 'no event delivered yet');
    const succeeded = (await eventsFor(id)).find((e) => e.type === 'payment_intent.succeeded');
    assert.ok(succeeded);
    const response = await deliver(succeeded);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { received: true, duplicate: false });
    await statusBecomes(user, id, 'succeeded');
  });

  test('the same event twice is applied once', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    const succeeded = (await eventsFor(id)).find((e) => e.type === 'payment_intent.succeeded')!;
    assert.equal((await deliver(succeeded)).json().duplicate, false);
    await statusBecomes(user, id, 'succeeded');
    // An event queued once (a charge's always is: its refunds are re-read) is recognised when it comes again.
    const charged = (await t.stripe.events.list({ limit: 100 })).data.find((e) => e.type === 'charge.succeeded' && (e.data.object as { payment_intent?: string }).payment_intent === id)!;
    assert.equal((await deliver(charged)).json().duplicate, false);
    assert.equal((await deliver(charged)).json().duplicate, true);
    assert.equal(await statusOf(user, id), 'succeeded');
  });

  test("Stripe's payment_intent.created of a creation stored here is no news, however late it comes (nothing is queued)", async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    const events = await eventsFor(id);
    assert.equal((await deliver(events.find((e) => e.type === 'payment_intent.succeeded')!)).json().duplicate, false);
    await statusBecomes(user, id, 'succeeded');
    const created = events.find((e) => e.type === 'payment_intent.created')!;
    assert.deepEqual((await deliver(created)).json(), { received: true, duplicate: false });
    const { sql } = await import('drizzle-orm');
    const stored = await t.database.db.execute(sql`select id from stripe_events where id = ${created.id}`);
    assert.equal((stored as unknown as { rows: unknown[] }).rows.length, 0);
    assert.equal(await statusOf(user, id), 'succeeded', 'the old event rolls nothing back');
  });

  test('an event that brings no news is acknowledged without a write', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    const created = (await eventsFor(id)).find((e) => e.type === 'payment_intent.created')!;
    const response = await deliver(created);
    assert.deepEqual(response.json(), { received: true, duplicate: false });
    const { sql } = await import('drizzle-orm');
    const stored = await t.database.db.execute(sql`select id from stripe_events where id = ${created.id}`);
    assert.equal((stored as unknown as { rows: unknown[] }).rows.length, 0);
  });

  test('payment_intent.created arriving before its creation is stored is not queued while the creation is held, and is once the lease lapsed', async () => {
    const user = await registerUser(t);
    await newPayment(user); // the user's Stripe customer
    const { sql } = await import('drizzle-orm');
    const db = t.database.db;
    const [profile] = ((await db.execute(sql`select stripe_customer_id as customer from payment_profiles where user_id = ${user.id}`)) as unknown as { rows: Array<{ customer: string }> }).rows;
    // The rows a holder in another process left while Stripe's answer was on its way back, and the intent it made.
    const paymentId = newId();
    await createPaymentRepository(db).insertCreating(
      { id: paymentId, organisationId: t.organisationId, userId: user.id, idempotencyKey: randomUUID(), requestHash: 'h', amount: 2000, currency: 'usd', description: null, stripeCustomerId: profile!.customer },
      3600,
    );
    const operationId = newId();
    await createOperationRepository(db).insert({ id: operationId, paymentId, kind: 'create', attemptKey: 'create', requestHash: 'h', stripeIdempotencyKey: `paybridge-test-${operationId}` }, 'holder', 60);
    const intent = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: profile!.customer, metadata: { paybridge_payment_id: paymentId, paybridge_user_id: user.id } });
    const created = (await eventsFor(intent.id)).find((e) => e.type === 'payment_intent.created')!;
    const stored = async () => ((await db.execute(sql`select id from stripe_events where id = ${created.id}`)) as unknown as { rows: unknown[] }).rows.length;
    assert.deepEqual((await deliver(created)).json(), { received: true, duplicate: false });
    assert.equal(await stored(), 0, 'the live holder stores the same answer');
    // The holder died: the event is queued, so the creation is finished from it.
    await db.execute(sql`update payment_operations set lease_expires_at = now() - interval '1 second' where id = ${operationId}`);
    assert.deepEqual((await deliver(created)).json(), { received: true, duplicate: false });
    assert.equal(await stored(), 1);
  });

  test('an older event arriving after a newer one does not roll the state back', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    const events = await eventsFor(id);
    const newest = events.find((e) => e.type === 'payment_intent.succeeded')!;
    const oldest = events.find((e) => e.type === 'payment_intent.created')!;
    await deliver(newest);
    await statusBecomes(user, id, 'succeeded');
    await deliver(oldest);
    await t.ctx.services.eventWorker.drain();
    assert.equal(await statusOf(user, id), 'succeeded');
  });

  test('a bad signature, another secret, a missing header and a stale timestamp are 400s', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    const event = (await eventsFor(id))[0]!;
    const cases = [
      await deliver(event, { signature: 't=1,v1=deadbeef' }),
      await deliver(event, { secret: 'whsec_someone_else' }),
      await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      await t.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(event) }),
    ];
    for (const response of cases) {
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'INVALID_SIGNATURE');
    }
  });

  test('with no webhook secret known yet, a delivery is a retryable 503 (our fault), not a 400 blaming the sender', () => {
    const gateway = createStripeGateway({ client: t.stripe, secretKey: 'sk_test_x', webhookSecret: () => undefined });
    const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.created', created: 1, data: { object: { id: 'pi_1', object: 'payment_intent' } } });
    const header = t.stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    assert.throws(() => gateway.parseWebhookEvent(Buffer.from(payload), header), (error: AppError) => error.statusCode === 503 && error.headers?.['retry-after'] === '5');
  });

  test('an event of a type paybridge does not use is acknowledged', async () => {
    const event = stripeEvent('invoice.paid', { id: 'in_123', object: 'invoice' });
    const response = await deliver(event);
    assert.equal(response.statusCode, 200);
  });

  test('a body that is not what was signed is refused', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    const event = (await eventsFor(id))[0]!;
    const header = t.stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: SECRET });
    const response = await t.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload: JSON.stringify({ ...event, type: 'forged' }) });
    assert.equal(response.statusCode, 400);
  });
});

describe('refunds made at Stripe', () => {
  test('a charge.refunded event shows the refunded amount on the payment', async () => {
    const user = await registerUser(t);
    const id = await newPayment(user);
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    await t.stripe.refunds.create({ payment_intent: id, amount: 500 });
    const events = await t.stripe.events.list({ limit: 100, type: 'charge.refunded' });
    const refunded = events.data.find((e) => (e.data.object as { payment_intent?: string }).payment_intent === id);
    assert.ok(refunded, 'the emulator emitted charge.refunded');
    assert.equal((await deliver(refunded)).statusCode, 200);
    const payment = await eventually(async () => {
      const current = (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) })).json();
      return current.amountRefunded === 500 ? current : undefined;
    }, 'the refund to show');
    assert.equal(payment.status, 'succeeded');
  });
});

describe('intents paybridge did not create', () => {
  test('their events are acknowledged without a call to Stripe or a write', async () => {
    const foreign = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await t.stripe.paymentIntents.confirm(foreign.id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    const event = (await eventsFor(foreign.id)).find((e) => e.type === 'payment_intent.succeeded')!;
    const response = await deliver(event);
    assert.deepEqual(response.json(), { received: true, duplicate: false });
    const { sql } = await import('drizzle-orm');
    const stored = await t.database.db.execute(sql`select id from stripe_events where id = ${event.id}`);
    assert.equal((stored as unknown as { rows: unknown[] }).rows.length, 0);
  });
});
