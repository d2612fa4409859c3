import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { clearFaults, eventually, faultsAt, injectFault } from '../helpers/emulator.js';
import { newEventId as eventId, stripeEvent as anEvent, unixNow as now } from '../helpers/stripe-events.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// Deliveries are made by the test, signed with this secret; three attempts before the dead letter.
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const t = useTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET, EVENT_MAX_ATTEMPTS: '3' } }, async () => {
  t.logs.secret(SECRET);
});

function deliverRaw(payload: string) {
  const header = t.stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  return t.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
}
const deliver = (event: unknown) => deliverRaw(JSON.stringify(event));


async function confirmedPayment(user: TestUser): Promise<string> {
  const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
  const id = response.json().id as string;
  await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
  return id;
}
const succeededEvent = (id: string, paymentId = 'x') => anEvent('payment_intent.succeeded', { id, object: 'payment_intent', status: 'succeeded', metadata: { paybridge_payment_id: paymentId } });
const readPayment = async (user: TestUser, id: string) => (await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) })).json();
const storedEvent = async (id: string) =>
  ((await t.database.db.execute(sql`select attempts, dead_at, processed_at, last_error from stripe_events where id = ${id}`)) as unknown as { rows: Array<{ attempts: number; dead_at: unknown; processed_at: unknown }> }).rows[0];

describe('Stripe events as a queue', () => {
  test('an event that keeps failing is retried, then dead-lettered with a log line, while the others are applied', async () => {
    const user = await registerUser(t);
    const [failing, fine] = [await confirmedPayment(user), await confirmedPayment(user)];
    await injectFault(t.stripeUrl, { path: `/v1/payment_intents/${failing}`, method: 'GET', kind: 'http500', count: 100_000 });
    try {
      const bad = succeededEvent(failing);
      assert.equal((await deliver(bad)).statusCode, 200, 'acknowledged at once');
      assert.equal((await deliver(succeededEvent(fine))).statusCode, 200);
      await eventually(async () => ((await readPayment(user, fine)).status === 'succeeded' ? true : undefined), 'the healthy event to be applied');
      const dead = await eventually(async () => {
        const row = await storedEvent(bad.id);
        return row?.dead_at ? row : undefined;
      }, 'the failing event to be dead-lettered', 30_000);
      assert.equal(dead.attempts, 3);
      assert.match(t.logs.text, new RegExp(`"eventId":"${bad.id}"[^\\n]*dead-lettered`));
      assert.equal((await readPayment(user, failing)).status, 'requires_payment_method', 'nothing applied for it');
    } finally {
      await clearFaults(t.stripeUrl);
    }
  });

  test('a burst of events is applied a few at a time: each is acknowledged at once, requests are answered meanwhile, and all are applied', async () => {
    const user = await registerUser(t);
    const ids = await Promise.all(Array.from({ length: 12 }, () => confirmedPayment(user)));
    // Every re-read of an intent hangs for a while: the events being applied pile up at Stripe.
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents/', method: 'GET', kind: 'hang', hangMs: 1500, count: 100 });
    try {
      const acknowledged = await Promise.all(ids.map((id) => deliver(succeededEvent(id))));
      assert.deepEqual(acknowledged.map((r) => r.statusCode), ids.map(() => 200));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const rereadsAtOnce = 100 - ((await faultsAt(t.stripeUrl))[0]?.remaining ?? 0);
      assert.ok(rereadsAtOnce >= 1 && rereadsAtOnce <= 4, `${rereadsAtOnce} events applied at once (at most 4)`);
      assert.equal((await t.inject({ method: 'GET', url: `/payment/${ids[0]}`, headers: bearer(user.token) })).statusCode, 200, 'a request is answered meanwhile');
    } finally {
      await clearFaults(t.stripeUrl);
    }
    for (const id of ids) await eventually(async () => ((await readPayment(user, id)).status === 'succeeded' ? true : undefined), `the event of ${id} to be applied`, 30_000);
  });

  test('correctly signed but malformed events are 400s, never 500s, and nothing is stored', async () => {
    const bodies = ['{}', 'null', '[]', '"evt"', '42', JSON.stringify({ id: eventId(), type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } }),
      JSON.stringify({ id: eventId(), type: 'payment_intent.succeeded', created: now() }), JSON.stringify({ id: eventId(), type: 'payment_intent.succeeded', created: now(), data: { object: null } }),
      JSON.stringify({ id: eventId(), type: 'x', created: 'yesterday', data: { object: { id: 'pi_1', object: 'payment_intent' } } }), JSON.stringify({ id: 7, type: 'x', created: now(), data: { object: { id: 'pi_1', object: 'payment_intent' } } }),
      // Text no record may hold, where Stripe never signs it.
      JSON.stringify(anEvent('charge.dispute.created', { id: 'dp_\u0000', object: 'dispute' })), JSON.stringify(anEvent('charge.dispute.created', { id: 'dp_ok\ud800', object: 'dispute' })),
      JSON.stringify(anEvent('payment_intent.succeeded', { id: 'pi_1', object: 'payment_intent', metadata: { paybridge_payment_id: 'pay_\u0000' } }))];
    for (const body of bodies) {
      const response = await deliverRaw(body);
      assert.equal(response.statusCode, 400, `${body}: ${response.body}`);
      assert.equal(response.json().code, 'MALFORMED_EVENT', body);
    }
  });

  test('a signed event for an unknown intent is acknowledged (200) and logged', async () => {
    const unknown = succeededEvent(`pi_${randomUUID().replace(/-/g, '')}`, 'pay_doesnotexist');
    const response = await deliver(unknown);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { received: true, duplicate: false });
    const logged = new RegExp(`"eventId":"${unknown.id}"[^\\n]*about no payment of ours`);
    await eventually(async () => (logged.test(t.logs.text) ? true : undefined), 'the worker to log it');
    assert.ok((await storedEvent(unknown.id))?.processed_at, 'done with, not retried for days');
  });

  test('a dispute event is a prompt to re-read the dispute: the payment shows it as Stripe holds it, whatever the signed body says', async () => {
    const user = await registerUser(t);
    const response = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID(), amount: 2000 } });
    const id = response.json().id as string;
    await t.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_createDispute', return_url: 'https://app.example/return' });
    const [real] = (await t.stripe.disputes.list({ payment_intent: id })).data;
    assert.ok(real, 'the emulator opened a dispute');
    // A body that lies (as a late event, or one signed by someone holding the secret, would), newest by `created`.
    const lying = anEvent('charge.dispute.closed', { id: real.id, object: 'dispute', amount: 1, status: 'won', reason: 'general', payment_intent: id, charge: real.charge }, now() + 3600);
    assert.equal((await deliver(lying)).statusCode, 200);
    const shown = await eventually(async () => (await readPayment(user, id)).dispute ?? undefined, 'the dispute to be recorded');
    assert.deepEqual(shown, { status: real.status, amount: real.amount, reason: real.reason, evidenceDueBy: new Date(real.evidence_details.due_by! * 1000).toISOString() });
    assert.equal(shown.status, 'needs_response');
  });

  test('a dispute event naming a dispute Stripe does not have records nothing, whichever payment it names', async () => {
    const user = await registerUser(t);
    const id = await confirmedPayment(user);
    const forged = anEvent('charge.dispute.created', { id: `dp_${randomUUID().replace(/-/g, '')}`, object: 'dispute', amount: 2000, status: 'needs_response', reason: 'fraudulent', payment_intent: id, charge: 'ch_1' });
    assert.equal((await deliver(forged)).statusCode, 200);
    await eventually(async () => ((await storedEvent(forged.id))?.processed_at ? true : undefined), 'the event to be processed');
    assert.equal((await readPayment(user, id)).dispute, null);
    const refund = await t.inject({ method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID() } });
    assert.equal(refund.statusCode, 201, `a payment no one disputes can still be refunded: ${refund.body}`);
  });

  test('a refund reversal lowers the refunded amount again (re-read, not summed)', async () => {
    const user = await registerUser(t);
    const id = await confirmedPayment(user);
    await t.stripe.refunds.create({ payment_intent: id, amount: 500 });
    // As if a larger refund had been recorded and then reversed at Stripe.
    await t.database.db.execute(sql`update payments set amount_refunded = 900 where stripe_payment_intent_id = ${id}`);
    const charge = (await t.stripe.charges.list({ payment_intent: id })).data[0]!;
    assert.equal((await deliver(anEvent('charge.refund.updated', { id: 're_1', object: 'refund', charge: charge.id, payment_intent: id, status: 'canceled' }))).statusCode, 200);
    await eventually(async () => ((await readPayment(user, id)).amountRefunded === 500 ? true : undefined), 'the refunded amount as Stripe says it');
  });

  test('retention deletes processed events and expired keys after EVENT_RETENTION_DAYS, and keeps the rest', async () => {
    const [old, recent] = [eventId(), eventId()];
    await t.database.db.execute(sql`insert into stripe_events (id, type, stripe_created_at, processed_at) values (${old}, 'x', now() - interval '40 days', now() - interval '31 days'), (${recent}, 'x', now(), now() - interval '29 days')`);
    await t.ctx.services.eventWorker.retain();
    assert.equal(await storedEvent(old), undefined);
    assert.ok(await storedEvent(recent));
  });
});
