import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// The money lifecycle at its edges: chargebacks, races between attempts, a status Stripe has left, currencies' rules.
const t = useTestApp();

type Body = Record<string, unknown>;

async function newPayment(user: TestUser, body: Body = {}): Promise<{ id: string; cuid: string }> {
  const cuid = randomUUID();
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid, amount: 2000, ...body } });
  assert.equal(created.statusCode, 201, created.body);
  return { id: created.json<{ id: string }>().id, cuid };
}

const confirm = (user: TestUser, payment: { id: string; cuid: string }, card: string) =>
  t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: card } });
const capture = (id: string, payload: Body) => t.inject({ method: 'POST', url: `/payment/${id}/capture`, headers: bearer(t.apiKey), payload });
const refund = (id: string, payload: Body) => t.inject({ method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID(), ...payload } });
const read = async (id: string) => (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(t.apiKey) })).json<Body>();

describe('refunds of a disputed payment', () => {
  test('are refused while the chargeback stands: the customer would be paid twice', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    assert.equal((await confirm(user, payment, 'pm_card_createDispute')).statusCode, 201);
    await eventually(async () => ((await read(payment.id)).dispute ? true : undefined), 'the dispute to be recorded');
    const response = await refund(payment.id, { amount: 2000 });
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_REFUNDABLE');
    assert.match(response.json().message, /disputed/);
    assert.equal((await t.stripe.refunds.list({ payment_intent: payment.id })).data.length, 0);
  });
});

describe('capture', () => {
  test('a capture of everything racing a capture of part never answers success for less than everything', async () => {
    const user = await registerUser(t);
    for (let round = 0; round < 3; round++) {
      const payment = await newPayment(user, { captureMethod: 'manual' });
      assert.equal((await confirm(user, payment, 'pm_card_visa')).json().status, 'requires_capture');
      const [part, all] = await Promise.all([capture(payment.id, { amount: 600 }), capture(payment.id, {})]);
      const captured = (await t.stripe.paymentIntents.retrieve(payment.id)).amount_received;
      if (all.statusCode === 200) assert.equal(all.json().amountReceived, 2000, 'a success of "everything" took everything');
      else assert.equal(all.json().code, 'PAYMENT_NOT_CAPTURABLE', all.body);
      if (part.statusCode === 200) assert.equal(part.json().amountReceived, 600);
      assert.equal(captured, all.statusCode === 200 ? 2000 : 600, 'Stripe took exactly the attempt that answered success');
    }
  });

  test('right after 3-D Secure completes, before Stripe’s event is applied, asks Stripe rather than refusing', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user, { captureMethod: 'manual' });
    const challenged = await confirm(user, payment, 'pm_card_authenticationRequired');
    assert.equal(challenged.json().status, 'requires_action', challenged.body);
    // Events arrive but are not applied: the stored status stays requires_action.
    await t.ctx.services.eventWorker.stop();
    try {
      const completed = await fetch(challenged.json().nextActionUrl as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
      assert.ok(completed.status < 400, `3DS page answered ${completed.status}`);
      assert.equal((await t.stripe.paymentIntents.retrieve(payment.id)).status, 'requires_capture');
      const response = await capture(payment.id, {});
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().amountReceived, 2000);
    } finally {
      t.ctx.services.eventWorker.start();
    }
  });
});

describe('amounts in a three-decimal currency', () => {
  test('a capture or refund of part must be a multiple of 10, as for the payment itself', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user, { currency: 'bhd', amount: 5000, captureMethod: 'manual' });
    assert.equal((await confirm(user, payment, 'pm_card_visa')).statusCode, 201);
    const odd = await capture(payment.id, { amount: 1005 });
    assert.equal(odd.statusCode, 400, odd.body);
    assert.deepEqual(odd.json().details, [{ path: '/amount', message: 'must be a multiple of 10 for bhd' }]);
    assert.equal((await capture(payment.id, { amount: 1000 })).statusCode, 200);
    const oddRefund = await refund(payment.id, { amount: 5 });
    assert.equal(oddRefund.statusCode, 400, oddRefund.body);
    assert.equal(oddRefund.json().details[0].path, '/amount');
    assert.equal((await t.stripe.refunds.list({ payment_intent: payment.id })).data.length, 0);
  });
});

describe('payment ids in the path', () => {
  test('one up to the documented 255 characters is simply not found; one over 1000 is a 414 with its code', async () => {
    const long = await t.inject({ method: 'GET', url: `/payment/pi_${'a'.repeat(247)}`, headers: bearer(t.apiKey) });
    assert.equal(long.statusCode, 404, long.body);
    const tooLong = await t.inject({ method: 'POST', url: `/payment/pi_${'a'.repeat(1200)}/capture`, headers: bearer(t.apiKey), payload: {} });
    assert.equal(tooLong.statusCode, 414, tooLong.body);
    assert.equal(tooLong.json().code, 'URI_TOO_LONG');
    assert.equal(tooLong.json().details[0].path, '/url');
  });
});
