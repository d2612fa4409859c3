import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type Stripe from 'stripe';
import { eventually } from '../helpers/emulator.js';
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
    // An old event that differs from the stored state is applied (by re-reading Stripe) once, then recognised.
    const created = (await eventsFor(id)).find((e) => e.type === 'payment_intent.created')!;
    assert.equal((await deliver(created)).json().duplicate, false);
    assert.equal((await deliver(created)).json().duplicate, true);
    assert.equal(await statusOf(user, id), 'succeeded');
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
    const id = await newPayment(user);
    const created = (await eventsFor(id)).find((e) => e.type === 'payment_intent.created')!;
    const { sql } = await import('drizzle-orm');
    const db = t.database.db;
    // The row as its holder leaves it while Stripe's answer is on its way back.
    const [payment] = ((await db.execute(sql`update payments set stripe_payment_intent_id = null, status = 'creating' where stripe_payment_intent_id = ${id} returning id`)) as unknown as { rows: Array<{ id: string }> }).rows;
    await db.execute(sql`update payment_operations set state = 'pending', lease_token = 'holder', lease_expires_at = now() + interval '1 minute' where payment_id = ${payment!.id} and kind = 'create'`);
    const stored = async () => ((await db.execute(sql`select id from stripe_events where id = ${created.id}`)) as unknown as { rows: unknown[] }).rows.length;
    assert.deepEqual((await deliver(created)).json(), { received: true, duplicate: false });
    assert.equal(await stored(), 0, 'the live holder stores the same answer');
    // The holder died: the event is queued, so the creation is finished from it.
    await db.execute(sql`update payment_operations set lease_expires_at = now() - interval '1 second' where payment_id = ${payment!.id} and kind = 'create'`);
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

  test('an event of a type paybridge does not use is acknowledged', async () => {
    const event = { id: `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'invoice.paid', data: { object: { id: 'in_123', object: 'invoice' } } };
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
