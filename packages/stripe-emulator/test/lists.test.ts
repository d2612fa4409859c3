import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import type { RunningStripeEmulator } from '../src/index.js';
import { rejection, sdk, startEmulator } from './helpers.js';

describe('stripe emulator: lists and pagination', () => {
  let emu: RunningStripeEmulator;
  let stripe: Stripe;
  const ids: string[] = [];
  before(async () => {
    emu = await startEmulator();
    stripe = sdk(emu);
    // Sequential so creation order (and same-second ties) is well defined.
    for (let i = 0; i < 25; i++) ids.push((await stripe.customers.create({ email: `p${i}@example.com` })).id);
  });
  after(() => emu.close());

  test('shape, newest first, default limit 10', async () => {
    const page = await stripe.customers.list();
    assert.equal(page.object, 'list');
    assert.equal(page.url, '/v1/customers');
    assert.equal(page.has_more, true);
    assert.deepEqual(page.data.map((c) => c.id), ids.slice().reverse().slice(0, 10));
  });

  test('autoPagingEach walks every object exactly once', async () => {
    const seen: string[] = [];
    await stripe.customers.list({ limit: 10 }).autoPagingEach((c) => {
      seen.push(c.id);
    });
    assert.equal(seen.length, 25);
    assert.deepEqual(seen, ids.slice().reverse());
  });

  test('starting_after and ending_before', async () => {
    const newestFirst = ids.slice().reverse();
    const after5 = await stripe.customers.list({ limit: 3, starting_after: newestFirst[4] });
    assert.deepEqual(after5.data.map((c) => c.id), newestFirst.slice(5, 8));
    const before5 = await stripe.customers.list({ limit: 3, ending_before: newestFirst[4] });
    assert.deepEqual(before5.data.map((c) => c.id), newestFirst.slice(1, 4));
    assert.equal(before5.has_more, true);
    const backwards: string[] = [];
    await stripe.customers.list({ limit: 4, ending_before: newestFirst[10] }).autoPagingEach((c) => {
      backwards.push(c.id);
    });
    assert.deepEqual(new Set(backwards), new Set(newestFirst.slice(0, 10)));
    assert.equal(backwards.length, 10);
    const last = await stripe.customers.list({ limit: 100, starting_after: newestFirst[24] });
    assert.deepEqual(last.data, []);
    assert.equal(last.has_more, false);
  });

  test('limit outside 1–100 and unknown cursors are refused', async () => {
    for (const limit of [0, 101]) {
      const err = await rejection(stripe.customers.list({ limit }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.param, 'limit');
    }
    const err = await rejection(stripe.customers.list({ starting_after: 'cus_nope' }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'resource_missing');
  });
});
