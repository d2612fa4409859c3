import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { payments } from '../../src/db/schema.js';
import { newId } from '../../src/core/ids.js';
import { FIRST_CHECK_SECONDS } from '../../src/core/payments/payment.repository.js';
import type { ReconcileReport } from '../../src/core/payments/reconcile.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

// SCALE_PAYMENTS=10000 for the full size; the set-up alone (10,000 intents at the emulator) takes minutes on a
// busy machine, so the suite runs 1,000.
const STALE = Number(process.env.SCALE_PAYMENTS ?? 1_000);
const MAX_RPS = 400;
// libuv's timers have millisecond resolution, so a paced call may start up to 1 ms before its slot; 1 ms more for the reading.
const CLOCK_SLACK_MS = 2;

/**
 * The pacer gives the k-th call (from 0) of a pass a slot no earlier than k / rps after the pass
 * began. Checked for every prefix of the calls the SDK sent, this is "never more than rps calls
 * per second", at every point of the pass, not just on average.
 */
function assertPaced(startedAt: number, callStarts: number[], rps: number): void {
  callStarts.forEach((at, k) => {
    const earliest = startedAt + (k * 1000) / rps - CLOCK_SLACK_MS;
    assert.ok(at >= earliest, `call ${k} started ${(at - startedAt).toFixed(1)} ms into the pass, before its slot at ${((k * 1000) / rps).toFixed(1)} ms (over ${rps}/s)`);
  });
}
// Webhooks go nowhere here (a secret is configured, no endpoint registered): only reconciliation reads Stripe.
const t = useTestApp({ env: { STRIPE_MAX_RPS: String(MAX_RPS), STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replace(/-/g, '')}` } });

/**
 * A pass over this file's organisation only: on a shared PostgreSQL other files' payments are not
 * this test's, and another file's pass over everything would hold the lock of a pass over all.
 */
const reconcileOwn = async (): Promise<ReconcileReport> => {
  const response = await t.inject({ method: 'POST', url: '/admin/reconcile', headers: bearer(t.apiKey) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as ReconcileReport;
};

describe(`${STALE} stale payments`, () => {
  test('are reconciled through the emulator, never faster than STRIPE_MAX_RPS, and a second pass costs nothing', { timeout: 1_800_000 }, async (ctx) => {
    const user = await registerUser(t);
    const first = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
    const customer = (await t.stripe.paymentIntents.retrieve(first.json().id as string)).customer as string;
    // That payment only made the customer: its first check (due seconds after it) must not fall into either pass.
    await t.database.db.update(payments).set({ nextCheckAt: sql`now() + interval '1 hour'` }).where(eq(payments.userId, user.id));
    // Real intents at the emulator, recorded in the database as stale ('requires_confirmation') and due.
    const intents: string[] = [];
    for (let i = 0; i < STALE; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, STALE - i) }, () => t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer })));
      intents.push(...batch.map((p) => p.id));
    }
    for (let i = 0; i < STALE; i += 1000) {
      await t.database.db.insert(payments).values(
        intents.slice(i, i + 1000).map((intentId) => ({
          id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: randomUUID(), requestHash: 'stale', amount: 1000, currency: 'usd',
          stripePaymentIntentId: intentId, stripeCustomerId: customer, status: 'requires_confirmation', nextCheckAt: sql`now() - interval '1 second'`,
        })),
      );
    }

    // Every request the service's SDK client sends during the pass, as the SDK starts it.
    const callStarts: number[] = [];
    const onRequest = () => callStarts.push(performance.now());
    t.stripe.on('request', onRequest);
    const started = performance.now();
    const report = await reconcileOwn();
    const seconds = (performance.now() - started) / 1000;
    t.stripe.off('request', onRequest);
    ctx.diagnostic(`${STALE} stale payments: ${callStarts.length} Stripe calls in ${seconds.toFixed(1)} s (${(callStarts.length / seconds).toFixed(0)}/s, limit ${MAX_RPS}/s)`);
    // The stale ones, each read once, however long the pass takes.
    assert.equal(report.examined, STALE, JSON.stringify(report));
    assert.ok(report.changed >= STALE, JSON.stringify(report));
    assert.ok(callStarts.length >= STALE, `${callStarts.length} calls`);
    assert.equal(report.stripeCalls, callStarts.length, 'every call the SDK sent was paced, and counted');
    assertPaced(started, callStarts, MAX_RPS);

    const stale = (await t.database.db.execute(sql`select count(*)::int as n from payments where user_id = ${user.id} and status <> 'requires_payment_method'`)) as unknown as { rows: Array<{ n: number }> };
    assert.equal(stale.rows[0]!.n, 0, 'every payment agrees with Stripe');
    // A payment read in the first pass is next due FIRST_CHECK_SECONDS after that read at the soonest: a second pass
    // re-reads only those whose read is that old by the time it ends (none when the first pass was quick).
    const again = await reconcileOwn();
    const secondEnded = performance.now();
    const dueAgain = callStarts.filter((at) => at <= secondEnded - FIRST_CHECK_SECONDS * 1000).length;
    ctx.diagnostic(`second pass: ${again.stripeCalls} Stripe calls (${dueAgain} first-pass reads were ${FIRST_CHECK_SECONDS} s old)`);
    assert.ok(again.stripeCalls <= dueAgain, JSON.stringify(again));
  });
});
