import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

// What Stripe tells paybridge by its events: refunds made at Stripe, refund failures, disputes, expiry.
let receiver: Receiver;
const t = useTestApp({}, async (app) => {
  receiver = await startReceiver();
  const created = await app.inject({ method: 'POST', url: '/admin/webhook-endpoints', headers: bearer(app.apiKey), payload: { url: receiver.url } });
  assert.equal(created.statusCode, 201, created.body);
  app.logs.secret(created.json<{ secret: string }>().secret);
});
after(() => receiver.close());

type Body = Record<string, unknown>;
type Payment = Body & { refunds: Body[]; dispute: Body | null };

async function paidPayment(user: TestUser, card: string, captureMethod?: 'manual'): Promise<string> {
  const cuid = randomUUID();
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid, amount: 2000, ...(captureMethod ? { captureMethod } : {}) } });
  const id = created.json<{ id: string }>().id;
  const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid, paymentId: id, paymentMethodId: card } });
  assert.equal(confirmed.statusCode, 201, confirmed.body);
  return id;
}

const read = async (user: TestUser, id: string) => (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) })).json<Payment>();
const until = (user: TestUser, id: string, what: string, ok: (p: Payment) => boolean) =>
  eventually(async () => {
    const payment = await read(user, id);
    return ok(payment) ? payment : undefined;
  }, what);
const typesFor = (id: string) => receiver.received.filter((r) => r.event.data.object.id === id).map((r) => r.event.type);

describe('the money lifecycle as Stripe reports it', () => {
  test('a refund made at Stripe directly appears on GET /payment/{id} and in its refunds', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, 'pm_card_visa');
    const atStripe = await t.stripe.refunds.create({ payment_intent: id, amount: 600, reason: 'duplicate' });
    const payment = await until(user, id, 'the refund made at Stripe', (p) => p.amountRefunded === 600);
    assert.deepEqual(payment.refunds, [{ id: atStripe.id, paymentId: id, amount: 600, currency: 'usd', status: 'succeeded', reason: 'duplicate', createdAt: new Date(atStripe.created * 1000).toISOString() }]);
    const left = await t.inject({ method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID(), amount: 1401 } });
    assert.equal(left.statusCode, 400, 'what is left counts the refund made at Stripe');
  });

  test('a refund that fails at Stripe after it was answered shows failed, and its amount is no longer refunded', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, 'pm_card_refundFail');
    const made = await t.inject({ method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID(), amount: 800 } });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().status, 'succeeded', 'as Stripe answered at first');
    const payment = await until(user, id, 'the refund failure', (p) => p.refunds[0]?.status === 'failed');
    assert.equal(payment.amountRefunded, 0);
    assert.equal(payment.refunds[0]!.failureReason, 'expired_or_canceled_card');
    await receiver.waitFor(() => typesFor(id).includes('payment.refund_failed'));
    assert.deepEqual(typesFor(id).filter((type) => type.includes('refund')), ['payment.refunded', 'payment.refund_failed']);
  });

  test('a dispute shows on the payment with its amount and status, and its closing too', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, 'pm_card_createDispute');
    const payment = await until(user, id, 'the dispute', (p) => p.dispute !== null);
    const dispute = payment.dispute as { status: string; amount: number; reason: string; evidenceDueBy: string };
    assert.equal(dispute.status, 'needs_response');
    assert.equal(dispute.amount, 2000);
    assert.equal(dispute.reason, 'fraudulent');
    assert.ok(new Date(dispute.evidenceDueBy).getTime() > Date.now(), dispute.evidenceDueBy);
    const [atStripe] = (await t.stripe.disputes.list({ payment_intent: id })).data;
    const closed = await fetch(`${t.stripeUrl}/_emulator/disputes/${atStripe!.id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'lost' }) });
    assert.equal(closed.status, 200);
    await until(user, id, 'the dispute closed', (p) => (p.dispute as { status: string } | null)?.status === 'lost');
  });

  test('capture, refund and cancel are announced to the organisation’s endpoints', async () => {
    const user = await registerUser(t);
    const manual = await paidPayment(user, 'pm_card_visa', 'manual');
    await receiver.waitFor(() => typesFor(manual).includes('payment.requires_capture'));
    assert.equal((await t.inject({ method: 'POST', url: `/payment/${manual}/capture`, headers: bearer(t.apiKey), payload: { amount: 1500 } })).statusCode, 200);
    assert.equal((await t.inject({ method: 'POST', url: `/payment/${manual}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID(), amount: 500 } })).statusCode, 201);
    await receiver.waitFor(() => typesFor(manual).includes('payment.refunded'));
    assert.deepEqual(typesFor(manual), ['payment.created', 'payment.requires_capture', 'payment.succeeded', 'payment.refunded']);
    const refunded = receiver.received.find((r) => r.event.type === 'payment.refunded' && r.event.data.object.id === manual)!;
    assert.equal(refunded.event.data.object.amountReceived, 1500);
    assert.equal(refunded.event.data.object.amountRefunded, 500);

    const other = await paidPayment(user, 'pm_card_visa', 'manual');
    assert.equal((await t.inject({ method: 'POST', url: `/payment/${other}/cancel`, headers: bearer(user.token), payload: {} })).statusCode, 200);
    await receiver.waitFor(() => typesFor(other).includes('payment.canceled'));
  });

  // Last: it moves this file's emulator clock a week on.
  test('an authorisation that expires at Stripe shows canceled, and can no longer be captured', async () => {
    const user = await registerUser(t);
    const id = await paidPayment(user, 'pm_card_visa', 'manual');
    const advanced = await fetch(`${t.stripeUrl}/_emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 8 * 86400 }) });
    assert.equal(advanced.status, 200);
    await until(user, id, 'the expiry', (p) => p.status === 'canceled');
    const response = await t.inject({ method: 'POST', url: `/payment/${id}/capture`, headers: bearer(t.apiKey), payload: {} });
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_CAPTURABLE');
    assert.match(response.json().message, /canceled/);
  });
});
