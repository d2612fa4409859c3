import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { control, rejection, useEmulator } from './helpers.js';

describe('stripe emulator: customer email addresses', () => {
  const t = useEmulator();

  // Addresses Stripe answers "Invalid email address: …" for (each seen in real error reports).
  const invalid = ['odatakeryu', 'otameshi@com', ' k.shimizu@gmail.com', 'kalkidan2@gmile', 'paaso＠icloud.com', 'a b@example.com', 'a@@example.com'];

  test('customers.create refuses an invalid email with 400 email_invalid on param email, and creates nothing', async () => {
    const count = async (): Promise<number> => ((await control(t.emu, 'GET', '/_emulator/health')).json.objects as Record<string, number>).customer ?? 0;
    const before = await count();
    for (const email of invalid) {
      const err = await rejection(t.stripe.customers.create({ email, name: 'Nobody' }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, email);
      assert.equal(err.statusCode, 400, email);
      assert.equal(err.type, 'StripeInvalidRequestError');
      assert.equal(err.code, 'email_invalid', email);
      assert.equal(err.param, 'email', email);
      assert.equal(err.message, `Invalid email address: ${email}`);
    }
    assert.equal(await count(), before);
  });

  test('customers.update refuses one too and leaves the customer as it was; valid addresses and unsetting work', async () => {
    const c = await t.stripe.customers.create({ email: 'first.last+tag@mail.example.co.uk' });
    assert.equal(c.email, 'first.last+tag@mail.example.co.uk');
    const err = await rejection(t.stripe.customers.update(c.id, { email: 'otameshi@com', name: 'Changed' }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.param, 'email');
    const kept = await t.stripe.customers.retrieve(c.id);
    assert.ok(!kept.deleted);
    assert.equal(kept.email, 'first.last+tag@mail.example.co.uk');
    assert.equal(kept.name, null);
    assert.equal((await t.stripe.customers.update(c.id, { email: '' })).email, null);
  });

  test('internationalised domains in their ASCII (punycode) form are addresses Stripe takes, TLD included', async () => {
    for (const address of ['ivan@xn--80ak6aa92e.com', 'ivan@example.xn--p1ai', 'a@b.xn--3e0b707e']) {
      assert.equal((await t.stripe.customers.create({ email: address })).email, address);
    }
    const err = await rejection(t.stripe.customers.create({ email: 'ivan@example.xn--' }));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.code, 'email_invalid');
  });
});
