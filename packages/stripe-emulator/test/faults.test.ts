import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import type { RunningStripeEmulator } from '../src/index.js';
import { control, rawApi, rejection, sdk, startEmulator, waitFor } from './helpers.js';

describe('stripe emulator: fault injection and SDK retries', () => {
  let emu: RunningStripeEmulator;
  let stripe: Stripe;
  let retrying: Stripe;
  before(async () => {
    emu = await startEmulator();
    stripe = sdk(emu);
    retrying = sdk(emu, { maxNetworkRetries: 2 });
  });
  afterEach(() => control(emu, 'DELETE', '/_emulator/faults'));
  after(() => emu.close());

  async function intentsOf(customer: string): Promise<Stripe.PaymentIntent[]> {
    return (await stripe.paymentIntents.list({ customer, limit: 100 })).data;
  }

  const create = (client: Stripe, customer: string): Promise<Stripe.PaymentIntent> =>
    client.paymentIntents.create({ amount: 1000, currency: 'usd', customer, allowed_payment_method_types: ['card'] });

  for (const executeBeforeFault of [false, true]) {
    test(`http500 (executeBeforeFault=${executeBeforeFault}): SDK retries converge on one object`, async () => {
      const c = await stripe.customers.create({});
      await control(emu, 'POST', '/_emulator/faults', { method: 'POST', path: '/v1/payment_intents', count: 2, kind: 'http500', executeBeforeFault });
      const pi = await create(retrying, c.id);
      assert.deepEqual((await intentsOf(c.id)).map((p) => p.id), [pi.id]);
    });

    test(`drop (executeBeforeFault=${executeBeforeFault}): the retried call converges on one object`, async () => {
      const c = await stripe.customers.create({});
      await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', kind: 'drop', executeBeforeFault });
      const pi = await create(retrying, c.id);
      assert.deepEqual((await intentsOf(c.id)).map((p) => p.id), [pi.id]);
    });
  }

  test('without retries an injected 500 surfaces as StripeAPIError and nothing is created', async () => {
    const c = await stripe.customers.create({});
    await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', kind: 'http500' });
    const err = await rejection(create(stripe, c.id));
    assert.ok(err instanceof Stripe.errors.StripeAPIError);
    assert.equal(err.statusCode, 500);
    assert.equal((await intentsOf(c.id)).length, 0);
  });

  test('executeBeforeFault: the caller sees a 500 but the work happened; a retry with the key gets the object', async () => {
    const c = await stripe.customers.create({});
    const key = `lost-${c.id}`;
    await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', kind: 'http500', executeBeforeFault: true });
    const params = { amount: 1000, currency: 'usd', customer: c.id, allowed_payment_method_types: ['card'] };
    const err = await rejection(stripe.paymentIntents.create(params, { idempotencyKey: key }));
    assert.ok(err instanceof Stripe.errors.StripeAPIError);
    const [existing] = await intentsOf(c.id);
    assert.ok(existing, 'the intent was created despite the 500');
    const retried = await stripe.paymentIntents.create(params, { idempotencyKey: key });
    assert.equal(retried.id, existing.id);
  });

  test('http429 → StripeRateLimitError, not stored under the key', async () => {
    const c = await stripe.customers.create({});
    await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', kind: 'http429' });
    const key = `rl-${c.id}`;
    const err = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id }, { idempotencyKey: key }));
    assert.ok(err instanceof Stripe.errors.StripeRateLimitError);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id }, { idempotencyKey: key });
    assert.match(pi.id, /^pi_/);
  });

  test('hang holds the key (409 meanwhile), then drops; SDK timeouts and retries still yield one object', async () => {
    const c = await stripe.customers.create({});
    const key = `hang-${c.id}`;
    const form = new URLSearchParams({ amount: '1000', currency: 'usd', customer: c.id }).toString();
    await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', match: 'exact', kind: 'hang', hangMs: 400 });
    const hung = rawApi(emu, 'POST', '/v1/payment_intents', form, { 'Idempotency-Key': key }).then(() => 'answered', () => 'dropped');
    await waitFor(async () => ((await control(emu, 'GET', '/_emulator/faults')).json.faults as unknown[]).length === 0 || undefined);
    const inUse = await rawApi(emu, 'POST', '/v1/payment_intents', form, { 'Idempotency-Key': key });
    assert.equal(inUse.status, 409);
    const body = (await inUse.json()) as { error: { type: string; code: string } };
    assert.deepEqual([body.error.type, body.error.code], ['idempotency_error', 'idempotency_key_in_use']);
    assert.equal(await hung, 'dropped');
    assert.equal((await intentsOf(c.id)).length, 0, 'an unexecuted hang creates nothing');

    await control(emu, 'POST', '/_emulator/faults', { path: '/v1/payment_intents', kind: 'hang', hangMs: 1000 });
    const client = sdk(emu, { maxNetworkRetries: 3, timeout: 300 });
    const pi = await create(client, c.id);
    assert.deepEqual((await intentsOf(c.id)).map((p) => p.id), [pi.id]);
  });

  test('prefix matching hits sub-paths; method filters; count is honoured; the emulator keeps serving', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] });
    await control(emu, 'POST', '/_emulator/faults', { method: 'POST', path: '/v1/payment_intents', count: 2, kind: 'http500' });
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).id, pi.id, 'GET is not matched by a POST rule');
    assert.ok((await rejection(stripe.paymentIntents.confirm(pi.id))) instanceof Stripe.errors.StripeAPIError);
    assert.ok((await rejection(stripe.paymentIntents.confirm(pi.id))) instanceof Stripe.errors.StripeAPIError);
    assert.equal((await stripe.paymentIntents.confirm(pi.id)).status, 'succeeded');
    const health = await control(emu, 'GET', '/_emulator/health');
    assert.equal(health.json.status, 'ok');
  });

  test('the control surface validates fault rules', async () => {
    const bad = await control(emu, 'POST', '/_emulator/faults', { path: '/v1/x', kind: 'explode' });
    assert.equal(bad.status, 400);
    assert.equal((bad.json.error as { type: string }).type, 'invalid_request_error');
    const noPath = await control(emu, 'POST', '/_emulator/faults', { kind: 'drop' });
    assert.equal(noPath.status, 400);
    const res = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: '{not json' });
    assert.equal(res.status, 400);
  });

  test('a rate fails only that share of matching calls, and spared calls do not use up the count', async () => {
    const stripe = sdk(emu);
    const rule = await control(emu, 'POST', '/_emulator/faults', { path: '/v1/customers', method: 'POST', kind: 'http500', rate: 0.5, count: 1000 });
    assert.equal(rule.status, 200);
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      await stripe.customers.create({ email: `rate-${i}@example.com` }).catch(() => (failed += 1));
    }
    assert.ok(failed > 40 && failed < 160, `about half failed: ${failed}`);
    const faults = (await control(emu, 'GET', '/_emulator/faults')).json.faults as Array<{ remaining: number }>;
    assert.equal(faults[0]?.remaining, 1000 - failed);
    await control(emu, 'DELETE', '/_emulator/faults');
  });

  test('a rate outside (0, 1] is refused', async () => {
    const response = await control(emu, 'POST', '/_emulator/faults', { path: '/v1/customers', kind: 'http500', rate: 1.5 });
    assert.equal(response.status, 400);
  });
});

describe('stripe emulator: the keyless control surface is not a web page’s to drive', () => {
  let emu: RunningStripeEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  test('a cross-origin text/plain POST (no preflight in a browser) cannot add a fault or reset the state', async () => {
    const customer = await sdk(emu).customers.create({ email: 'kept@example.com' });
    const evil = { origin: 'http://evil.example', 'content-type': 'text/plain' };
    const fault = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', headers: evil, body: JSON.stringify({ path: '/v1/payment_intents', kind: 'http500' }) });
    assert.equal(fault.status, 403);
    const reset = await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(reset.status, 403);
    assert.equal(((await control(emu, 'GET', '/_emulator/faults')).json.faults as unknown[]).length, 0);
    assert.equal((await sdk(emu).customers.retrieve(customer.id)).id, customer.id);
  });
});
