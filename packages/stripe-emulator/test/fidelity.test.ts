import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { cardPi, rawApi, rejection, sdk, useEmulator } from './helpers.js';

describe('stripe emulator: behaviour as Stripe documents it', () => {
  const t = useEmulator();

  test('an invalid key gets exactly Stripe 401 body: a message and a type, no code', async () => {
    const res = await rawApi(t.emu, 'GET', '/v1/customers', '', { Authorization: 'Bearer sk_live_wrong_but_long_enough_1234' });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['message', 'type']);
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(String(body.error.message), /^Invalid API Key provided: sk_live_\*+1234$/);
  });

  test('Stripe-Version: a version that does not exist is a 400, a real one is echoed', async () => {
    const bad = await rawApi(t.emu, 'GET', '/v1/customers', '', { 'Stripe-Version': '1999-01-01' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /Invalid Stripe API version: 1999-01-01/);
    const old = await rawApi(t.emu, 'GET', '/v1/customers', '', { 'Stripe-Version': '2023-10-16' });
    assert.equal(old.status, 200);
    assert.equal(old.headers.get('stripe-version'), '2023-10-16');
    const none = await rawApi(t.emu, 'GET', '/v1/customers');
    assert.equal(none.headers.get('stripe-version'), '2026-10-28.endive');
  });

  test('error bodies carry request_log_url naming the request', async () => {
    const res = await rawApi(t.emu, 'GET', '/v1/customers/cus_missing');
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { request_log_url?: string } };
    assert.ok(body.error.request_log_url?.startsWith(`https://dashboard.stripe.com/test/logs/${res.headers.get('request-id')}`));
  });

  test('an unknown currency is a 400 naming currency', async () => {
    const err = await rejection(t.stripe.paymentIntents.create({ amount: 100, currency: 'xyz', ...cardPi }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.param, 'currency');
    assert.match(err.message, /Invalid currency: xyz/);
    const upper = await t.stripe.paymentIntents.create({ amount: 100, currency: 'EUR', ...cardPi });
    assert.equal(upper.currency, 'eur');
  });

  test('a charge has refunds only when expanded; latest_charge.balance_transaction expands', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    const plain = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.equal('refunds' in plain, false);
    const expanded = await t.stripe.charges.retrieve(String(pi.latest_charge), { expand: ['refunds'] });
    assert.deepEqual(expanded.refunds?.data.map((r) => r.id), [refund.id]);
    const nested = await t.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge.balance_transaction'] });
    const txn = (nested.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    assert.equal(txn.object, 'balance_transaction');
    assert.equal(txn.amount, 500);
    assert.equal(txn.source, plain.id);
  });
});

describe('stripe emulator: payment methods, sources and refunds as on Stripe', () => {
  const t = useEmulator();

  test('a PaymentMethod used without a customer, or detached, may not be used again', async () => {
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    await t.stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: pm.id, confirm: true, ...cardPi });
    const again = await rejection(t.stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: pm.id, confirm: true, ...cardPi }));
    assert.ok(again instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(again.message, /may not be used again/);

    const customer = await t.stripe.customers.create();
    const kept = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await t.stripe.paymentMethods.detach(kept.id);
    const afterDetach = await rejection(t.stripe.paymentMethods.attach(kept.id, { customer: customer.id }));
    assert.ok(afterDetach instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(afterDetach.message, /may not be used again/);
  });

  test("GET /v1/customers/:id/payment_methods/:pm answers the customer's method, and no other", async () => {
    const customer = await t.stripe.customers.create();
    const other = await t.stripe.customers.create();
    const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    assert.equal((await t.stripe.customers.retrievePaymentMethod(customer.id, pm.id)).id, pm.id);
    const err = await rejection(t.stripe.customers.retrievePaymentMethod(other.id, pm.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 404);
  });

  test('/search is never taken for an object id', async () => {
    const res = await rawApi(t.emu, 'GET', '/v1/customers/search?query=email%3A%27a%40b.co%27');
    const body = (await res.json()) as { error?: { code?: string } };
    assert.notEqual(body.error?.code, 'resource_missing');
  });

  test('deleting a source and updating a refund emit their events', async () => {
    const customer = await t.stripe.customers.create({ source: 'tok_visa' });
    const card = String(customer.default_source);
    await t.stripe.customers.deleteSource(customer.id, card);
    const pi = await t.stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id });
    await t.stripe.refunds.update(refund.id, { metadata: { reason: 'test' } });
    const events = (await t.stripe.events.list({ limit: 20 })).data;
    const deleted = events.find((e) => e.type === 'customer.source.deleted');
    assert.equal((deleted?.data.object as { id?: string } | undefined)?.id, card);
    const updated = events.find((e) => e.type === 'customer.updated' && (e.data.object as Stripe.Customer).id === customer.id);
    assert.equal((updated?.data.object as Stripe.Customer | undefined)?.default_source, null);
    const refundUpdated = events.find((e) => e.type === 'refund.updated');
    assert.deepEqual((refundUpdated?.data.object as Stripe.Refund | undefined)?.metadata, { reason: 'test' });
  });
});

describe('stripe emulator: disputes', () => {
  const t = useEmulator();

  test('4000 0000 0000 0259 disputes the charge; the control surface closes it won or lost', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true, ...cardPi });
    assert.equal(pi.status, 'succeeded');
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.equal(charge.disputed, true);
    const [dispute] = (await t.stripe.disputes.list({ payment_intent: pi.id })).data;
    assert.ok(dispute);
    assert.match(dispute.id, /^dp_/);
    assert.equal(dispute.charge, charge.id);
    assert.equal(dispute.status, 'needs_response');
    assert.equal((await t.stripe.disputes.retrieve(dispute.id)).amount, 700);
    const created = (await t.stripe.events.list({ type: 'charge.dispute.created' })).data;
    assert.equal((created[0]?.data.object as Stripe.Dispute | undefined)?.id, dispute.id);

    const res = await fetch(`${t.emu.url}/_emulator/disputes/${dispute.id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'won' }) });
    assert.equal(res.status, 200);
    assert.equal((await t.stripe.disputes.retrieve(dispute.id)).status, 'won');
    const closed = (await t.stripe.events.list({ type: 'charge.dispute.closed' })).data;
    assert.equal((closed[0]?.data.object as Stripe.Dispute | undefined)?.status, 'won');
    const again = await fetch(`${t.emu.url}/_emulator/disputes/${dispute.id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'lost' }) });
    assert.equal(again.status, 400);
  });

  test('a charged-back charge cannot be refunded (charge_disputed); once the dispute is won it can', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true, ...cardPi });
    const err = await rejection(t.stripe.refunds.create({ payment_intent: pi.id, amount: 100 }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'charge_disputed');
    assert.equal(err.param, 'charge');
    assert.equal((await t.stripe.charges.retrieve(String(pi.latest_charge))).amount_refunded, 0);
    const [dispute] = (await t.stripe.disputes.list({ payment_intent: pi.id })).data;
    const won = await fetch(`${t.emu.url}/_emulator/disputes/${dispute!.id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'won' }) });
    assert.equal(won.status, 200);
    assert.equal((await t.stripe.refunds.create({ payment_intent: pi.id, amount: 100 })).status, 'succeeded');
  });

  test('an ordinary card is not disputed, and a missing dispute is a 404', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    assert.equal((await t.stripe.charges.retrieve(String(pi.latest_charge))).disputed, false);
    const err = await rejection(t.stripe.disputes.retrieve('dp_missing'));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 404);
  });
});

describe('stripe emulator: refund failure', () => {
  const t = useEmulator();

  test('4000 0000 0000 5126: the refund is answered succeeded, then reads failed, the charge is no longer refunded, and the events say so', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_refundFail', confirm: true, ...cardPi });
    assert.equal(pi.status, 'succeeded');
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 400 }, { idempotencyKey: 'refund-fail-1' });
    assert.equal(refund.status, 'succeeded', 'at first, as Stripe answers');
    const replay = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 400 }, { idempotencyKey: 'refund-fail-1' });
    assert.equal(replay.status, 'succeeded', 'a replay is the first answer');
    const later = await t.stripe.refunds.retrieve(refund.id);
    assert.equal(later.status, 'failed');
    assert.equal(later.failure_reason, 'expired_or_canceled_card');
    assert.match(String(later.failure_balance_transaction), /^txn_/);
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.equal(charge.amount_refunded, 0);
    assert.equal(charge.refunded, false);
    for (const type of ['refund.failed', 'charge.refund.updated', 'refund.updated'] as const) {
      const [event] = (await t.stripe.events.list({ type })).data;
      assert.equal((event?.data.object as Stripe.Refund | undefined)?.status, 'failed', type);
    }
    const visa = await t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    await t.stripe.refunds.create({ payment_intent: visa.id, amount: 400 });
    assert.equal((await t.stripe.refunds.list({ payment_intent: visa.id })).data[0]?.status, 'succeeded', 'other cards refund as before');
  });
});

describe('stripe emulator: publishable keys', () => {
  const t = useEmulator();
  let browser: Stripe;
  before(() => {
    browser = sdk(t.emu, {}, 'pk_test_emulator_browser');
  });

  test('a pk_test_ key creates tokens and PaymentMethods, and retrieves and confirms an intent with its client_secret', async () => {
    const token = await browser.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2040', cvc: '123' } } as Stripe.TokenCreateParams);
    assert.match(token.id, /^tok_/);
    const pm = await browser.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const pi = await t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', ...cardPi });
    const seen = await browser.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret ?? '' });
    assert.equal(seen.id, pi.id);
    const confirmed = await browser.paymentIntents.confirm(pi.id, { client_secret: pi.client_secret ?? '', payment_method: pm.id } as Stripe.PaymentIntentConfirmParams);
    assert.equal(confirmed.status, 'succeeded');
  });

  test('a pk_test_ key cannot do what needs a secret key, nor reach an intent without its client_secret', async () => {
    const secretOnly = await rejection(browser.customers.list());
    assert.ok(secretOnly instanceof Stripe.errors.StripeAuthenticationError);
    const pi = await t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', ...cardPi });
    const noSecret = await rejection(browser.paymentIntents.retrieve(pi.id));
    assert.ok(noSecret instanceof Stripe.errors.StripeInvalidRequestError);
    const wrong = await rejection(browser.paymentIntents.retrieve(pi.id, { client_secret: `${pi.id}_secret_wrong` }));
    assert.ok(wrong instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(wrong.statusCode, 404);
    const other = await rejection(browser.paymentIntents.cancel(pi.id));
    assert.ok(other instanceof Stripe.errors.StripeAuthenticationError);
  });
});

describe("stripe emulator: the SDK's parameters on implemented routes", () => {
  const t = useEmulator();

  test('confirm takes capture_method, shipping and payment_method_options; capture takes statement_descriptor and final_capture', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 800, currency: 'usd', ...cardPi });
    const confirmed = await t.stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_visa', capture_method: 'manual', shipping: { name: 'Ada', address: { line1: '1 Main St', city: 'Town', country: 'US' } },
      payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    });
    assert.equal(confirmed.status, 'requires_capture');
    assert.equal(confirmed.shipping?.name, 'Ada');
    const captured = await t.stripe.paymentIntents.capture(pi.id, { statement_descriptor: 'EMULATED', final_capture: true });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.statement_descriptor, 'EMULATED');
  });

  test('customers take balance, tax_exempt and test_clock; SetupIntents take payment_method_options and single_use', async () => {
    const customer = await t.stripe.customers.create({ balance: -500, tax_exempt: 'exempt' });
    assert.equal(customer.balance, -500);
    assert.equal(customer.tax_exempt, 'exempt');
    const updated = await t.stripe.customers.update(customer.id, { tax_exempt: 'reverse' });
    assert.equal(updated.tax_exempt, 'reverse');
    const si = await t.stripe.setupIntents.create({
      customer: customer.id, payment_method_types: ['card'], payment_method_options: { card: { request_three_d_secure: 'any' } },
      single_use: { amount: 1000, currency: 'usd' }, usage: 'on_session',
    } as Stripe.SetupIntentCreateParams);
    assert.equal(si.payment_method_options?.card?.request_three_d_secure, 'any');
  });
});

describe('stripe emulator: authorisations expire', () => {
  const t = useEmulator();

  test('an uncaptured PaymentIntent is canceled (automatic) 7 days of emulator time after authorisation, not before', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 600, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual', ...cardPi });
    assert.equal(pi.status, 'requires_capture');
    const advance = (seconds: number) => fetch(`${t.emu.url}/_emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
    await advance(6 * 86400);
    assert.equal((await t.stripe.paymentIntents.retrieve(pi.id)).status, 'requires_capture');
    await advance(86400);
    const expired = await t.stripe.paymentIntents.retrieve(pi.id);
    assert.equal(expired.status, 'canceled');
    assert.equal(expired.cancellation_reason, 'automatic');
    const err = await rejection(t.stripe.paymentIntents.capture(pi.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
  });
});
