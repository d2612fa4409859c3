import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { cardPi, rawApi, rejection, useEmulator } from './helpers.js';

// Checks an outside suite of Stripe semantics runs through the SDK; each names what Stripe documents.
describe('stripe emulator: documented Stripe semantics', () => {
  const t = useEmulator();

  test('a used or detached PaymentMethod can still be retrieved and updated; detaching it again says it is not attached', async () => {
    const used = await t.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: used.id, confirm: true, ...cardPi });
    assert.equal((await t.stripe.paymentMethods.retrieve(used.id)).id, used.id);
    assert.deepEqual({ ...(await t.stripe.paymentMethods.update(used.id, { metadata: { order: '1' } })).metadata }, { order: '1' });
    const reuse = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: used.id, confirm: true, ...cardPi }));
    assert.ok(reuse instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(reuse.message, /may not be used again/);

    const customer = await t.stripe.customers.create({});
    const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await t.stripe.paymentMethods.detach(pm.id);
    assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, null);
    const again = await rejection(t.stripe.paymentMethods.detach(pm.id));
    assert.ok(again instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(again.code, 'payment_method_unexpected_state');
    assert.match(again.message, /not attached to a customer/);
  });

  test('the documented decline test methods: pm_card_visa_chargeDeclined*, velocity and Radar cards', async () => {
    const declines: Array<[string, string, string]> = [
      ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
      ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
      ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
      ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card'],
      ['pm_card_visa_chargeDeclinedVelocityLimitExceeded', 'card_declined', 'card_velocity_exceeded'],
      ['pm_card_riskLevelHighest', 'card_declined', 'fraudulent'],
      ['pm_card_radarBlock', 'card_declined', 'fraudulent'],
    ];
    for (const [pm, code, declineCode] of declines) {
      const err = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm, confirm: true, ...cardPi }));
      assert.ok(err instanceof Stripe.errors.StripeCardError, pm);
      assert.equal(err.code, code, pm);
      assert.equal(err.decline_code, declineCode, pm);
    }
    const byNumber = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000006975', exp_month: 12, exp_year: 2040, cvc: '123' } });
    const velocity = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: byNumber.id, confirm: true, ...cardPi }));
    assert.ok(velocity instanceof Stripe.errors.StripeCardError);
    assert.equal(velocity.decline_code, 'card_velocity_exceeded');
    const elevated = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_riskLevelElevated', confirm: true, ...cardPi });
    assert.equal(elevated.status, 'succeeded');
  });

  test('metadata keys may not contain square brackets', async () => {
    const err = await rejection(t.stripe.customers.create({ metadata: { 'a[b': 'v' } }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(String(err.param), /^metadata/);
    assert.equal((await t.stripe.customers.create({ metadata: { 'order-id_1.x': 'v' } })).metadata['order-id_1.x'], 'v');
  });

  test('minimum charge amounts follow Stripe\'s table per currency, in its message shape', async () => {
    const usd = await rejection(t.stripe.paymentIntents.create({ amount: 49, currency: 'usd', ...cardPi }));
    assert.ok(usd instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(usd.code, 'amount_too_small');
    assert.equal(usd.param, 'amount');
    assert.equal(usd.message, 'Amount must be at least $0.50 usd');
    for (const [currency, below, min] of [['jpy', 49, 50], ['mxn', 999, 1000], ['hkd', 399, 400], ['czk', 1499, 1500], ['huf', 17499, 17500]] as const) {
      const err = await rejection(t.stripe.paymentIntents.create({ amount: below, currency, ...cardPi }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, currency);
      assert.equal(err.code, 'amount_too_small', currency);
      assert.equal((await t.stripe.paymentIntents.create({ amount: min, currency, ...cardPi })).amount, min);
    }
    const large = await rejection(t.stripe.paymentIntents.create({ amount: 100000000, currency: 'usd', ...cardPi }));
    assert.ok(large instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(large.code, 'amount_too_large');
    assert.equal(large.param, 'amount');
  });

  test('a refund above what is left names both amounts as money, as Stripe words it', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const whole = await rejection(t.stripe.refunds.create({ payment_intent: pi.id, amount: 1500 }));
    assert.ok(whole instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(whole.code, 'amount_too_large');
    assert.equal(whole.message, 'Refund amount ($15.00) is greater than charge amount ($10.00)');
    await t.stripe.refunds.create({ payment_intent: pi.id, amount: 400 });
    const rest = await rejection(t.stripe.refunds.create({ payment_intent: pi.id, amount: 700 }));
    assert.ok(rest instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(rest.message, 'Refund amount ($7.00) is greater than unrefunded amount on charge ($6.00)');
  });

  test('an update that changes nothing makes no *.updated event; one that does carries previous_attributes', async () => {
    const c = await t.stripe.customers.create({ name: 'Same' });
    const latest = async (): Promise<Stripe.Event | undefined> => (await t.stripe.events.list({ limit: 1 })).data[0];
    const created = await latest();
    await t.stripe.customers.update(c.id, { name: 'Same' });
    assert.equal((await latest())?.id, created?.id);
    await t.stripe.customers.update(c.id, { name: 'Changed' });
    const updated = await latest();
    assert.equal(updated?.type, 'customer.updated');
    assert.deepEqual(updated?.data.previous_attributes, { name: 'Same' });
  });

  test('charges.update sets what Stripe lets one set on a charge, with a charge.updated event', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const charge = await t.stripe.charges.update(String(pi.latest_charge), { description: 'Order 7', metadata: { order: '7' }, fraud_details: { user_report: 'safe' } });
    assert.equal(charge.description, 'Order 7');
    assert.equal(charge.metadata.order, '7');
    assert.equal(charge.fraud_details?.user_report, 'safe');
    const event = (await t.stripe.events.list({ type: 'charge.updated', limit: 1 })).data[0];
    assert.deepEqual(event?.data.previous_attributes, { description: null, fraud_details: {}, metadata: {} });
    const bad = await rejection(t.stripe.charges.update(charge.id, { amount: 5 } as Stripe.ChargeUpdateParams));
    assert.ok(bad instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(bad.code, 'parameter_unknown');
  });

  test('an intent in the wrong state: 400 *_unexpected_state embedding the intent, in Stripe\'s words', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const confirm = await rejection(t.stripe.paymentIntents.confirm(pi.id));
    assert.ok(confirm instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(confirm.code, 'payment_intent_unexpected_state');
    assert.equal(confirm.message, 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.');
    assert.equal(confirm.payment_intent?.id, pi.id);
    const cancel = await rejection(t.stripe.paymentIntents.cancel(pi.id));
    assert.ok(cancel instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(cancel.payment_intent?.status, 'succeeded');
    const si = await t.stripe.setupIntents.create({ payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'] });
    const siCancel = await rejection(t.stripe.setupIntents.cancel(si.id));
    assert.ok(siCancel instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(siCancel.code, 'setup_intent_unexpected_state');
    assert.equal(siCancel.setup_intent?.id, si.id);
  });

  test('refunds.cancel exists and refuses a card refund, which never waits in requires_action', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id });
    const err = await rejection(t.stripe.refunds.cancel(refund.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 400);
    assert.match(err.message, /requires_action/);
    assert.equal((await t.stripe.refunds.retrieve(refund.id)).status, 'succeeded');
  });

  test('every brand number of Stripe\'s testing page makes a card of that brand', async () => {
    const brands: Array<[string, string, string]> = [
      ['2223003122003222', 'mastercard', 'credit'], ['5105105105105100', 'mastercard', 'prepaid'], ['371449635398431', 'amex', 'credit'],
      ['6011000990139424', 'discover', 'credit'], ['6011981111111113', 'discover', 'debit'], ['3056930009020004', 'diners', 'credit'],
      ['36227206271667', 'diners', 'credit'], ['3566002020360505', 'jcb', 'credit'], ['6200000000000005', 'unionpay', 'credit'],
    ];
    for (const [number, brand, funding] of brands) {
      const cvc = brand === 'amex' ? '1234' : '123';
      const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2040, cvc } });
      assert.equal(pm.card?.brand, brand, number);
      assert.equal(pm.card?.funding, funding, number);
      assert.equal(pm.card?.last4, number.slice(-4));
    }
  });

  test('a Stripe-Version with preview betas (`; name=v1`) is taken and echoed', async () => {
    const res = await rawApi(t.emu, 'GET', '/v1/customers', '', { 'Stripe-Version': '2026-10-28.endive; checkout_server_update_beta=v1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('stripe-version'), '2026-10-28.endive; checkout_server_update_beta=v1');
  });

  test('events.list takes type or types, not both', async () => {
    const err = await rejection(t.stripe.events.list({ type: 'customer.created', types: ['customer.updated'] }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'parameters_exclusive');
  });
});
