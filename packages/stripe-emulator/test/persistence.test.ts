import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { control, rawApi, sdk, startEmulator, startReceiver, waitFor } from './helpers.js';

describe('stripe emulator: persistence across restart', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stripe-emulator-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('objects, idempotency records, clock, challenges and pending deliveries survive a restart', async () => {
    let status = 503;
    const receiver = await startReceiver(() => status);
    try {
      const first = await startEmulator({ dataDir: dir, webhookRetryBaseMs: 50 });
      let stripe = sdk(first);
      const customer = await stripe.customers.create({ email: 'keep@example.com', source: 'tok_visa' });
      const token = await rawApi(first, 'POST', '/v1/tokens', 'card[number]=4000056655665556&card[cvc]=987&card[exp_month]=12&card[exp_year]=2040', { 'Idempotency-Key': 'token-key' });
      assert.equal(token.status, 200);
      const pi = await stripe.paymentIntents.create({ amount: 1234, currency: 'usd', customer: customer.id, allowed_payment_method_types: ['card'] }, { idempotencyKey: 'persist-key' });
      const challenged = await stripe.paymentIntents.create({ amount: 999, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, allowed_payment_method_types: ['card'] });
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.updated'] });
      await stripe.customers.update(customer.id, { name: 'Kept' });
      await waitFor(() => (receiver.attempts() >= 1 ? true : undefined), 5000, 'a failed delivery');
      await control(first, 'POST', '/_emulator/clock/advance', { seconds: 3600 });
      const clockBefore = (await control(first, 'GET', '/_emulator/clock')).json;
      await first.close();

      const file = await readFile(join(dir, 'objects.log'), 'utf8');
      assert.ok(file.includes('keep@example.com'), 'objects are in the log');
      assert.ok(!file.includes('4000056655665556'), 'no card numbers at rest, not even in idempotency records');
      assert.ok(!file.includes('cvc]=') && !file.includes('"cvc":'), 'no CVC at rest');
      assert.ok(!file.includes('sk_test_'), 'no API keys at rest');
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'objects.log'))).mode & 0o777, 0o600);

      status = 200;
      const second = await startEmulator({ dataDir: dir, webhookRetryBaseMs: 50 });
      try {
        stripe = sdk(second);
        const kept = (await stripe.customers.retrieve(customer.id, { expand: ['default_source'] })) as Stripe.Customer;
        assert.equal(kept.email, 'keep@example.com');
        assert.equal(kept.name, 'Kept');
        assert.equal((kept.default_source as Stripe.Card).last4, '4242');
        const replay = await stripe.paymentIntents.create({ amount: 1234, currency: 'usd', customer: customer.id, allowed_payment_method_types: ['card'] }, { idempotencyKey: 'persist-key' });
        assert.equal(replay.id, pi.id);
        const clockAfter = (await control(second, 'GET', '/_emulator/clock')).json;
        assert.equal(clockAfter.offsetSeconds, clockBefore.offsetSeconds);
        const hook = await waitFor(() => receiver.hooks[0], 5000, 'redelivery after restart');
        const event = stripe.webhooks.constructEvent(hook.body, hook.signature, we.secret ?? '');
        assert.equal(event.type, 'customer.updated');
        const res = await fetch(challenged.next_action!.redirect_to_url!.url!.replace(/^http:\/\/[^/]+/, second.url), { method: 'POST', body: new URLSearchParams({ action: 'complete' }) });
        assert.equal(res.status, 200);
        assert.equal((await stripe.paymentIntents.retrieve(challenged.id)).status, 'succeeded');
        assert.deepEqual((await stripe.paymentIntents.list({ limit: 2 })).data.map((p) => p.id), [challenged.id, pi.id]);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
    }
  });
});
