import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { clearFaults, eventually, injectFault } from '../helpers/emulator.js';
import { bearer, databaseUrl, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';
import { openDatabase } from '../../src/db/client.js';

// No webhook endpoint is registered (a secret is configured instead): only reconciliation brings news.
const t = useTestApp({ env: { STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replace(/-/g, '')}`, PAYMENT_ABANDON_AFTER: '1h' } });

const reconcile = async () => {
  const response = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ examined: number; changed: number; deferred: number; cancelled: number; completed: number; failed: number; stripeCalls: number }>();
};

async function newPayments(user: TestUser, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
    assert.equal(response.statusCode, 201, response.body);
    ids.push(response.json().id as string);
  }
  return ids;
}

/** As if the payments' next checks had come. */
async function makeDue(ids: string[]): Promise<void> {
  for (const id of ids) await t.database.db.execute(sql`update payments set next_check_at = now() - interval '1 second' where stripe_payment_intent_id = ${id}`);
}

/** Seconds until the payment's next check; null when it is never checked again. */
async function nextCheckIn(id: string): Promise<number | null> {
  const result = (await t.database.db.execute(sql`select extract(epoch from next_check_at - now()) as wait from payments where stripe_payment_intent_id = ${id}`)) as unknown as { rows: Array<{ wait: string | number | null }> };
  const { wait } = result.rows[0]!;
  return wait === null ? null : Number(wait);
}

describe('reconciliation costs O(what is due)', () => {
  test('a second pass right after the first makes no Stripe call; the next check backs off', async () => {
    // Passes in other test files on this database may pick up their own rows too, so only ours are counted exactly.
    const user = await registerUser(t);
    const ids = await newPayments(user, 12);
    await t.stripe.paymentIntents.confirm(ids[0]!, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    await makeDue(ids);
    const first = await reconcile();
    assert.ok(first.examined >= 12, JSON.stringify(first));
    assert.ok(first.changed >= 1 && first.deferred >= 11, JSON.stringify(first));
    const second = await reconcile();
    assert.equal(second.examined, 0, JSON.stringify(second));
    assert.equal(second.stripeCalls, 0);

    const payment = await t.inject({ method: 'GET', url: `/payment/${ids[0]}`, headers: bearer(user.token) });
    assert.equal(payment.json().status, 'succeeded');
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      await makeDue([ids[1]!]);
      await reconcile();
      waits.push((await nextCheckIn(ids[1]!)) ?? 0);
    }
    assert.ok(waits[0]! >= 5 && waits[1]! > waits[0]! * 1.5 && waits[2]! > waits[1]! * 1.5, `backoff grows: ${waits.join(', ')}`);
    assert.equal(await nextCheckIn(ids[0]!), null, 'a settled payment is never checked again');
  });

  test("an intent's amount or currency changed at Stripe (the dashboard, another integration) is shown as Stripe holds it after its next check", async () => {
    const user = await registerUser(t);
    const [id] = await newPayments(user, 1);
    await t.stripe.paymentIntents.update(id!, { amount: 99_999, currency: 'eur' });
    await makeDue([id!]);
    await reconcile();
    const payment = (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) })).json();
    assert.deepEqual([payment.amount, payment.currency, payment.status], [99_999, 'eur', 'requires_payment_method']);
  });

  test('a payment left unpaid past PAYMENT_ABANDON_AFTER is cancelled at Stripe and marked canceled', async () => {
    const user = await registerUser(t);
    const [id] = await newPayments(user, 1);
    await t.database.db.execute(sql`update payments set created_at = now() - interval '2 hours', next_check_at = now() where stripe_payment_intent_id = ${id!}`);
    const report = await reconcile();
    assert.ok(report.cancelled >= 1, JSON.stringify(report));
    assert.equal((await t.stripe.paymentIntents.retrieve(id!)).status, 'canceled');
    const payment = await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) });
    assert.equal(payment.json().status, 'canceled');
    assert.equal(await nextCheckIn(id!), null);
  });

  test("a deleted user's unpaid payments are cancelled at once, without waiting for a check (a client secret must not charge the card); an authorisation is left to capture", async () => {
    const user = await registerUser(t);
    const unpaid = await newPayments(user, 3);
    const authorised = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID(), captureMethod: 'manual' } });
    assert.equal(authorised.statusCode, 201, authorised.body);
    const held = authorised.json().id as string;
    const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid: randomUUID(), paymentId: held, paymentMethodId: 'pm_card_visa' } });
    assert.equal(confirmed.json().status, 'requires_capture', confirmed.body);
    const other = await registerUser(t);
    const [othersUnpaid] = await newPayments(other, 1);
    assert.equal((await t.inject({ method: 'DELETE', url: `/user/${user.id}`, headers: bearer(t.apiKey) })).statusCode, 200);
    // Their next checks are minutes away: only the deletion can have cancelled them.
    for (const id of unpaid) {
      await eventually(async () => ((await t.stripe.paymentIntents.retrieve(id)).status === 'canceled' ? true : undefined), `${id} cancelled at Stripe`);
      await eventually(async () => ((await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(t.apiKey) })).json().status === 'canceled' ? true : undefined), `${id} canceled here`);
    }
    assert.equal((await t.stripe.paymentIntents.retrieve(held)).status, 'requires_capture', 'the organisation may still capture what was authorised');
    assert.equal((await t.stripe.paymentIntents.retrieve(othersUnpaid!)).status, 'requires_payment_method', "another user's payment is not touched");
    // The report is logged once the whole settlement is done, a moment after the last state is stored.
    await eventually(async () => (/a deleted user's payments were settled/.test(t.logs.text) ? true : undefined), 'the settlement reported');
  });

  test("a deleted user's unpaid payment the deletion could not cancel (Stripe failing) is cancelled at its next check", async () => {
    const user = await registerUser(t);
    const [unpaid] = await newPayments(user, 1);
    await injectFault(t.stripeUrl, { path: `/v1/payment_intents/${unpaid}/cancel`, kind: 'http500', count: 3 });
    try {
      assert.equal((await t.inject({ method: 'DELETE', url: `/user/${user.id}`, headers: bearer(t.apiKey) })).statusCode, 200);
      await eventually(async () => (/reconciliation of a payment failed/.test(t.logs.text) ? true : undefined), 'the attempt at deletion failed');
    } finally {
      await clearFaults(t.stripeUrl);
    }
    assert.equal((await t.stripe.paymentIntents.retrieve(unpaid!)).status, 'requires_payment_method');
    await makeDue([unpaid!]);
    const report = await reconcile();
    assert.ok(report.cancelled >= 1, JSON.stringify(report));
    assert.equal((await t.stripe.paymentIntents.retrieve(unpaid!)).status, 'canceled');
  });

  test('a creation that keeps failing is given up, and its cuid creates afresh', async () => {
    const user = await registerUser(t);
    await newPayments(user, 1);
    const cuid = randomUUID();
    const { createPaymentRepository } = await import('../../src/core/payments/payment.repository.js');
    const { newId } = await import('../../src/core/ids.js');
    const row = await createPaymentRepository(t.database.db).insertCreating(
      { id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: cuid, requestHash: 'x', amount: 2000, currency: 'usd', description: null },
      -1,
    );
    await t.database.db.execute(sql`update payments set checks = 10 where id = ${row!.id}`);
    const report = await reconcile();
    assert.ok(report.completed >= 1, JSON.stringify(report));
    const gone = (await t.database.db.execute(sql`select id from payments where id = ${row!.id}`)) as unknown as { rows: unknown[] };
    assert.equal(gone.rows.length, 0);
    const again = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid } });
    assert.equal(again.statusCode, 201, again.body);
  });
});

describe('one instance reconciles at a time', { skip: databaseUrl ? false : 'PGlite serves one process: there is nothing to exclude' }, () => {
  test('while one holds the advisory lock, another process\'s pass does nothing', async () => {
    const other = await openDatabase({ databaseUrl });
    try {
      // A lock of this test's own: the reconciliation lock may be held by another test file's pass.
      const lockId = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      const inner = await t.database.exclusive(lockId, () => other.exclusive(lockId, async () => 'ran'));
      assert.equal(inner, undefined);
      assert.equal(await other.exclusive(lockId, async () => 'ran'), 'ran', 'free again afterwards');
    } finally {
      await other.close();
    }
  });
});
