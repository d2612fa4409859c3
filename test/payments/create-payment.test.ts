import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventually, paymentIntentsOf } from '../helpers/emulator.js';

import { bearer, secondOrganisationKey, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

const t = useTestApp();

const createPayment = (user: TestUser, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url: '/payment', headers: { ...bearer(user.token), ...headers }, payload });

async function customerOf(user: TestUser): Promise<string> {
  const me = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
  const customerId = me.json().customerId as string | undefined;
  assert.ok(customerId, 'the user has a Stripe customer');
  return customerId;
}

describe('POST /payment', () => {
  test('creates a PaymentIntent for the user, making its Stripe customer on first use', async () => {
    const user = await registerUser(t);
    const before = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.equal(before.json().customerId, undefined, 'users without transactions have no customer id');

    const response = await createPayment(user, { cuid: randomUUID(), amount: 1500, currency: 'EUR', description: 'Coffee beans' });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body), ['id', 'amount', 'currency', 'status', 'paymentMethod', 'clientSecret']);
    assert.match(body.id, /^pi_/);
    assert.equal(body.amount, 1500);
    assert.equal(body.currency, 'eur');
    assert.equal(body.status, 'requires_payment_method');
    assert.equal(body.paymentMethod, '');
    assert.match(body.clientSecret, new RegExp(`^${body.id}_secret_`));

    const customerId = await customerOf(user);
    const intent = await t.stripe.paymentIntents.retrieve(body.id);
    assert.equal(intent.customer, customerId);
    assert.equal(intent.amount, 1500);
    assert.equal(intent.description, 'Coffee beans');
    const customer = await t.stripe.customers.retrieve(customerId);
    assert.ok(!customer.deleted && customer.email === user.email);
  });

  test('a description of 1000 characters is taken whatever the characters (an emoji is one), and 1001 is a 400', async () => {
    const user = await registerUser(t);
    const description = '\u{1F600}'.repeat(1000);
    const response = await createPayment(user, { cuid: randomUUID(), description });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((await t.stripe.paymentIntents.retrieve(response.json().id)).description, description);
    const tooLong = await createPayment(user, { cuid: randomUUID(), description: `${description}x` });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().code, 'VALIDATION_FAILED');
    assert.ok(JSON.stringify(tooLong.json()).includes('/description'), tooLong.body);
  });

  test('defaults to PAYMENT_DEFAULT_AMOUNT and PAYMENT_DEFAULT_CURRENCY', async () => {
    const user = await registerUser(t);
    const response = await createPayment(user, { cuid: randomUUID() });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().amount, 2000);
    assert.equal(response.json().currency, 'usd');
  });

  test('the same cuid and body answer the same bytes, with one PaymentIntent at Stripe', async () => {
    const user = await registerUser(t);
    const cuid = randomUUID();
    const first = await createPayment(user, { cuid, amount: 2500 });
    const second = await createPayment(user, { cuid, amount: 2500 });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.body, first.body);
    assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 1);
  });

  test('the same cuid with another amount is a 409 that says so', async () => {
    const user = await registerUser(t);
    const cuid = randomUUID();
    assert.equal((await createPayment(user, { cuid, amount: 2500 })).statusCode, 201);
    const reused = await createPayment(user, { cuid, amount: 9900 });
    assert.equal(reused.statusCode, 409);
    assert.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(reused.json().details[0].path, '/cuid');
    assert.equal((await paymentIntentsOf(t.stripe, await customerOf(user))).length, 1);
  });

  test('a cuid belongs to its user: another user with the same cuid gets its own payment', async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    const cuid = randomUUID();
    const a = await createPayment(alice, { cuid });
    const b = await createPayment(bob, { cuid });
    assert.equal(b.statusCode, 201);
    assert.notEqual(a.json().id, b.json().id);
  });

  test('50 concurrent creates with one cuid make one PaymentIntent and one answer', async () => {
    const user = await registerUser(t);
    const cuid = randomUUID();
    const responses = await Promise.all(Array.from({ length: 50 }, () => createPayment(user, { cuid, amount: 4200 })));
    for (const response of responses) assert.equal(response.statusCode, 201, response.body);
    assert.equal(new Set(responses.map((r) => r.body)).size, 1);
    const intents = await paymentIntentsOf(t.stripe, await customerOf(user));
    assert.equal(intents.length, 1);
    const customers = await t.stripe.customers.list({ email: user.email, limit: 100 });
    assert.equal(customers.data.length, 1, 'one Stripe customer too');
  });

  test("concurrent first payments of one user with different cuids share one Stripe customer", async () => {
    const user = await registerUser(t);
    const responses = await Promise.all(Array.from({ length: 10 }, () => createPayment(user, { cuid: randomUUID() })));
    for (const response of responses) assert.equal(response.statusCode, 201, response.body);
    const customers = await t.stripe.customers.list({ email: user.email, limit: 100 });
    assert.equal(customers.data.length, 1);
    assert.equal((await paymentIntentsOf(t.stripe, customers.data[0]!.id)).length, 10);
  });

  test('concurrent creations of several users, repeats among them, are each answered their own (they are written in batches)', async () => {
    const users = await Promise.all([registerUser(t), registerUser(t), registerUser(t)]);
    await Promise.all(users.map((user) => createPayment(user, { cuid: randomUUID() }))); // each has its customer
    const shared = randomUUID(); // the same cuid, used by every user: one payment each
    const requests = users.flatMap((user, u) => [
      ...Array.from({ length: 8 }, (_, i) => ({ user, cuid: `${u}-${i}`, amount: 1000 + 100 * u + i })),
      ...Array.from({ length: 4 }, () => ({ user, cuid: shared, amount: 5000 + u })),
    ]);
    const responses = await Promise.all(requests.map(({ user, cuid, amount }) => createPayment(user, { cuid, amount })));
    for (const response of responses) assert.equal(response.statusCode, 201, response.body);
    for (const [u, user] of users.entries()) {
      const mine = requests.flatMap((request, i) => (request.user === user ? [{ ...request, body: responses[i]!.json() as { id: string; amount: number } }] : []));
      for (const { amount, body } of mine) assert.equal(body.amount, amount, 'each answer is its own request');
      assert.equal(new Set(mine.filter((r) => r.cuid === shared).map((r) => r.body.id)).size, 1, 'a repeated cuid gets one answer');
      const intents = await paymentIntentsOf(t.stripe, await customerOf(user));
      assert.equal(intents.length, 1 + 8 + 1, `user ${u}: one PaymentIntent per cuid, on the user's own customer`);
      assert.deepEqual(new Set(mine.map((r) => r.body.id)), new Set(intents.filter((i) => i.amount !== 2000).map((i) => i.id)));
    }
  });

  test('an Idempotency-Key header stands in for the cuid; the two must agree', async () => {
    const user = await registerUser(t);
    const key = randomUUID();
    const viaHeader = await createPayment(user, {}, { 'idempotency-key': key });
    assert.equal(viaHeader.statusCode, 201);
    const viaBody = await createPayment(user, { cuid: key });
    assert.equal(viaBody.body, viaHeader.body);
    const mismatch = await createPayment(user, { cuid: 'a-different-key' }, { 'idempotency-key': key });
    assert.equal(mismatch.statusCode, 400);
    const missing = await createPayment(user, {});
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().details[0].path, '/cuid');
    // A header key that is not printable ASCII is named as the field at fault, not reported missing.
    const accented = await createPayment(user, {}, { 'idempotency-key': 'hdr-\u00e9' });
    assert.equal(accented.statusCode, 400);
    assert.deepEqual(accented.json().details, [{ path: '/headers/idempotency-key', message: 'must be 1 to 255 printable ASCII characters, without spaces' }]);
  });

  test('amounts and currencies are validated', async () => {
    const user = await registerUser(t);
    for (const payload of [{ amount: 10 }, { amount: 20.5 }, { amount: '2000' }, { amount: 100_000_000 }, { currency: 'dollars' }, { extra: true }]) {
      const response = await createPayment(user, { cuid: randomUUID(), ...payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json().code, 'VALIDATION_FAILED');
    }
  });

  test('a currency Stripe does not take, or a three-decimal amount it would refuse, is a 400 on the field before any Stripe call', async () => {
    const user = await registerUser(t);
    for (const [payload, path] of [[{ currency: 'abp' }, '/currency'], [{ currency: 'xxx' }, '/currency'], [{ amount: 105, currency: 'bhd' }, '/amount']] as const) {
      const response = await createPayment(user, { cuid: randomUUID(), ...payload });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
      assert.equal(response.json().details[0].path, path);
    }
    const list = await t.inject({ method: 'GET', url: '/payment', headers: bearer(user.token) });
    assert.deepEqual(list.json(), [], 'nothing was written');
    assert.equal((await createPayment(user, { cuid: randomUUID(), amount: 1050, currency: 'bhd' })).statusCode, 201);
  });

  test('a customer deleted at Stripe is replaced at the next payment', async () => {
    const user = await registerUser(t);
    assert.equal((await createPayment(user, { cuid: randomUUID() })).statusCode, 201);
    const first = await customerOf(user);
    await t.stripe.customers.del(first);
    await eventually(async () => ((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).json().customerId ? undefined : true), 'the customer.deleted event');
    const response = await createPayment(user, { cuid: randomUUID() });
    assert.equal(response.statusCode, 201, response.body);
    const second = await customerOf(user);
    assert.notEqual(second, first);
    assert.equal((await t.stripe.paymentIntents.retrieve(response.json().id as string)).customer, second);
  });

  test('an API key cannot create payments on its own', async () => {
    const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(t.apiKey), payload: { cuid: randomUUID() } });
    assert.equal(response.statusCode, 403);
  });
});

describe('GET /payment and /payment/{id}', () => {
  test("users see their own payments only; an API key sees its organisation's", async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    const mine = (await createPayment(alice, { cuid: randomUUID() })).json();
    const theirs = (await createPayment(bob, { cuid: randomUUID() })).json();

    const list = await t.inject({ method: 'GET', url: '/payment', headers: bearer(alice.token) });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), [
      { id: mine.id, amount: 2000, currency: 'usd', status: 'requires_payment_method', paymentMethod: '', amountReceived: 0, amountRefunded: 0, refunds: [], dispute: null },
    ]);

    const own = await t.inject({ method: 'GET', url: `/payment/${mine.id}`, headers: bearer(alice.token) });
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().id, mine.id);
    const foreign = await t.inject({ method: 'GET', url: `/payment/${theirs.id}`, headers: bearer(alice.token) });
    assert.equal(foreign.statusCode, 404);

    const all = await t.inject({ method: 'GET', url: '/payment', headers: bearer(t.apiKey) });
    const ids = all.json().map((p: { id: string }) => p.id);
    assert.ok(ids.includes(mine.id) && ids.includes(theirs.id));
  });

  test('another organisation cannot read the payment', async () => {
    const user = await registerUser(t);
    const payment = (await createPayment(user, { cuid: randomUUID() })).json();
    const foreignKey = await secondOrganisationKey(t);
    const response = await t.inject({ method: 'GET', url: `/payment/${payment.id}`, headers: bearer(foreignKey) });
    assert.equal(response.statusCode, 404);
    const own = await t.inject({ method: 'GET', url: `/payment/${payment.id}`, headers: bearer(t.apiKey) });
    assert.equal(own.statusCode, 200, 'the same id is readable by its own organisation');
  });

  test('lists page through every payment with a Link header', async () => {
    const user = await registerUser(t);
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await createPayment(user, { cuid: randomUUID() })).json().id);
    const seen: string[] = [];
    let url: string | undefined = '/payment?limit=2';
    while (url) {
      const page = await t.inject({ method: 'GET', url, headers: bearer(user.token) });
      seen.push(...page.json().map((p: { id: string }) => p.id));
      const link = page.headers.link as string | undefined;
      url = link ? new URL(/<([^>]+)>/.exec(link)![1]!).pathname + new URL(/<([^>]+)>/.exec(link)![1]!).search : undefined;
    }
    assert.deepEqual(seen, created);
  });

  test("a cursor must be a payment of the caller's own list: another user's, another organisation's or an unknown one is a 400 on the field", async () => {
    const [alice, bob] = [await registerUser(t), await registerUser(t)];
    const mine = (await createPayment(alice, { cuid: randomUUID() })).json().id as string;
    const theirs = (await createPayment(bob, { cuid: randomUUID() })).json().id as string;
    const foreignKey = await secondOrganisationKey(t);
    const cases: Array<[string, string]> = [[alice.token, theirs], [alice.token, 'pi_unknown'], [foreignKey, mine]];
    for (const [token, cursor] of cases) {
      const page = await t.inject({ method: 'GET', url: `/payment?starting_after=${cursor}`, headers: bearer(token) });
      assert.equal(page.statusCode, 400, cursor);
      assert.equal(page.json().code, 'VALIDATION_FAILED');
      assert.deepEqual(page.json().details.map((d: { path: string }) => d.path), ['/query/starting_after']);
    }
    const own = await t.inject({ method: 'GET', url: `/payment?starting_after=${mine}`, headers: bearer(alice.token) });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json(), []);
    const organisation = await t.inject({ method: 'GET', url: `/payment?starting_after=${theirs}`, headers: bearer(t.apiKey) });
    assert.equal(organisation.statusCode, 200, "an API key pages through the organisation's payments");
  });
});
