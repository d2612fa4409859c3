import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { createCreationStatements } from '../../src/core/payments/creation.repository.js';
import { createOperationRepository } from '../../src/core/payments/operation.repository.js';
import { createOperations } from '../../src/core/payments/operation.js';
import { ProviderUnavailableError } from '../../src/core/errors.js';
import { createPaymentRepository } from '../../src/core/payments/payment.repository.js';
import { newId } from '../../src/core/ids.js';
import { clearFaults, eventually, faultsAt, injectFault, paymentIntentsOf } from '../helpers/emulator.js';
import type { ReconcileReport } from '../../src/core/payments/reconcile.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// A one-second lease and a Stripe call allowed to take far longer: the holder of a money
// operation is routinely overtaken by the client's own retries.
const LEASE_SECONDS = 1;
// How long an injected hang holds a call: well past the lease, well within STRIPE_TIMEOUT_MS.
const HANG_MS = 2500;
const t = useTestApp({ env: { PAYMENT_LEASE_SECONDS: String(LEASE_SECONDS), STRIPE_TIMEOUT_MS: '6000', STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replace(/-/g, '')}` } });

/**
 * A pass over this file's organisation only: on a shared PostgreSQL other files' payments are not
 * this test's, and another file's pass over everything would hold the lock of a pass over all.
 */
const reconcileOwn = async (): Promise<ReconcileReport> => {
  const response = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as ReconcileReport;
};

const create = (user: TestUser, cuid: string) => t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid } });
const confirm = (user: TestUser, body: Record<string, string>) => t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: body });

async function customerOf(user: TestUser): Promise<string> {
  return (await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).json().customerId as string;
}

/** The first request, then concurrent retries after its lease lapsed, then retries until a final answer. */
async function raceRetries(first: () => Promise<{ statusCode: number; body: string }>, retry: () => Promise<{ statusCode: number; body: string }>) {
  const pending = [first()];
  await sleep(LEASE_SECONDS * 1000 + 300);
  for (let i = 0; i < 4; i++) pending.push(retry());
  const answers = await Promise.all(pending);
  for (let i = 0; i < 40; i++) {
    const last = answers.at(-1)!;
    if (last.statusCode !== 503 && !(last.statusCode === 409 && last.body.includes('IDEMPOTENCY_KEY_IN_USE'))) break;
    await sleep(250);
    answers.push(await retry());
  }
  return answers;
}

/** The hang was used up (the call really hung), and the operation was taken over by a retry once its holder's lease lapsed. */
async function assertTakenOver(intentId: string): Promise<void> {
  assert.deepEqual(await faultsAt(t.stripeUrl), [], 'the injected hang was used');
  const result = (await t.database.db.execute(
    sql`select o.attempts from payment_operations o join payments p on p.id = o.payment_id where p.stripe_payment_intent_id = ${intentId} and o.kind = 'create'`,
  )) as unknown as { rows: Array<{ attempts: number }> };
  assert.ok(result.rows[0]!.attempts >= 2, `a retry took the lapsed lease over (attempts: ${result.rows[0]!.attempts})`);
}

/** An administrator binds the user to a customer of their own making. */
async function rebindCustomer(user: TestUser): Promise<string> {
  const customer = (await t.stripe.customers.create({ email: user.email, metadata: { paybridge_organisation_id: t.organisationId } })).id;
  const bound = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(t.apiKey), payload: { customerId: customer } });
  assert.equal(bound.statusCode, 200, bound.body);
  return customer;
}

const creationCases = [
  { name: 'the call hangs, the SDK retries', executed: false, rebind: false },
  { name: 'Stripe created it, the answer hangs', executed: true, rebind: false },
  // The key once named the customer: a takeover after the customer changed made a second intent (or, later, a 500).
  { name: "Stripe created it, the answer hangs, and the user's customer changes meanwhile", executed: true, rebind: true },
];

describe('Stripe slower than PAYMENT_LEASE_SECONDS, with concurrent retries', () => {
  for (const { name, executed, rebind } of creationCases) {
    test(`POST /payment (${name}): one PaymentIntent, no 500`, async () => {
      const user = await registerUser(t);
      assert.equal((await create(user, randomUUID())).statusCode, 201); // the customer exists
      const customer = await customerOf(user);
      const cuid = randomUUID();
      await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 1, executeBeforeFault: executed });
      const rebound = rebind ? sleep(300).then(() => rebindCustomer(user)) : undefined;
      const answers = await raceRetries(() => create(user, cuid), () => create(user, cuid));
      for (const a of answers) assert.ok(a.statusCode < 500 || a.statusCode === 503, `no 500: ${a.statusCode} ${a.body}`);
      const created = answers.filter((a) => a.statusCode === 201);
      assert.ok(created.length > 0, answers.map((a) => a.statusCode).join(','));
      assert.equal(new Set(created.map((a) => a.body)).size, 1, 'every 201 is the same answer, byte for byte');
      await assertTakenOver((JSON.parse(created[0]!.body) as { id: string }).id);
      await clearFaults(t.stripeUrl);
      const intents = await paymentIntentsOf(t.stripe, customer);
      assert.equal(intents.length, 2, 'the first payment and this one, once');
      assert.equal(intents.filter((i) => i.status === 'canceled').length, 0);
      if (rebound) assert.deepEqual(await paymentIntentsOf(t.stripe, await rebound), [], 'none on the new customer');
    });
  }

  test('POST /payment/confirm: the card is charged once and every answer agrees', async () => {
    const user = await registerUser(t);
    const payment = (await create(user, randomUUID())).json() as { id: string };
    const body = { cuid: randomUUID(), paymentId: payment.id, paymentMethodId: 'pm_card_visa' };
    await injectFault(t.stripeUrl, { path: `/v1/payment_intents/${payment.id}/confirm`, method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 1 });
    const answers = await raceRetries(() => confirm(user, body), () => confirm(user, body));
    await clearFaults(t.stripeUrl);
    for (const a of answers) assert.ok(a.statusCode < 500 || a.statusCode === 503, `no 500: ${a.statusCode} ${a.body}`);
    const confirmed = answers.filter((a) => a.statusCode === 201);
    assert.ok(confirmed.length > 0);
    assert.equal(new Set(confirmed.map((a) => a.body)).size, 1);
    const charges = await t.stripe.charges.list({ payment_intent: payment.id });
    assert.equal(charges.data.length, 1, 'one charge');
  });
});

describe('a creation whose user is deleted while Stripe makes the intent', () => {
  test('answers 404, stores nothing, and the intent Stripe made is cancelled', async () => {
    const user = await registerUser(t);
    assert.equal((await create(user, randomUUID())).statusCode, 201);
    const customer = await customerOf(user);
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 1, executeBeforeFault: true });
    const slow = create(user, randomUUID());
    await sleep(300);
    assert.equal((await t.inject({ method: 'DELETE', url: `/user/${user.id}`, headers: bearer(t.apiKey) })).statusCode, 200);
    const answer = await slow;
    assert.equal(answer.statusCode, 404, answer.body);
    assert.doesNotMatch(answer.body, /secret/, 'no client secret to charge the card with');
    const intents = (await paymentIntentsOf(t.stripe, customer)).filter((i) => i.metadata.paybridge_user_id === user.id);
    assert.equal(intents.length, 2);
    // The one made during the deletion is cancelled by the creation that made it; the earlier unpaid one by the deletion.
    const statuses = () => Promise.all(intents.map(async (i) => (await t.stripe.paymentIntents.retrieve(i.id)).status));
    await eventually(async () => ((await statuses()).every((status) => status === 'canceled') ? true : undefined), 'no intent of the deleted user can still be confirmed');
    const count = async (where: ReturnType<typeof sql>) =>
      ((await t.database.db.execute(sql`select count(*)::int as n from payments where user_id = ${user.id} and ${where}`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
    assert.equal(await count(sql`stripe_payment_intent_id is not null`), 1, 'only the earlier payment is recorded');
    // This file's lease (1 s) lapsed during the hang, so the creation's row could not be withdrawn by its holder: reconciliation gives it up.
    await t.database.db.execute(sql`update payments set next_check_at = now() where user_id = ${user.id} and status = 'creating'`);
    await reconcileOwn();
    assert.equal(await count(sql`status = 'creating'`), 0, 'the given-up creation is gone');
  });
});

describe('a creation given up after its answer was lost', () => {
  test('the intent Stripe made for it is cancelled before the row is forgotten', async () => {
    const user = await registerUser(t);
    const first = await create(user, randomUUID());
    assert.equal(first.statusCode, 201);
    const customer = await customerOf(user);
    // Stripe makes the intent, then the call and both of the SDK's retries are dropped: the client gets a 503.
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 3, executeBeforeFault: true });
    const lost = await create(user, randomUUID());
    await clearFaults(t.stripeUrl);
    assert.equal(lost.statusCode, 503, lost.body);
    // As if it had failed every check so far, reconciliation gives it up.
    await t.database.db.execute(sql`update payments set checks = 10, next_check_at = now() where user_id = ${user.id} and status = 'creating'`);
    const report = await reconcileOwn();
    assert.equal(report.completed, 1, JSON.stringify(report));
    const made = (await paymentIntentsOf(t.stripe, customer)).filter((i) => i.metadata.paybridge_user_id === user.id && i.id !== first.json().id);
    assert.equal(made.length, 1, 'Stripe made the lost creation\'s intent');
    assert.equal(made[0]!.status, 'canceled', 'it can never be confirmed and charged');
  });
});

describe('a confirm whose own call fails after the payment settled', () => {
  test('answers the success the payment now shows, not a 503', async () => {
    const user = await registerUser(t);
    const payment = (await create(user, randomUUID())).json() as { id: string };
    // Stripe confirms the first call, then drops it and both of the SDK's retries: this request never hears back.
    await injectFault(t.stripeUrl, { path: `/v1/payment_intents/${payment.id}/confirm`, method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 3, executeBeforeFault: true });
    const first = confirm(user, { cuid: randomUUID(), paymentId: payment.id, paymentMethodId: 'pm_card_visa' });
    await sleep(HANG_MS / 2);
    // Meanwhile the payment's success reaches paybridge by another way (here reconciliation; a webhook, or another attempt).
    await t.database.db.execute(sql`update payments set next_check_at = now() where stripe_payment_intent_id = ${payment.id}`);
    await reconcileOwn();
    const answer = await first;
    await clearFaults(t.stripeUrl);
    assert.equal(answer.statusCode, 201, answer.body);
    assert.equal(answer.json().status, 'succeeded');
    assert.equal((await t.stripe.charges.list({ payment_intent: payment.id })).data.length, 1, 'one charge');
  });
});

describe('the fenced lease of an operation row', () => {
  test('a holder whose lease lapsed can neither store its answer nor withdraw the row once another took over', async () => {
    const user = await registerUser(t);
    const payment = await createPaymentRepository(t.database.db).insertCreating(
      { id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: randomUUID(), requestHash: 'h', amount: 1000, currency: 'usd', description: null },
      3600,
    );
    const operations = createOperationRepository(t.database.db);
    const id = newId();
    const [slow, fast] = [randomUUID(), randomUUID()];
    await operations.insert({ id, paymentId: payment!.id, kind: 'test', attemptKey: 'a', requestHash: 'h', stripeIdempotencyKey: `paybridge-test-${id}` }, slow, 1);
    assert.equal(await operations.claimLapsed(id, fast, 30), undefined, 'a live lease cannot be taken');
    await sleep(1100);
    assert.equal(await operations.finish(id, slow, { status: 201, body: '"late"' }), false, 'a lapsed lease stores nothing');
    assert.ok(await operations.claimLapsed(id, fast, 30));
    assert.equal(await operations.finish(id, slow, { status: 201, body: '"late"' }), false);
    assert.equal(await operations.remove(id, slow), false, 'nor withdraws the row');
    assert.ok(await operations.finish(id, fast, { status: 201, body: '"kept"' }));
    const stored = await operations.findById(id);
    assert.equal(stored!.responseBody, '"kept"');
    assert.equal(stored!.stripeIdempotencyKey, `paybridge-test-${id}`, 'the Stripe key never changes');
  });

  test('a lapsed holder and its successor completing a creation in one batch: only the successor stores, and the lapsed one hears it lost', async () => {
    const user = await registerUser(t);
    const creation = createCreationStatements(t.database.db);
    const start = (key: string, token: string) => {
      const id = newId();
      const payment = { id, organisationId: t.organisationId, userId: user.id, idempotencyKey: key, requestHash: 'h', amount: 1000, currency: 'usd', description: null };
      return creation.start(payment, { id: newId(), paymentId: id, kind: 'create', attemptKey: 'create', requestHash: 'h', stripeIdempotencyKey: `paybridge-test-${id}` }, token, 30);
    };
    const [lapsed, successor, other] = [randomUUID(), randomUUID(), randomUUID()];
    const contested = (await start(randomUUID(), lapsed))!;
    const busy = (await start(randomUUID(), other))!;
    // The successor took the operation over (what claimLapsed does once the lease lapsed).
    await t.database.db.execute(sql`update payment_operations set lease_token = ${successor} where id = ${contested.operation.id}`);
    const outcome = (intent: string) => ({ stripePaymentIntentId: intent, stripeCustomerId: 'cus_test', amount: 2000, currency: 'usd', status: 'requires_payment_method', paymentMethodId: null, lastErrorCode: null, nextActionUrl: null, amountReceived: 0, observedAt: new Date() });
    const complete = (started: typeof contested, token: string, intent: string) =>
      creation.complete(started.payment, started.operation.id, token, { status: 201, body: JSON.stringify({ id: intent }) }, outcome(intent));
    // While the first completion is out, the other two wait and go together.
    const results = await Promise.all([complete(busy, other, 'pi_other'), complete(contested, lapsed, 'pi_lapsed'), complete(contested, successor, 'pi_successor')]);
    assert.deepEqual(results, ['stored', 'lease-lost', 'stored']);
    const stored = await t.database.db.execute(sql`
      select p.stripe_payment_intent_id as intent, o.response_body as body from payments p join payment_operations o on o.payment_id = p.id where p.id = ${contested.payment.id}`);
    const [row] = (stored as unknown as { rows: Array<{ intent: string; body: string }> }).rows;
    assert.deepEqual(row, { intent: 'pi_successor', body: JSON.stringify({ id: 'pi_successor' }) }, 'the payment and its stored answer agree, both the successor\'s');
  });

  test("a holder whose call fails after its successor finished answers the successor's stored answer, not its own failure", async () => {
    const user = await registerUser(t);
    const payment = await createPaymentRepository(t.database.db).insertCreating(
      { id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: randomUUID(), requestHash: 'h', amount: 1000, currency: 'usd', description: null },
      3600,
    );
    const operations = createOperations({ db: t.database.db, leaseSeconds: LEASE_SECONDS, maxWaitMs: 10_000 });
    let successorDone!: () => void;
    const finished = new Promise<void>((resolve) => (successorDone = resolve));
    const spec = (perform: () => Promise<string>) => ({ paymentId: payment!.id, kind: 'test', attemptKey: 'a', requestHash: 'h', perform, answer: (body: string) => ({ status: 200, body }) });
    // The first holder's call outlives its lease, then fails (a timeout, say) after the retry stored its answer.
    const first = operations.run(spec(async () => {
      await finished;
      throw new ProviderUnavailableError('Stripe timed out');
    }));
    await sleep(LEASE_SECONDS * 1000 + 300);
    const retry = await operations.run(spec(async () => '"from the retry"'));
    successorDone();
    assert.deepEqual(retry, { status: 200, body: '"from the retry"' });
    assert.deepEqual(await first, retry, 'the first request gets the answer that was stored, not a 503');
  });
});

describe('an intent orphaned by a lost race', () => {
  test('reconciliation gives a creation up while its slow call is still out: the intent that call made is cancelled at Stripe', async () => {
    const user = await registerUser(t);
    assert.equal((await create(user, randomUUID())).statusCode, 201);
    const customer = await customerOf(user);
    const cuid = randomUUID();
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: HANG_MS, count: 1, executeBeforeFault: true });
    const slow = create(user, cuid);
    await sleep(LEASE_SECONDS * 1000 + 300);
    // Its lease lapsed; as if this creation had failed every check so far, reconciliation now gives it up.
    await t.database.db.execute(sql`update payments set checks = 10, next_check_at = now() where user_id = ${user.id} and status = 'creating'`);
    const report = await reconcileOwn();
    assert.equal(report.completed, 1, JSON.stringify(report));

    // The slow call comes back with the intent Stripe made, for a payment that no longer exists.
    const lost = await slow;
    assert.equal(lost.statusCode, 404, lost.body);
    const orphans = (await paymentIntentsOf(t.stripe, customer)).filter((i) => i.metadata.paybridge_user_id === user.id && i.status !== 'requires_payment_method');
    assert.equal(orphans.length, 1, 'the orphan, and nothing else, left its first state');
    assert.equal(orphans[0]!.status, 'canceled', 'it can never be confirmed and charged');

    // The client's retry starts afresh: one live intent for this key.
    const retried = await create(user, cuid);
    assert.equal(retried.statusCode, 201, retried.body);
    const live = (await paymentIntentsOf(t.stripe, customer)).filter((i) => i.status !== 'canceled');
    assert.equal(live.length, 2, 'the first payment and the retried one');
  });
});
