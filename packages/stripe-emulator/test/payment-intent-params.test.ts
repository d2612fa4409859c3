import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { cardData, cardPi, rawApi, rejection, useEmulator } from './helpers.js';

// Parameters the SDK sends to the PaymentIntent routes, which Stripe takes (docs: Create/Confirm a PaymentIntent).
describe('stripe emulator: PaymentIntent parameters Stripe takes', () => {
  const t = useEmulator();

  test('payment_method_data makes the method the intent is confirmed with; not together with payment_method', async () => {
    const pi = await t.stripe.paymentIntents.create({
      amount: 1000, currency: 'usd', confirm: true, ...cardPi,
      payment_method_data: cardData({ type: 'card', card: { token: 'tok_mastercard' }, billing_details: { name: 'Ada' } }),
    });
    assert.equal(pi.status, 'succeeded');
    const pm = await t.stripe.paymentMethods.retrieve(String(pi.payment_method));
    assert.equal(pm.card?.brand, 'mastercard');
    assert.equal(pm.billing_details.name, 'Ada');
    const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...cardPi });
    const confirmed = await t.stripe.paymentIntents.confirm(open.id, { payment_method_data: cardData({ type: 'card', card: { token: 'tok_visa' } }) });
    assert.equal(confirmed.status, 'succeeded');
    const both = await rejection(t.stripe.paymentIntents.create({
      amount: 1000, currency: 'usd', ...cardPi, payment_method: 'pm_card_visa', payment_method_data: cardData({ type: 'card', card: { token: 'tok_visa' } }),
    }));
    assert.ok(both instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(both.code, 'parameters_exclusive');
  });

  test('payment_method_options[card]: capture_method and setup_future_usage act at card level; the rest is kept', async () => {
    const customer = await t.stripe.customers.create({});
    const pi = await t.stripe.paymentIntents.create({
      amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, ...cardPi,
      payment_method_options: { card: { capture_method: 'manual', setup_future_usage: 'off_session', request_extended_authorization: 'if_available', moto: true, three_d_secure: { cryptogram: 'x', transaction_id: 't', version: '2.2.0' } } },
    });
    assert.equal(pi.status, 'requires_capture');
    assert.equal(pi.amount_capturable, 1000);
    assert.equal(pi.payment_method_options?.card?.capture_method, 'manual');
    assert.equal(pi.payment_method_options?.card?.request_extended_authorization, 'if_available');
    assert.equal((await t.stripe.paymentMethods.retrieve(String(pi.payment_method))).customer, customer.id);
  });

  test('use_stripe_sdk, radar_options, mandate_data and excluded_payment_method_types are accepted', async () => {
    const pi = await t.stripe.paymentIntents.create({
      amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, use_stripe_sdk: true,
      radar_options: { session: 'rs_1' }, excluded_payment_method_types: ['link'],
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      mandate_data: { customer_acceptance: { type: 'offline' } },
    });
    assert.equal(pi.status, 'succeeded');
    assert.deepEqual(pi.excluded_payment_method_types, ['link']);
  });
  test('string limits count characters, as Stripe does: an emoji is one character, not two UTF-16 units', async () => {
    const emoji = '\u{1F600}';
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...cardPi, description: emoji.repeat(1000), metadata: { [emoji.repeat(40)]: emoji.repeat(500) } });
    assert.equal(Array.from(pi.description ?? '').length, 1000);
    assert.equal(pi.metadata[emoji.repeat(40)], emoji.repeat(500));
    const tooLong = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...cardPi, description: emoji.repeat(1001) }));
    assert.ok(tooLong instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(tooLong.param, 'description');
    assert.ok(tooLong.message.startsWith(`Invalid string: ${emoji.repeat(20)}...`), 'the message quotes whole characters');
    const longKey = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...cardPi, metadata: { [emoji.repeat(41)]: 'x' } }));
    assert.ok(longKey instanceof Stripe.errors.StripeInvalidRequestError);
  });
  test('a payment method type Stripe does not know is refused, naming the parameter', async () => {
    for (const params of [{ payment_method_types: ['card', 'bogus_type'] }, { allowed_payment_method_types: ['bogus_type'] }, { ...cardPi, excluded_payment_method_types: ['bogus_type'] }]) {
      const refused = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...params } as Stripe.PaymentIntentCreateParams));
      assert.ok(refused instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(refused.code, 'payment_intent_invalid_parameter');
    }
    const refusedSetup = await rejection(t.stripe.setupIntents.create({ payment_method_types: ['bogus_type'] } as Stripe.SetupIntentCreateParams));
    assert.ok(refusedSetup instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal((await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', allowed_payment_method_types: ['card', 'link'] })).status, 'requires_payment_method');
  });

  test('a parameter sent twice is its last value, as Rack reads it; a list or hash for an integer is an invalid integer', async () => {
    const twice = await rawApi(t.emu, 'POST', '/v1/payment_intents', 'amount=1000&amount=1500&currency=usd');
    assert.equal(twice.status, 200);
    assert.equal(((await twice.json()) as { amount: number }).amount, 1500);
    for (const amount of ['amount[]=1000', 'amount[value]=1000']) {
      const res = await rawApi(t.emu, 'POST', '/v1/payment_intents', `${amount}&currency=usd`);
      assert.equal(res.status, 400, amount);
      const { error } = (await res.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(error.code, 'parameter_invalid_integer');
      assert.equal(error.param, 'amount');
      assert.match(error.message, /^Invalid integer: /);
    }
  });
});
