import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

const t = useTestApp();

async function newPayment(user: TestUser): Promise<{ id: string; cuid: string }> {
  const cuid = randomUUID();
  const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid } });
  assert.equal(response.statusCode, 201, response.body);
  return { id: response.json().id as string, cuid };
}

const confirm = (user: TestUser, payload: Record<string, unknown>) =>
  t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload });

const readPayment = (user: TestUser, id: string) => t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) });

describe('POST /payment/confirm', () => {
  test('a good card succeeds; the payment and the list say so', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const response = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().status, 'succeeded');
    assert.match(response.json().paymentMethod, /^pm_/);
    assert.equal((await readPayment(user, payment.id)).json().status, 'succeeded');
    const intent = await t.stripe.paymentIntents.retrieve(payment.id);
    assert.equal(intent.status, 'succeeded');
  });

  test('repeating the confirm with the same cuid charges once and answers alike', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const body = { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' };
    const [first, second] = await Promise.all([confirm(user, body), confirm(user, body)]);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(second.statusCode, 201, second.body);
    assert.deepEqual(second.json(), first.json());
    const charges = await t.stripe.charges.list({ payment_intent: payment.id });
    assert.equal(charges.data.length, 1, 'one charge');
  });

  test("seed 003's retry: declined, then another card with the same session cuid succeeds on the same payment", async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const declined = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_chargeDeclined' });
    assert.equal(declined.statusCode, 402, declined.body);
    assert.equal(declined.json().code, 'CARD_DECLINED');
    const retried = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.json().id, payment.id, 'the same payment');
    assert.equal(retried.json().status, 'succeeded');
    assert.equal((await readPayment(user, payment.id)).json().status, 'succeeded');
    const charges = await t.stripe.charges.list({ payment_intent: payment.id });
    assert.equal(charges.data.filter((c) => c.status === 'succeeded').length, 1, 'charged once');
  });

  test('the declined attempt repeated replays its 402; after the success, every confirm answers the success', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const body = { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' };
    const first = await confirm(user, body);
    const again = await confirm(user, body);
    assert.equal(again.statusCode, 402);
    assert.equal(again.json().declineCode, first.json().declineCode);
    const success = await confirm(user, { ...body, paymentMethodId: 'pm_card_visa' });
    assert.equal(success.statusCode, 201, success.body);
    const later = await confirm(user, body);
    assert.equal(later.statusCode, 201, 'a payment that succeeded answers its success');
    assert.equal(later.json().status, 'succeeded');
    const otherCard = await confirm(user, { cuid: randomUUID(), paymentId: payment.id, paymentMethodId: 'pm_card_mastercard' });
    assert.equal(otherCard.statusCode, 201);
    assert.equal(otherCard.json().status, 'succeeded');
    const charges = await t.stripe.charges.list({ payment_intent: payment.id });
    assert.equal(charges.data.filter((c) => c.status === 'succeeded').length, 1, 'charged once');
  });

  test('3-D Secure failed, then another card with the same cuid is a new attempt that succeeds', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const challenged = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_authenticationRequired' });
    assert.equal(challenged.json().status, 'requires_action', challenged.body);
    const failed = await fetch(challenged.json().nextActionUrl as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=fail', redirect: 'manual' });
    assert.ok(failed.status < 400, `3DS page answered ${failed.status}`);
    const retried = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.json().status, 'succeeded');
  });

  test('3-D Secure failed, then the same card with the same cuid is challenged afresh (a new round), and can pass', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const attempt = { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_authenticationRequired' };
    const first = await confirm(user, attempt);
    assert.equal(first.json().status, 'requires_action', first.body);
    const again = await confirm(user, attempt);
    assert.equal(again.body, first.body, 'while the step is open, the same attempt replays its answer');
    const failed = await fetch(first.json().nextActionUrl as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=fail', redirect: 'manual' });
    assert.ok(failed.status < 400, `3DS page answered ${failed.status}`);
    const retried = await confirm(user, attempt);
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.json().status, 'requires_action', 'a fresh challenge, not the spent one');
    const passed = await fetch(retried.json().nextActionUrl as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
    assert.ok(passed.status < 400, `3DS page answered ${passed.status}: ${await passed.text()}`);
    await eventually(async () => ((await readPayment(user, payment.id)).json().status === 'succeeded' ? true : undefined), 'the payment succeeded');
    const after = await confirm(user, attempt);
    assert.equal(after.json().status, 'succeeded', after.body);
    assert.equal((await t.stripe.charges.list({ payment_intent: payment.id })).data.filter((c) => c.status === 'succeeded').length, 1, 'charged once');
  });

  test('a decline answers 402 with the decline code and leaves the payment awaiting a method', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const response = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    assert.equal(response.statusCode, 402, response.body);
    assert.equal(response.json().code, 'CARD_DECLINED');
    assert.equal(response.json().declineCode, 'insufficient_funds');
    assert.equal((await readPayment(user, payment.id)).json().status, 'requires_payment_method');

    const retry = await confirm(user, { cuid: randomUUID(), paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.json().status, 'succeeded');
  });

  test('3-D Secure: requires_action with the page to open, then success arrives by webhook', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const response = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_authenticationRequired' });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().status, 'requires_action');
    const nextActionUrl = response.json().nextActionUrl as string;
    assert.ok(nextActionUrl.startsWith(t.stripeUrl), nextActionUrl);

    const page = await fetch(nextActionUrl);
    assert.match(await page.text(), /Complete authentication/);
    const done = await fetch(nextActionUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
    assert.ok(done.status < 400, `3DS page answered ${done.status}`);

    const settled = await eventually(async () => {
      const current = (await readPayment(user, payment.id)).json();
      return current.status === 'succeeded' ? current : undefined;
    }, 'the webhook to mark the payment succeeded');
    assert.equal(settled.nextActionUrl, undefined);
  });

  test("the 3-D Secure return page shows the outcome, only to a browser holding the payment's client secret", async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const confirmed = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_authenticationRequired' });
    const done = await fetch(confirmed.json().nextActionUrl as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
    const location = new URL(done.headers.get('location')!);
    assert.equal(location.pathname, '/payment/return', 'Stripe sends the browser back to PAYMENT_RETURN_URL');
    assert.equal(location.searchParams.get('payment_intent'), payment.id);

    const page = await t.inject({ method: 'GET', url: `${location.pathname}${location.search}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /Payment complete/);

    const forged = new URLSearchParams(location.search);
    forged.set('payment_intent_client_secret', `${payment.id}_secret_forged`);
    const refused = await t.inject({ method: 'GET', url: `/payment/return?${forged.toString()}` });
    assert.equal(refused.statusCode, 200);
    assert.match(refused.body, /Payment status unknown/);
    const unknown = await t.inject({ method: 'GET', url: '/payment/return?payment_intent=pi_doesNotExist&payment_intent_client_secret=x' });
    assert.match(unknown.body, /Payment status unknown/);
  });

  test('a payment method attached to another customer is refused', async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    await newPayment(bob);
    const bobCustomer = (await t.inject({ method: 'GET', url: `/user/${bob.id}`, headers: bearer(bob.token) })).json().customerId as string;
    const bobsCard = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: bobCustomer });
    const payment = await newPayment(alice);
    const response = await confirm(alice, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: bobsCard.id });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().details[0].path, '/paymentMethodId');
    assert.equal((await t.stripe.paymentIntents.retrieve(payment.id)).status, 'requires_payment_method');
  });

  test("the user's own attached card works", async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const customer = (await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).json().customerId as string;
    const card = await t.stripe.paymentMethods.attach('pm_card_mastercard', { customer });
    const response = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: card.id });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().paymentMethod, card.id);
  });

  test("another user's payment cannot be confirmed (404) and stays untouched", async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    const payment = await newPayment(bob);
    const response = await confirm(alice, { cuid: randomUUID(), paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(response.statusCode, 404);
    assert.equal((await t.stripe.paymentIntents.retrieve(payment.id)).status, 'requires_payment_method');
  });

  test('malformed confirm bodies are 400s', async () => {
    const user = await registerUser(t);
    for (const payload of [{}, { cuid: 'x', paymentId: 'nope', paymentMethodId: 'pm_card_visa' }, { cuid: 'x', paymentId: 'pi_1', paymentMethodId: 42 }]) {
      const response = await confirm(user, payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
    }
  });
});

describe('confirm against what the payment already is', () => {
  test('a canceled payment is a 409 PAYMENT_NOT_CONFIRMABLE, before and after Stripe is asked', async () => {
    const user = await registerUser(t);
    const payment = await newPayment(user);
    const canceled = await t.inject({ method: 'POST', url: `/payment/${payment.id}/cancel`, headers: bearer(user.token), payload: {} });
    assert.equal(canceled.statusCode, 200, canceled.body);
    const response = await confirm(user, { cuid: payment.cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'PAYMENT_NOT_CONFIRMABLE');
    // Canceled at Stripe behind paybridge's back: Stripe's refusal is read, and answered the same way.
    const other = await newPayment(user);
    await t.stripe.paymentIntents.cancel(other.id);
    const late = await confirm(user, { cuid: other.cuid, paymentId: other.id, paymentMethodId: 'pm_card_visa' });
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(late.json().code, 'PAYMENT_NOT_CONFIRMABLE');
  });

  test('concurrent confirms of a manual-capture payment with different cards: one authorises, every other answers that authorisation', async () => {
    const user = await registerUser(t);
    const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID(), captureMethod: 'manual' } });
    const id = created.json().id as string;
    const cards = ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_discover', 'pm_card_visa_debit', 'pm_card_mastercard_debit'];
    const answers = await Promise.all(cards.map((paymentMethodId) => confirm(user, { cuid: randomUUID(), paymentId: id, paymentMethodId })));
    for (const answer of answers) {
      assert.equal(answer.statusCode, 201, answer.body);
      assert.equal(answer.json().status, 'requires_capture');
    }
    const charges = await t.stripe.charges.list({ payment_intent: id });
    assert.equal(charges.data.length, 1, 'one authorisation');
  });
});
