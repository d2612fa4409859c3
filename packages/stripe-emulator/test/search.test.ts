import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { cardPi, rejection, useEmulator } from './helpers.js';

describe('stripe emulator: search (customers, PaymentIntents)', () => {
  const t = useEmulator();

  test('customers.search matches email, metadata, name substrings, AND, OR and negation', async () => {
    const ada = await t.stripe.customers.create({ email: 'ada@search.example.com', name: 'Ada Lovelace', metadata: { plan: 'pro', user_id: 'u1' } });
    const bob = await t.stripe.customers.create({ email: 'bob@search.example.com', name: 'Bob Builder', metadata: { plan: 'pro', user_id: 'u2' } });
    await t.stripe.customers.create({ email: 'cy@search.example.com', metadata: { plan: 'free' } });
    const ids = async (query: string): Promise<string[]> => (await t.stripe.customers.search({ query })).data.map((c) => c.id);

    assert.deepEqual(await ids(`email:'ada@search.example.com'`), [ada.id]);
    assert.deepEqual(await ids(`email:"ADA@search.example.com"`), [ada.id], 'exact matches ignore case');
    assert.deepEqual(await ids(`metadata['user_id']:'u2'`), [bob.id]);
    assert.deepEqual(await ids(`metadata["plan"]:"pro" AND name~"love"`), [ada.id]);
    assert.deepEqual(await ids(`metadata['plan']:'pro' -email:'ada@search.example.com'`), [bob.id], 'a space is AND; - negates');
    assert.deepEqual(await ids(`email:'ada@search.example.com' OR email:'bob@search.example.com'`), [bob.id, ada.id], 'newest first');
    assert.deepEqual(await ids(`email:'nobody@search.example.com'`), []);

    const result = await t.stripe.customers.search({ query: `metadata['plan']:'pro'` });
    assert.equal(result.object, 'search_result');
    assert.equal(result.url, '/v1/customers/search');
    assert.equal(result.has_more, false);
    assert.equal(result.next_page, null);
  });

  test('paymentIntents.search matches status, amount ranges, currency and customer; pages with next_page', async () => {
    const customer = await t.stripe.customers.create({ email: 'payer@search.example.com' });
    const made: string[] = [];
    for (const amount of [1100, 1200, 1300]) {
      const pi = await t.stripe.paymentIntents.create({ amount, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, metadata: { order: `o-${amount}` }, ...cardPi });
      made.push(pi.id);
    }
    const open = await t.stripe.paymentIntents.create({ amount: 1400, currency: 'eur', customer: customer.id, ...cardPi });
    const byCustomer = `customer:'${customer.id}'`;
    const ids = async (query: string): Promise<string[]> => (await t.stripe.paymentIntents.search({ query })).data.map((p) => p.id);

    assert.deepEqual(await ids(`${byCustomer} AND status:'succeeded'`), [...made].reverse());
    assert.deepEqual(await ids(`${byCustomer} AND status:'requires_payment_method'`), [open.id]);
    assert.deepEqual(await ids(`${byCustomer} AND amount>1150 AND amount<=1300`), [made[2], made[1]]);
    assert.deepEqual(await ids(`${byCustomer} metadata['order']:'o-1100'`), [made[0]]);
    assert.deepEqual(await ids(`${byCustomer} -currency:'eur'`), []);

    const first = await t.stripe.paymentIntents.search({ query: byCustomer, limit: 3, expand: ['total_count'] });
    assert.equal(first.data.length, 3);
    assert.equal(first.has_more, true);
    assert.equal(first.total_count, 4);
    assert.equal(typeof first.next_page, 'string');
    const second = await t.stripe.paymentIntents.search({ query: byCustomer, limit: 3, page: first.next_page ?? '' });
    assert.deepEqual(second.data.map((p) => p.id), [made[0]]);
    assert.equal(second.has_more, false);
    const all = await t.stripe.paymentIntents.search({ query: byCustomer, limit: 2 }).autoPagingToArray({ limit: 10 });
    assert.deepEqual(all.map((p) => p.id), [open.id, ...[...made].reverse()]);
  });

  test('a query Stripe would refuse is a 400 on param query', async () => {
    for (const query of [
      `emial:'x@y.co'`, // not a searchable field
      `email:'a@b.co' AND name:'x' OR phone:'1'`, // AND and OR mixed
      `email:'unterminated`,
      `email>'a'`, // comparison on a string field
      `name~'ab'`, // substring shorter than 3
      `metadata:'x'`, // metadata needs a key
    ]) {
      const err = await rejection(t.stripe.customers.search({ query }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, query);
      assert.equal(err.statusCode, 400, query);
      assert.equal(err.param, 'query', query);
    }
    const missing = await rejection(t.stripe.paymentIntents.search({ query: '' }));
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(missing.param, 'query');
    const field = await rejection(t.stripe.paymentIntents.search({ query: `email:'a@b.co'` }));
    assert.ok(field instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(field.message, /unsupported search field/);
  });
});
