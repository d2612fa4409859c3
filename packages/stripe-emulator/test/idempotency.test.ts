import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { control, rawApi, rejection, sdk, useEmulator } from './helpers.js';

describe('stripe emulator: idempotency', () => {
  const t = useEmulator();

  const piForm = (customer: string, amount = 1000): string =>
    new URLSearchParams({ amount: String(amount), currency: 'usd', customer, 'allowed_payment_method_types[0]': 'card' }).toString();

  async function countIntents(customer: string): Promise<number> {
    return (await t.stripe.paymentIntents.list({ customer, limit: 100 })).data.length;
  }

  test('replays the first response byte for byte with Idempotent-Replayed', async () => {
    const c = await t.stripe.customers.create({});
    const key = `replay-${c.id}`;
    const first = await rawApi(t.emu, 'POST', '/v1/payment_intents', piForm(c.id), { 'Idempotency-Key': key });
    const firstBody = await first.text();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const second = await rawApi(t.emu, 'POST', '/v1/payment_intents', piForm(c.id), { 'Idempotency-Key': key });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(await second.text(), firstBody);
    const viaSdk = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id, allowed_payment_method_types: ['card'] }, { idempotencyKey: key });
    assert.equal(viaSdk.id, (JSON.parse(firstBody) as { id: string }).id);
    assert.equal(await countIntents(c.id), 1);
  });

  test('same key with other parameters or another path → StripeIdempotencyError', async () => {
    const key = `mismatch-${Date.now()}`;
    await t.stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: key });
    const params = await rejection(t.stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: key }));
    assert.ok(params instanceof Stripe.errors.StripeIdempotencyError);
    assert.equal(params.statusCode, 400);
    const path = await rejection(t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }, { idempotencyKey: key }));
    assert.ok(path instanceof Stripe.errors.StripeIdempotencyError);
  });

  test('50 concurrent identical requests create exactly one object', async () => {
    const c = await t.stripe.customers.create({});
    const key = `burst-${c.id}`;
    const results = await Promise.all(Array.from({ length: 50 }, () =>
      t.stripe.paymentIntents.create({ amount: 4200, currency: 'usd', customer: c.id, allowed_payment_method_types: ['card'] }, { idempotencyKey: key })));
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(await countIntents(c.id), 1);
  });

  test('declines (402) are stored and replayed; validation 400s are not stored', async () => {
    const key = `decline-${Date.now()}`;
    const params = { amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true, allowed_payment_method_types: ['card'] };
    const first = await rejection(t.stripe.paymentIntents.create(params, { idempotencyKey: key }));
    const second = await rejection(t.stripe.paymentIntents.create(params, { idempotencyKey: key }));
    assert.ok(first instanceof Stripe.errors.StripeCardError && second instanceof Stripe.errors.StripeCardError);
    assert.equal(second.payment_intent?.id, first.payment_intent?.id);
    assert.equal(second.headers?.['idempotent-replayed'], 'true');

    const key2 = `invalid-${Date.now()}`;
    const invalid = await rejection(t.stripe.customers.create({ bogus: 1 } as Stripe.CustomerCreateParams, { idempotencyKey: key2 }));
    assert.ok(invalid instanceof Stripe.errors.StripeInvalidRequestError);
    const ok = await t.stripe.customers.create({ email: 'fine@example.com' }, { idempotencyKey: key2 });
    assert.match(ok.id, /^cus_/);
  });

  test('keys are scoped per API key, ignored on GET, and limited to 255 characters', async () => {
    const key = `scoped-${Date.now()}`;
    const a = await t.stripe.customers.create({}, { idempotencyKey: key });
    const b = await sdk(t.emu, {}, 'sk_test_another_account').customers.create({}, { idempotencyKey: key });
    assert.notEqual(a.id, b.id);
    const get = await rawApi(t.emu, 'GET', `/v1/customers/${a.id}`, '', { 'Idempotency-Key': key });
    assert.equal(get.status, 200);
    const long = await rejection(t.stripe.customers.create({}, { idempotencyKey: 'k'.repeat(256) }));
    assert.ok(long instanceof Stripe.errors.StripeInvalidRequestError);
  });

  test('keys expire after 24 hours of emulator time', async () => {
    const key = `expiry-${Date.now()}`;
    const first = await t.stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: key });
    const clock = await control(t.emu, 'POST', '/_emulator/clock/advance', { seconds: 24 * 3600 + 1 });
    assert.equal(clock.status, 200);
    const second = await t.stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey: key });
    assert.notEqual(second.id, first.id);
    assert.ok(second.created >= first.created + 24 * 3600);
  });
});
