import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { rejection, useEmulator } from './helpers.js';

const card = { allowed_payment_method_types: ['card'] };

describe('stripe emulator: setup intents', () => {
  const t = useEmulator();

  test('confirm=true succeeds and attaches the payment method to the customer', async () => {
    const c = await t.stripe.customers.create({});
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 9, exp_year: 2037, cvc: '123' } });
    const si = await t.stripe.setupIntents.create({ customer: c.id, payment_method: pm.id, confirm: true, usage: 'off_session', ...card });
    assert.match(si.id, /^seti_/);
    assert.match(si.client_secret ?? '', new RegExp(`^${si.id}_secret_`));
    assert.equal(si.status, 'succeeded');
    assert.equal(si.payment_method, pm.id);
    assert.match(String(si.latest_attempt), /^setatt_/);
    assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, c.id);
  });

  test('statuses: requires_payment_method → requires_confirmation → succeeded; final states refuse changes', async () => {
    const c = await t.stripe.customers.create({});
    const si = await t.stripe.setupIntents.create({ customer: c.id, ...card });
    assert.equal(si.status, 'requires_payment_method');
    const updated = await t.stripe.setupIntents.update(si.id, { payment_method: 'pm_card_mastercard', metadata: { a: '1' } });
    assert.equal(updated.status, 'requires_confirmation');
    const done = await t.stripe.setupIntents.confirm(si.id, { expand: ['payment_method'] });
    assert.equal(done.status, 'succeeded');
    assert.equal((done.payment_method as Stripe.PaymentMethod).customer, c.id);
    const again = await rejection(t.stripe.setupIntents.confirm(si.id));
    assert.ok(again instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(again.code, 'setup_intent_unexpected_state');
    const cancel = await rejection(t.stripe.setupIntents.cancel(si.id));
    assert.ok(cancel instanceof Stripe.errors.StripeInvalidRequestError);
    const list = await t.stripe.setupIntents.list({ customer: c.id });
    assert.deepEqual(list.data.map((x) => x.id), [si.id]);
  });

  test('refuses a payment method attached to another customer', async () => {
    const owner = await t.stripe.customers.create({});
    const other = await t.stripe.customers.create({});
    const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: owner.id });
    const err = await rejection(t.stripe.setupIntents.create({ customer: other.id, payment_method: pm.id, confirm: true, ...card }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 400);
    assert.equal(err.param, 'payment_method');
    assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, owner.id);
  });

  test('a declining card fails setup with 402 and setup_intent embedded', async () => {
    const c = await t.stripe.customers.create({});
    const err = await rejection(t.stripe.setupIntents.create({ customer: c.id, payment_method: 'pm_card_chargeDeclined', confirm: true, ...card }));
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.equal(err.decline_code, 'generic_decline');
    assert.equal(err.setup_intent?.status, 'requires_payment_method');
    assert.equal(err.setup_intent?.last_setup_error?.code, 'card_declined');
    const pms = await t.stripe.paymentMethods.list({ customer: c.id });
    assert.equal(pms.data.length, 0);
  });

  test('3-D Secure on setup: complete attaches, fail reports setup_intent_authentication_failure', async () => {
    const c = await t.stripe.customers.create({});
    const si = await t.stripe.setupIntents.create({ customer: c.id, payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://app.example/saved' });
    assert.equal(si.status, 'requires_action');
    const url = si.next_action?.redirect_to_url?.url ?? '';
    assert.ok(url.endsWith(`/_emulator/3ds/${si.id}?client_secret=${encodeURIComponent(si.client_secret!)}`), url);
    for (const without of [url.split('?')[0]!, `${url.split('?')[0]!}?client_secret=seti_guess_secret_x`]) {
      const opened = await fetch(without, { method: 'POST', body: new URLSearchParams({ action: 'complete' }), redirect: 'manual' });
      assert.equal(opened.status, 404, 'the id alone, or a wrong secret, opens no challenge');
      assert.doesNotMatch(await opened.text(), /secret/);
    }
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'complete' }), redirect: 'manual' });
    assert.equal(res.status, 303);
    const loc = new URL(res.headers.get('location') ?? '');
    assert.equal(loc.searchParams.get('setup_intent'), si.id);
    const done = await t.stripe.setupIntents.retrieve(si.id);
    assert.equal(done.status, 'succeeded');
    assert.equal((await t.stripe.paymentMethods.retrieve(String(done.payment_method))).customer, c.id);

    const si2 = await t.stripe.setupIntents.create({ customer: c.id, payment_method: 'pm_card_threeDSecure2Required', confirm: true, ...card });
    await fetch(si2.next_action?.redirect_to_url?.url ?? '', { method: 'POST', body: new URLSearchParams({ action: 'fail' }) });
    const failed = await t.stripe.setupIntents.retrieve(si2.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_setup_error?.code, 'setup_intent_authentication_failure');
  });

  test('cancel moves to canceled with the reason', async () => {
    const si = await t.stripe.setupIntents.create({ ...card });
    const canceled = await t.stripe.setupIntents.cancel(si.id, { cancellation_reason: 'abandoned' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'abandoned');
  });
});
