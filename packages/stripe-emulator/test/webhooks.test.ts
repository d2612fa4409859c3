import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import type { RunningStripeEmulator } from '../src/index.js';
import { control, rejection, sdk, startEmulator, startReceiver, waitFor } from './helpers.js';

describe('stripe emulator: events and webhooks', () => {
  let emu: RunningStripeEmulator;
  let stripe: Stripe;
  before(async () => {
    emu = await startEmulator({ webhookRetryBaseMs: 25 });
    stripe = sdk(emu);
  });
  after(() => emu.close());

  test('endpoints: secret only on create; list, retrieve, delete', async () => {
    const we = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/none', enabled_events: ['charge.succeeded'] });
    assert.match(we.id, /^we_/);
    assert.match(we.secret ?? '', /^whsec_/);
    const fetched = await stripe.webhookEndpoints.retrieve(we.id);
    assert.equal(fetched.secret, undefined);
    assert.ok((await stripe.webhookEndpoints.list()).data.some((x) => x.id === we.id && x.secret === undefined));
    const gone = await stripe.webhookEndpoints.del(we.id);
    assert.equal(gone.deleted, true);
    const err = await rejection(stripe.webhookEndpoints.retrieve(we.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    const missing = await rejection(stripe.webhookEndpoints.create({ url: 'http://x.example/h' } as Stripe.WebhookEndpointCreateParams));
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
  });

  test('state changes emit events with the request that caused them', async () => {
    const c = await stripe.customers.create({ email: 'ev@example.com' }, { idempotencyKey: 'ev-key-1' });
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id, payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'] });
    const events = await stripe.events.list({ limit: 100 });
    const created = events.data.find((e) => e.type === 'customer.created' && (e.data.object as Stripe.Customer).id === c.id);
    assert.ok(created);
    assert.match(created.id, /^evt_/);
    assert.equal(created.api_version, Stripe.API_VERSION);
    assert.equal(created.livemode, false);
    assert.equal(created.request?.idempotency_key, 'ev-key-1');
    assert.match(created.request?.id ?? '', /^req_/);
    const types = events.data.filter((e) => (e.data.object as { id: string }).id === pi.id || (e.data.object as Stripe.Charge).payment_intent === pi.id).map((e) => e.type);
    assert.deepEqual(new Set(types), new Set(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']));
    const succeeded = events.data.find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === pi.id);
    assert.equal((succeeded?.data.previous_attributes as { status?: string } | undefined)?.status, 'requires_confirmation');
    const charges = await stripe.events.list({ type: 'charge.*', limit: 100 });
    assert.ok(charges.data.length > 0 && charges.data.every((e) => e.type.startsWith('charge.')));
    const one = await stripe.events.retrieve(created.id);
    assert.equal(one.type, 'customer.created');
    const future = await stripe.events.list({ created: { gt: Math.floor(Date.now() / 1000) + 3600 } });
    assert.equal(future.data.length, 0);
  });

  test('an update event names exactly the fields that changed, with their old values', async () => {
    const c = await stripe.customers.create({ email: 'prev@example.com', name: 'Before', metadata: { a: '1' }, address: { city: 'Oslo' } });
    await stripe.customers.update(c.id, { name: 'After', address: { city: 'Oslo' }, metadata: { b: '2' } });
    const events = await stripe.events.list({ type: 'customer.updated', limit: 100 });
    const updated = events.data.find((e) => (e.data.object as Stripe.Customer).id === c.id);
    const previous = updated?.data.previous_attributes as Record<string, unknown> | undefined;
    assert.deepEqual(Object.keys(previous ?? {}).sort(), ['metadata', 'name'], 'the address was set to what it was: unchanged');
    assert.equal(previous?.name, 'Before');
    assert.equal((updated?.data.object as Stripe.Customer).name, 'After');
  });

  test('delivers signed events that constructEvent accepts', async () => {
    const receiver = await startReceiver();
    try {
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created', 'payment_intent.succeeded'] });
      const c = await stripe.customers.create({ email: 'hook@example.com' });
      const hook = await waitFor(() => receiver.hooks.find((h) => h.body.includes(c.id)), 5000, 'customer.created delivery');
      const event = stripe.webhooks.constructEvent(hook.body, hook.signature, we.secret ?? '');
      assert.equal(event.type, 'customer.created');
      assert.equal((event.data.object as Stripe.Customer).id, c.id);
      assert.throws(() => stripe.webhooks.constructEvent(hook.body, hook.signature, 'whsec_wrong'));
      await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 1, exp_year: 2040 } });
      assert.ok(receiver.hooks.every((h) => !h.body.includes('"payment_method"')), 'unsubscribed types are not delivered');
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      await receiver.close();
    }
  });

  test('redelivers after the receiver first answers 500', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 500 : 200));
    try {
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
      const c = await stripe.customers.create({ email: 'retry@example.com' });
      const hook = await waitFor(() => receiver.hooks.find((h) => h.body.includes(c.id)), 5000, 'redelivery');
      assert.ok(receiver.attempts() >= 2);
      const event = stripe.webhooks.constructEvent(hook.body, hook.signature, we.secret ?? '');
      await waitFor(async () => ((await stripe.events.retrieve(event.id)).pending_webhooks === 0 ? true : undefined), 5000, 'pending_webhooks to drain');
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      await receiver.close();
    }
  });

  test('an unreachable endpoint does not block API responses and is retried', async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      const started = Date.now();
      await stripe.customers.create({});
      assert.ok(Date.now() - started < 1000);
      await waitFor(() => (receiver.attempts() >= 3 ? true : undefined), 5000, 'three attempts');
      const pending = await control(emu, 'GET', '/_emulator/webhooks');
      assert.ok(Array.isArray(pending.json.pending));
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      await receiver.close();
    }
  });
});
