import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { rawApi, rejection, sdk, useEmulator } from './helpers.js';

describe('stripe emulator: customers, tokens, payment methods', () => {
  const t = useEmulator();

  test('creates, retrieves, updates, lists by email and deletes a customer', async () => {
    const email = `c-${Date.now()}@example.com`;
    const c = await t.stripe.customers.create({ email, name: 'Ada', metadata: { plan: 'pro' } });
    assert.match(c.id, /^cus_/);
    assert.equal(c.object, 'customer');
    assert.equal(c.email, email);
    assert.deepEqual({ ...c.metadata }, { plan: 'pro' });
    assert.match(c.lastResponse.requestId, /^req_/);

    const updated = await t.stripe.customers.update(c.id, { name: 'Ada L', metadata: { plan: '' , tier: 'a' } });
    assert.equal(updated.name, 'Ada L');
    assert.deepEqual({ ...updated.metadata }, { tier: 'a' });
    const cleared = await t.stripe.customers.update(c.id, { description: 'x' });
    assert.equal(cleared.description, 'x');
    assert.equal((await t.stripe.customers.update(c.id, { description: '' })).description, null);

    await t.stripe.customers.create({ email: 'other@example.com' });
    const listed = await t.stripe.customers.list({ email });
    assert.deepEqual(listed.data.map((x) => x.id), [c.id]);

    const deleted = await t.stripe.customers.del(c.id);
    assert.deepEqual({ id: deleted.id, deleted: deleted.deleted }, { id: c.id, deleted: true });
    const again = await t.stripe.customers.retrieve(c.id);
    assert.equal(again.deleted, true);
    const err = await rejection(t.stripe.customers.update(c.id, { name: 'x' }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'resource_missing');
  });

  test('missing objects answer 404 resource_missing with Stripe\'s exact wording', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [t.stripe.customers.retrieve('cus_missing'), "No such customer: 'cus_missing'"],
      [t.stripe.paymentIntents.retrieve('pi_missing'), "No such payment_intent: 'pi_missing'"],
      [t.stripe.setupIntents.retrieve('seti_missing'), "No such setupintent: 'seti_missing'"],
      [t.stripe.paymentMethods.retrieve('pm_missing'), "No such PaymentMethod: 'pm_missing'"],
      [t.stripe.tokens.retrieve('tok_missing'), "No such token: 'tok_missing'"],
      [t.stripe.charges.retrieve('ch_missing'), "No such charge: 'ch_missing'"],
      [t.stripe.refunds.retrieve('re_missing'), "No such refund: 're_missing'"],
      [t.stripe.events.retrieve('evt_missing'), "No such event: 'evt_missing'"],
      [t.stripe.webhookEndpoints.retrieve('we_missing'), "No such webhook_endpoint: 'we_missing'"],
    ];
    for (const [call, message] of cases) {
      const err = await rejection(call);
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, message);
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.message, message);
    }
  });

  test('validates parameters: unknown, missing, wrong type', async () => {
    const unknown = await rejection(t.stripe.customers.create({ emial: 'x' } as Stripe.CustomerCreateParams));
    assert.ok(unknown instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(unknown.code, 'parameter_unknown');
    assert.equal(unknown.param, 'emial');

    const nested = await rejection(t.stripe.customers.create({ invoice_settings: { default_payment_method: '', nope: 1 } } as Stripe.CustomerCreateParams));
    assert.ok(nested instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(nested.param, 'invoice_settings[nope]');

    const missing = await rejection(t.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(missing.code, 'parameter_missing');
    assert.equal(missing.param, 'amount');

    const badInt = await rejection(t.stripe.paymentIntents.create({ amount: 'ten' as unknown as number, currency: 'usd' }));
    assert.ok(badInt instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(badInt.code, 'parameter_invalid_integer');
    assert.equal(badInt.param, 'amount');
  });

  test('rejects missing or non-test API keys with 401', async () => {
    const err = await rejection(sdk(t.emu, {}, 'sk_live_abcdefghijklmnop').customers.list());
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError);
    assert.equal(err.statusCode, 401);
    assert.ok(!err.message.includes('sk_live_abcdefghijklmnop'), 'the key is not echoed in full');
    const res = await fetch(`${t.emu.url}/v1/customers`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    const basic = await fetch(`${t.emu.url}/v1/customers`, { headers: { Authorization: `Basic ${Buffer.from('sk_test_x:').toString('base64')}` } });
    assert.equal(basic.status, 200);
  });

  test('source: tok_visa on create becomes default_source and is listed', async () => {
    const c = await t.stripe.customers.create({ source: 'tok_visa', expand: ['default_source', 'sources'] });
    const card = c.default_source as Stripe.Card;
    assert.match(card.id, /^card_/);
    assert.equal(card.last4, '4242');
    assert.equal(card.brand, 'Visa');
    assert.equal(card.customer, c.id);
    assert.equal(c.sources?.data.length, 1);
    const second = await t.stripe.customers.createSource(c.id, { source: 'tok_mastercard' });
    assert.equal((second as Stripe.Card).last4, '4444');
    const sources = await t.stripe.customers.listSources(c.id, { object: 'card' });
    assert.deepEqual(new Set(sources.data.map((s) => s.id)), new Set([card.id, second.id]));
    assert.equal((await t.stripe.customers.retrieve(c.id) as Stripe.Customer).default_source, card.id);
  });

  test('card tokens are single use and never echo the number', async () => {
    const tok = await t.stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2034', cvc: '123' } } as Stripe.TokenCreateParams);
    assert.match(tok.id, /^tok_/);
    assert.equal(tok.card?.last4, '4242');
    assert.equal(tok.used, false);
    assert.ok(!JSON.stringify(tok).includes('4242424242424242'));
    await t.stripe.customers.create({ source: tok.id });
    const err = await rejection(t.stripe.customers.create({ source: tok.id }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'token_already_used');
    assert.equal((await t.stripe.tokens.retrieve(tok.id)).used, true);
  });

  test('bad card numbers fail as card errors; decline tokens fail on attach', async () => {
    const wrong = await rejection(t.stripe.tokens.create({ card: { number: '4242424242424241', exp_month: '12', exp_year: '2034' } } as Stripe.TokenCreateParams));
    assert.ok(wrong instanceof Stripe.errors.StripeCardError);
    assert.equal(wrong.code, 'incorrect_number');
    const declined = await rejection(t.stripe.customers.create({ source: 'tok_chargeDeclined' }));
    assert.ok(declined instanceof Stripe.errors.StripeCardError);
    assert.equal(declined.decline_code, 'generic_decline');
    const c = await t.stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    assert.ok(c.default_source, '0341 attaches fine');
  });

  test('a Connect token from a customer needs Stripe-Account and copies the default card', async () => {
    const c = await t.stripe.customers.create({ source: 'tok_mastercard' });
    const tok = await t.stripe.tokens.create({ customer: c.id }, { stripeAccount: 'acct_connected123' });
    assert.match(tok.id, /^tok_/);
    assert.equal(tok.card?.last4, '4444');
    assert.notEqual(tok.card?.id, c.default_source);
    const err = await rejection(t.stripe.tokens.create({ customer: c.id }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
  });

  test('payment methods: create, attach, list, default, detach', async () => {
    const c = await t.stripe.customers.create({});
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '5555555555554444', exp_month: 4, exp_year: 2035, cvc: '314' } });
    assert.match(pm.id, /^pm_/);
    assert.equal(pm.card?.brand, 'mastercard');
    assert.equal(pm.customer, null);
    const attached = await t.stripe.paymentMethods.attach(pm.id, { customer: c.id });
    assert.equal(attached.customer, c.id);
    const named = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: c.id });
    assert.match(named.id, /^pm_/);
    assert.notEqual(named.id, 'pm_card_visa');
    const list = await t.stripe.paymentMethods.list({ customer: c.id, type: 'card' });
    assert.deepEqual(list.data.map((p) => p.id), [named.id, pm.id]);

    const updated = await t.stripe.customers.update(c.id, { invoice_settings: { default_payment_method: pm.id }, expand: ['invoice_settings.default_payment_method'] });
    assert.equal((updated.invoice_settings.default_payment_method as Stripe.PaymentMethod).id, pm.id);
    const other = await t.stripe.customers.create({});
    const taken = await rejection(t.stripe.paymentMethods.attach(pm.id, { customer: other.id }));
    assert.ok(taken instanceof Stripe.errors.StripeInvalidRequestError);

    const detached = await t.stripe.paymentMethods.detach(pm.id);
    assert.equal(detached.customer, null);
    const after = await t.stripe.customers.retrieve(c.id) as Stripe.Customer;
    assert.equal(after.invoice_settings.default_payment_method, null);
    const declined = await rejection(t.stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: c.id }));
    assert.ok(declined instanceof Stripe.errors.StripeCardError);
    assert.equal(declined.decline_code, 'insufficient_funds');
  });

  test('payment_method[card][token] makes a PaymentMethod from a token', async () => {
    const tok = await t.stripe.tokens.create({ card: { number: '4000056655665556', exp_month: '1', exp_year: '2033' } } as Stripe.TokenCreateParams);
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { token: tok.id } });
    assert.equal(pm.card?.funding, 'debit');
    assert.equal(pm.card?.last4, '5556');
  });

  test('every response carries a Request-Id header', async () => {
    const res = await rawApi(t.emu, 'GET', '/v1/customers?limit=1');
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    const missing = await rawApi(t.emu, 'GET', '/v1/nothing');
    assert.equal(missing.status, 404);
    const body = (await missing.json()) as { error: { code: string; type: string } };
    assert.equal(body.error.code, 'unrecognized_request_url');
    assert.match(missing.headers.get('request-id') ?? '', /^req_/);
  });
});
