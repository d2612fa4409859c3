import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { bearer, secondOrganisationKey, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

const t = useTestApp();

type Body = Record<string, unknown>;

/** A payment of `user`, confirmed with a test card: succeeded, or requires_capture when manual. */
async function paidPayment(user: TestUser, options: { amount?: number; captureMethod?: 'manual'; card?: string } = {}): Promise<string> {
  const cuid = randomUUID();
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid, amount: options.amount ?? 2000, ...(options.captureMethod ? { captureMethod: options.captureMethod } : {}) } });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json<{ id: string }>().id;
  const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid, paymentId: id, paymentMethodId: options.card ?? 'pm_card_visa' } });
  assert.equal(confirmed.statusCode, 201, confirmed.body);
  assert.equal(confirmed.json().status, options.captureMethod === 'manual' ? 'requires_capture' : 'succeeded');
  return id;
}

const refund = (id: string, payload: Body, credential = t.apiKey) => t.inject({ method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(credential), payload });
const capture = (id: string, payload: Body, credential = t.apiKey) => t.inject({ method: 'POST', url: `/payment/${id}/capture`, headers: bearer(credential), payload });
const cancel = (id: string, payload: Body, credential: string) => t.inject({ method: 'POST', url: `/payment/${id}/cancel`, headers: bearer(credential), payload });
const read = async (id: string) => (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(t.apiKey) })).json<Body & { refunds: Body[] }>();
const refundsAtStripe = async (id: string) => (await t.stripe.refunds.list({ payment_intent: id, limit: 100 })).data;

describe('refunds', () => {
  test('partial refunds add up to the amount; one more is refused and nothing more reaches Stripe', async () => {
    const id = await paidPayment(await registerUser(t));
    for (const amount of [500, 700, 800]) {
      const response = await refund(id, { cuid: randomUUID(), amount, reason: 'requested_by_customer' });
      assert.equal(response.statusCode, 201, response.body);
      assert.match(response.json().id, /^re_/);
      assert.equal(response.json().amount, amount);
    }
    const over = await refund(id, { cuid: randomUUID(), amount: 1 });
    assert.equal(over.statusCode, 400, over.body);
    assert.equal(over.json().details[0].path, '/amount');
    const payment = await read(id);
    assert.equal(payment.amountRefunded, 2000);
    assert.equal(payment.amountReceived, 2000);
    assert.deepEqual(payment.refunds.map((r) => r.amount), [500, 700, 800], 'in the order they were made, even within one second');
    assert.equal((await refundsAtStripe(id)).reduce((sum, r) => sum + r.amount, 0), 2000);
  });

  test('refunds made at Stripe within one second are listed in the order Stripe made them', async () => {
    const id = await paidPayment(await registerUser(t));
    const amounts = [101, 102, 103, 104, 105, 106];
    for (const amount of amounts) await t.stripe.refunds.create({ payment_intent: id, amount });
    // They reach paybridge by Stripe's events.
    const listed = await eventually(async () => {
      const response = await t.inject({ method: 'GET', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey) });
      return response.json<Body[]>().length === amounts.length ? response.json<Body[]>() : undefined;
    }, 'every refund to be recorded');
    assert.deepEqual(listed.map((r) => r.amount), amounts);
  });

  test('more than is left is a 400 on /amount; without an amount the rest is refunded', async () => {
    const id = await paidPayment(await registerUser(t));
    assert.equal((await refund(id, { cuid: randomUUID(), amount: 300 })).statusCode, 201);
    const tooMuch = await refund(id, { cuid: randomUUID(), amount: 1800 });
    assert.equal(tooMuch.statusCode, 400, tooMuch.body);
    assert.deepEqual(tooMuch.json().details, [{ path: '/amount', message: 'must not exceed what is left to refund (1700)' }]);
    const rest = await refund(id, { cuid: randomUUID() });
    assert.equal(rest.statusCode, 201, rest.body);
    assert.deepEqual({ ...rest.json<Body>(), id: 're', createdAt: 'at' }, { id: 're', paymentId: id, amount: 1700, currency: 'usd', status: 'succeeded', reason: null, createdAt: 'at' });
    const listed = await t.inject({ method: 'GET', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey) });
    assert.deepEqual(listed.json().map((r: Body) => r.amount).sort(), [1700, 300], "both (Stripe orders by created, to the second)");
    assert.deepEqual((await refundsAtStripe(id)).map((r) => r.amount).sort(), [1700, 300]);
  });

  test('the same cuid replays the same bytes and refunds once; with another body it is a 409 on /cuid', async () => {
    const id = await paidPayment(await registerUser(t));
    const cuid = randomUUID();
    const first = await refund(id, { cuid, amount: 400 });
    const again = await refund(id, { cuid, amount: 400 });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(again.statusCode, 201);
    assert.equal(again.body, first.body, 'byte for byte');
    const other = await refund(id, { cuid, amount: 401 });
    assert.equal(other.statusCode, 409, other.body);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(other.json().details[0].path, '/cuid');
    assert.equal((await refundsAtStripe(id)).length, 1);
  });

  test('a payment that has not succeeded cannot be refunded', async () => {
    const user = await registerUser(t);
    const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
    const response = await refund(created.json().id as string, { cuid: randomUUID() });
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_REFUNDABLE');
  });
});

describe('manual capture', () => {
  test('part of an authorisation is captured; the rest is released and is not refundable', async () => {
    const id = await paidPayment(await registerUser(t), { captureMethod: 'manual' });
    assert.equal((await read(id)).status, 'requires_capture');
    const over = await capture(id, { amount: 2001 });
    assert.equal(over.statusCode, 400, over.body);
    assert.equal(over.json().details[0].path, '/amount');
    const captured = await capture(id, { amount: 1200 });
    assert.equal(captured.statusCode, 200, captured.body);
    assert.equal(captured.json().status, 'succeeded');
    assert.equal(captured.json().amountReceived, 1200);
    assert.equal((await capture(id, { amount: 1200 })).body, captured.body, 'a repeat answers the same bytes');
    const intent = await t.stripe.paymentIntents.retrieve(id);
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 1200);
    const payment = await read(id);
    assert.equal(payment.amountReceived, 1200);
    assert.equal(payment.amountRefunded, 0, 'the released remainder is no refund');
    assert.equal((await refund(id, { cuid: randomUUID(), amount: 1201 })).statusCode, 400);
    assert.equal((await refund(id, { cuid: randomUUID() })).json().amount, 1200);
  });

  test('a payment captured already, or never authorised, cannot be captured', async () => {
    const user = await registerUser(t);
    const automatic = await paidPayment(user);
    const response = await capture(automatic, {});
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_CAPTURABLE');
    const manual = await paidPayment(user, { captureMethod: 'manual' });
    const all = await t.inject({ method: 'POST', url: `/payment/${manual}/capture`, headers: bearer(t.apiKey) });
    assert.equal(all.statusCode, 200, all.body);
    assert.equal(all.json().amountReceived, 2000, 'without a body: all of it');
  });
});

describe('cancel', () => {
  test('the payer cancels its authorised payment; the authorisation is released at Stripe', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, { captureMethod: 'manual' });
    const response = await cancel(id, { reason: 'requested_by_customer' }, user.token);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().status, 'canceled');
    assert.equal(response.json().amountReceived, 0);
    const intent = await t.stripe.paymentIntents.retrieve(id);
    assert.equal(intent.status, 'canceled');
    assert.equal(intent.cancellation_reason, 'requested_by_customer');
    assert.equal((await cancel(id, {}, user.token)).json().status, 'canceled', 'canceling again answers it as it is');
    assert.equal((await capture(id, {})).json().code, 'PAYMENT_NOT_CAPTURABLE');
  });

  test('a payment that succeeded is refused with a 409 that says to refund it', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user);
    const response = await cancel(id, {}, user.token);
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_CANCELABLE');
    assert.match(response.json().message, /refund/);
    assert.equal((await t.stripe.paymentIntents.retrieve(id)).status, 'succeeded');
  });

  test("another user's payment is not found; the organisation may cancel it", async () => {
    const [owner, stranger] = [await registerUser(t), await registerUser(t)];
    const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(owner.token), payload: { cuid: randomUUID() } });
    const id = created.json().id as string;
    assert.equal((await cancel(id, {}, stranger.token)).statusCode, 404);
    assert.equal((await cancel(id, {}, t.apiKey)).json().status, 'canceled');
  });
});

describe('who may move the money', () => {
  test("a plain user's refund and capture of its own payment are 403; nothing reaches Stripe", async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, { captureMethod: 'manual' });
    const refused = await refund(id, { cuid: randomUUID() }, user.token);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'FORBIDDEN');
    assert.equal((await capture(id, {}, user.token)).statusCode, 403);
    assert.equal((await t.stripe.paymentIntents.retrieve(id)).status, 'requires_capture');
  });

  test("another organisation's payment is a 404 to refund, capture, cancel or list refunds", async () => {
    const id = await paidPayment(await registerUser(t));
    const foreign = await secondOrganisationKey(t);
    assert.equal((await refund(id, { cuid: randomUUID() }, foreign)).statusCode, 404);
    assert.equal((await capture(id, {}, foreign)).statusCode, 404);
    assert.equal((await cancel(id, {}, foreign)).statusCode, 404);
    assert.equal((await t.inject({ method: 'GET', url: `/payment/${id}/refunds`, headers: bearer(foreign) })).statusCode, 404);
    assert.equal((await refundsAtStripe(id)).length, 0);
  });
});

describe('hostile input', () => {
  test('bad amounts, reasons and cuids are 400s naming the field, before any Stripe call', async () => {
    const id = await paidPayment(await registerUser(t));
    const cases: Array<[string, Body, string]> = [
      ['refunds', { cuid: randomUUID(), amount: -100 }, '/amount'],
      ['refunds', { cuid: randomUUID(), amount: 0 }, '/amount'],
      ['refunds', { cuid: randomUUID(), amount: 10.5 }, '/amount'],
      ['refunds', { cuid: randomUUID(), amount: 1e15 }, '/amount'],
      ['refunds', { cuid: randomUUID(), amount: '100' }, '/amount'],
      ['refunds', { cuid: randomUUID(), reason: 'requested_by_customer\u0000' }, '/reason'],
      ['refunds', { cuid: randomUUID(), reason: 'because' }, '/reason'],
      ['refunds', { amount: 100 }, '/cuid'],
      ['refunds', { cuid: 'has space' }, '/cuid'],
      ['refunds', { cuid: 'nul\u0000' }, '/cuid'],
      ['refunds', { cuid: randomUUID(), extra: true }, '/extra'],
      ['capture', { amount: -5 }, '/amount'],
      ['capture', { amount: 0.5 }, '/amount'],
      ['capture', { amount: 2 ** 53 }, '/amount'],
      ['cancel', { reason: 'x\u0000' }, '/reason'],
    ];
    for (const [action, payload, field] of cases) {
      const response = await t.inject({ method: 'POST', url: `/payment/${id}/${action}`, headers: bearer(t.apiKey), payload });
      assert.equal(response.statusCode, 400, `${action} ${JSON.stringify(payload)}: ${response.body}`);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
      assert.ok(response.json().details.some((d: { path: string }) => d.path === field), `${JSON.stringify(payload)} names ${field}: ${response.body}`);
    }
    assert.equal((await refundsAtStripe(id)).length, 0);
    assert.equal((await read(id)).amountRefunded, 0);
  });
});

// Last: it removes this file's webhook endpoint at the emulator, so no Stripe event reaches the app from then on.
describe('reconciliation, when Stripe events are lost', () => {
  test('a refund that failed at Stripe shows failed after a reconcile pass; an expired authorisation shows canceled', async () => {
    for (const endpoint of (await t.stripe.webhookEndpoints.list()).data) await t.stripe.webhookEndpoints.del(endpoint.id);
    const user = await registerUser(t);
    const failing = await paidPayment(user, { card: 'pm_card_refundFail' });
    const made = await refund(failing, { cuid: randomUUID(), amount: 900 });
    assert.equal(made.json().status, 'succeeded', made.body);
    const authorised = await paidPayment(user, { captureMethod: 'manual' });
    const advanced = await fetch(`${t.stripeUrl}/_emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 8 * 86400 }) });
    assert.equal(advanced.status, 200);
    assert.equal((await read(failing)).refunds[0]!.status, 'succeeded', 'no event came');
    assert.equal((await read(authorised)).status, 'requires_capture');

    const { sql } = await import('drizzle-orm');
    for (const id of [failing, authorised]) {
      const due = await t.database.db.execute(sql`update payments set next_check_at = now() - interval '1 second' where stripe_payment_intent_id = ${id} and next_check_at is not null returning id`);
      assert.equal((due as unknown as { rows: unknown[] }).rows.length, 1, `${id} awaits a check`);
    }
    const pass = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
    assert.equal(pass.statusCode, 200, pass.body);
    const after = await read(failing);
    assert.equal(after.refunds[0]!.status, 'failed');
    assert.equal(after.amountRefunded, 0);
    assert.equal((await read(authorised)).status, 'canceled');
  });
});
