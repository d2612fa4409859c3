import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { payments } from '../../src/db/schema.js';
import { newId } from '../../src/core/ids.js';
import { bearer, createTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const STALE = 40;
const MAX_RPS = 10; // the pass would take about STALE / MAX_RPS seconds

describe('a graceful shutdown during a reconciliation pass', () => {
  test('the pass takes no further payment, ends before the database closes, and logs no failure', async () => {
    const t = await createTestApp({ env: { STRIPE_MAX_RPS: String(MAX_RPS), STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replace(/-/g, '')}` } });
    let closed = false;
    try {
      const user = await registerUser(t);
      const first = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
      const customer = (await t.stripe.paymentIntents.retrieve(first.json().id as string)).customer as string;
      await t.database.db.update(payments).set({ nextCheckAt: sql`now() + interval '1 hour'` }).where(eq(payments.userId, user.id));
      const intents = await Promise.all(Array.from({ length: STALE }, () => t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer })));
      await t.database.db.insert(payments).values(
        intents.map(({ id: intentId }) => ({
          id: newId(), organisationId: t.organisationId, userId: user.id, idempotencyKey: randomUUID(), requestHash: 'stale', amount: 1000, currency: 'usd',
          stripePaymentIntentId: intentId, stripeCustomerId: customer, status: 'requires_confirmation', nextCheckAt: sql`now() - interval '1 second'`,
        })),
      );

      const pass = t.ctx.services.reconciler.reconcile();
      await sleep(500);
      const started = performance.now();
      await t.close();
      closed = true;
      const closeSeconds = (performance.now() - started) / 1000;
      const report = await pass;
      const settled = report.changed + report.deferred + report.cancelled + report.completed;
      assert.ok(settled > 0 && settled < STALE, `the pass stopped part-way: ${JSON.stringify(report)}`);
      assert.ok(closeSeconds < STALE / MAX_RPS / 2, `shutdown waited ${closeSeconds.toFixed(1)} s, not for the whole pass`);
      assert.equal(report.failed, 0, JSON.stringify(report));
      assert.doesNotMatch(t.logs.text, /reconciliation (run|of a payment) failed/);
    } finally {
      if (!closed) await t.close();
    }
  });
});
