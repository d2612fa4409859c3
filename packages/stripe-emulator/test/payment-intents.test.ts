import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { cardPi, rawApi, rejection, useEmulator } from './helpers.js';

describe('stripe emulator: payment intents, charges, refunds', () => {
  const t = useEmulator();

  test('walks requires_payment_method → requires_confirmation → succeeded with a charge', async () => {
    const c = await t.stripe.customers.create({});
    const pi = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: c.id, ...cardPi, metadata: { order: '7' }, description: 'order 7', receipt_email: 'r@example.com' });
    assert.match(pi.id, /^pi_/);
    assert.equal(pi.status, 'requires_payment_method');
    assert.match(pi.client_secret ?? '', new RegExp(`^${pi.id}_secret_`));
    const withPm = await t.stripe.paymentIntents.update(pi.id, { payment_method: 'pm_card_visa' });
    assert.equal(withPm.status, 'requires_confirmation');
    const done = await t.stripe.paymentIntents.confirm(pi.id, { expand: ['latest_charge', 'payment_method'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.amount_received, 2000);
    const charge = done.latest_charge as Stripe.Charge;
    assert.match(charge.id, /^ch_/);
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.captured, true);
    assert.equal(charge.payment_intent, pi.id);
    assert.equal(charge.customer, c.id);
    assert.equal(charge.metadata.order, '7');
    assert.equal((done.payment_method as Stripe.PaymentMethod).card?.last4, '4242');
    const again = await rejection(t.stripe.paymentIntents.confirm(pi.id));
    assert.ok(again instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(again.code, 'payment_intent_unexpected_state');
    const charges = await t.stripe.charges.list({ payment_intent: pi.id });
    assert.deepEqual(charges.data.map((x) => x.id), [charge.id]);
  });

  test('automatic payment methods without return_url cannot be confirmed (as on Stripe)', async () => {
    const err = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    const ok = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    assert.equal(ok.status, 'succeeded');
    const withReturn = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, return_url: 'https://shop.example/done' });
    assert.equal(withReturn.status, 'succeeded');
  });

  test('declines answer 402 with decline_code and the intent embedded, leaving requires_payment_method', async () => {
    for (const [pm, declineCode] of [['pm_card_chargeDeclined', 'generic_decline'], ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds']] as const) {
      const err = await rejection(t.stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: pm, confirm: true, ...cardPi }));
      assert.ok(err instanceof Stripe.errors.StripeCardError);
      assert.equal(err.statusCode, 402);
      assert.equal(err.code, 'card_declined');
      assert.equal(err.decline_code, declineCode);
      const embedded = err.payment_intent;
      assert.ok(embedded);
      assert.equal(embedded.status, 'requires_payment_method');
      assert.equal(embedded.last_payment_error?.decline_code, declineCode);
      const stored = await t.stripe.paymentIntents.retrieve(embedded.id);
      assert.equal(stored.status, 'requires_payment_method');
      assert.equal(stored.last_payment_error?.code, 'card_declined');
      const failed = await t.stripe.charges.retrieve(String(stored.latest_charge));
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure_code, 'card_declined');
      const retried = await t.stripe.paymentIntents.confirm(stored.id, { payment_method: 'pm_card_visa' });
      assert.equal(retried.status, 'succeeded');
      assert.equal(retried.last_payment_error, null);
    }
  });

  test('4000 0000 0000 0341 attaches but every charge fails', async () => {
    const c = await t.stripe.customers.create({});
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000000341', exp_month: 1, exp_year: 2040 } });
    await t.stripe.paymentMethods.attach(pm.id, { customer: c.id });
    const err = await rejection(t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer: c.id, payment_method: pm.id, confirm: true, off_session: true }));
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.equal(err.code, 'card_declined');
  });

  test('manual capture: requires_capture, partial capture, then refunds', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 5000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_mastercard', confirm: true, ...cardPi });
    assert.equal(pi.status, 'requires_capture');
    assert.equal(pi.amount_capturable, 5000);
    const tooMuch = await rejection(t.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 6000 }));
    assert.ok(tooMuch instanceof Stripe.errors.StripeInvalidRequestError);
    const captured = await t.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4000 });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 4000);
    const r1 = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 1500 });
    assert.match(r1.id, /^re_/);
    assert.equal(r1.amount, 1500);
    const partial = await t.stripe.charges.retrieve(String(captured.latest_charge));
    assert.equal(partial.amount_captured, 4000);
    assert.equal(partial.refunded, false);
    const r2 = await t.stripe.refunds.create({ charge: partial.id });
    assert.equal(r2.amount, 2500);
    const full = await t.stripe.charges.retrieve(partial.id);
    assert.equal(full.refunded, true);
    assert.equal(full.amount_refunded, 5000);
    const none = await rejection(t.stripe.refunds.create({ charge: partial.id }));
    assert.ok(none instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(none.code, 'charge_already_refunded');
    const refunds = await t.stripe.refunds.list({ payment_intent: pi.id });
    assert.deepEqual(refunds.data.map((r) => r.id), [r2.id, r1.id]);
  });

  test('cancel: from requires_capture releases the charge; succeeded cannot be canceled', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const canceled = await t.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'requested_by_customer');
    assert.ok(canceled.canceled_at);
    const done = await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const err = await rejection(t.stripe.paymentIntents.cancel(done.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'payment_intent_unexpected_state');
  });

  test('3-D Secure: requires_action, then the page completes it and redirects to return_url', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 3100, currency: 'eur', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://shop.example/return?o=1' });
    assert.equal(pi.status, 'requires_action');
    assert.equal(pi.next_action?.type, 'redirect_to_url');
    const target = pi.next_action?.redirect_to_url?.url ?? '';
    assert.equal(pi.next_action?.redirect_to_url?.return_url, 'https://shop.example/return?o=1');
    assert.ok(target.startsWith(t.emu.url));
    const page = await fetch(target);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /Complete authentication/);
    assert.match(html, /Fail authentication/);
    const res = await fetch(target, { method: 'POST', body: new URLSearchParams({ action: 'complete' }), redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, 'https://shop.example/return');
    assert.equal(location.searchParams.get('payment_intent'), pi.id);
    assert.equal(location.searchParams.get('redirect_status'), 'succeeded');
    const after = await t.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(after.status, 'succeeded');
    assert.equal((after.latest_charge as Stripe.Charge).payment_method_details?.card?.three_d_secure?.result, 'authenticated');
  });

  test('3-D Secure failure returns the intent to requires_payment_method', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 3100, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_threeDSecure2Required', confirm: true, ...cardPi });
    assert.equal(pi.status, 'requires_action');
    const res = await fetch(pi.next_action?.redirect_to_url?.url ?? '', { method: 'POST', body: new URLSearchParams({ action: 'fail' }) });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /requires_payment_method/);
    const after = await t.stripe.paymentIntents.retrieve(pi.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_payment_error?.code, 'payment_intent_authentication_failure');
    const ok = await t.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_authenticationRequired' });
    const json = await fetch(ok.next_action?.redirect_to_url?.url ?? '', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ action: 'complete' }) });
    assert.deepEqual(await json.json(), { id: pi.id, object: 'payment_intent', status: 'requires_capture', redirect_to: null });
  });

  test('off-session: 3184 always needs authentication; 3155 passes once set up', async () => {
    const c = await t.stripe.customers.create({});
    const always = await rejection(t.stripe.paymentIntents.create({ amount: 1200, currency: 'usd', customer: c.id, payment_method: 'pm_card_authenticationRequired', confirm: true, off_session: true }));
    assert.ok(always instanceof Stripe.errors.StripeCardError);
    assert.equal(always.code, 'authentication_required');
    assert.equal(always.payment_intent?.status, 'requires_payment_method');

    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '4000002500003155', exp_month: 3, exp_year: 2036 } });
    const onSession = await t.stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: pm.id, confirm: true, ...cardPi });
    assert.equal(onSession.status, 'requires_action', '3155 needs 3DS on-session before set-up');
    const si = await t.stripe.setupIntents.create({ customer: c.id, payment_method: pm.id, confirm: true, usage: 'off_session', allowed_payment_method_types: ['card'] });
    assert.equal(si.status, 'requires_action');
    await fetch(si.next_action?.redirect_to_url?.url ?? '', { method: 'POST', body: new URLSearchParams({ action: 'complete' }) });
    assert.equal((await t.stripe.setupIntents.retrieve(si.id)).status, 'succeeded');
    const offSession = await t.stripe.paymentIntents.create({ amount: 1200, currency: 'usd', customer: c.id, payment_method: pm.id, confirm: true, off_session: true });
    assert.equal(offSession.status, 'succeeded');
  });

  test('setup_future_usage attaches the method to the customer on success', async () => {
    const c = await t.stripe.customers.create({});
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id, payment_method: 'pm_card_visa', setup_future_usage: 'off_session', confirm: true, ...cardPi });
    assert.equal(pi.status, 'succeeded');
    const pms = await t.stripe.paymentMethods.list({ customer: c.id, type: 'card' });
    assert.deepEqual(pms.data.map((p) => p.id), [pi.payment_method]);
    const otherCustomer = await t.stripe.customers.create({});
    const err = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: otherCustomer.id, payment_method: String(pi.payment_method), ...cardPi }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.param, 'payment_method');
  });

  test('lists by customer and expands data.* on lists', async () => {
    const c = await t.stripe.customers.create({});
    const a = await t.stripe.paymentIntents.create({ amount: 600, currency: 'usd', customer: c.id, ...cardPi });
    const b = await t.stripe.paymentIntents.create({ amount: 800, currency: 'usd', customer: c.id, payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const list = await t.stripe.paymentIntents.list({ customer: c.id, expand: ['data.latest_charge', 'data.customer'] });
    assert.deepEqual(list.data.map((p) => p.id), [b.id, a.id]);
    assert.equal((list.data[0]?.latest_charge as Stripe.Charge).object, 'charge');
    assert.equal((list.data[0]?.customer as Stripe.Customer).id, c.id);
    assert.equal(list.data[1]?.latest_charge, null);
    const bad = await rejection(t.stripe.paymentIntents.retrieve(a.id, { expand: ['amount'] }));
    assert.ok(bad instanceof Stripe.errors.StripeInvalidRequestError);
  });

  test('request_three_d_secure=any forces a challenge; shipping is kept; the receipt link resolves', async () => {
    const pi = await t.stripe.paymentIntents.create({
      amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi,
      payment_method_options: { card: { request_three_d_secure: 'any' } },
      shipping: { name: 'Grace', address: { line1: '1 Main St', city: 'Springfield', country: 'US' } },
    });
    assert.equal(pi.status, 'requires_action');
    assert.equal(pi.shipping?.address?.city, 'Springfield');
    const done = await fetch(pi.next_action?.redirect_to_url?.url ?? '', { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams({ action: 'complete' }) });
    assert.equal(((await done.json()) as { status: string }).status, 'succeeded');
    const charge = await t.stripe.charges.retrieve(String((await t.stripe.paymentIntents.retrieve(pi.id)).latest_charge));
    const receipt = await fetch(charge.receipt_url ?? '');
    assert.equal(receipt.status, 200);
    assert.match(await receipt.text(), /25\.00 USD/);
  });

  test('the legacy payment_method_types parameter is still accepted', async () => {
    const res = await rawApi(t.emu, 'POST', '/v1/payment_intents', 'amount=1000&currency=usd&payment_method_types[0]=card&payment_method=pm_card_visa&confirm=true');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; payment_method_types: string[]; automatic_payment_methods: unknown };
    assert.deepEqual([body.status, body.payment_method_types, body.automatic_payment_methods], ['succeeded', ['card'], null]);
  });

  test('amount rules: below minimum and non-integers are refused', async () => {
    const small = await rejection(t.stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    assert.ok(small instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(small.code, 'amount_too_small');
    const frac = await rejection(t.stripe.paymentIntents.create({ amount: 10.5, currency: 'usd' }));
    assert.ok(frac instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(frac.code, 'parameter_invalid_integer');
  });
});
