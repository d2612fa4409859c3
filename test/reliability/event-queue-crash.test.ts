import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import Stripe from 'stripe';
import { call, startCluster, type Cluster, type Instance } from '../helpers/cluster.js';
import { clearFaults, eventually, faultsAt, injectFault } from '../helpers/emulator.js';
import { stripeEvent } from '../helpers/stripe-events.js';
import { databaseUrl } from '../helpers/test-app.js';

const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): an instance is killed beside another';
// The emulator sends nothing to the instances (they know the secret, so none registers an endpoint): the test delivers.
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
// What an event's holder may take before another instance applies it (the 15 s lock, a poll, a margin).
const TAKEN_OVER_WITHIN_MS = 25_000;

describe('Stripe events an instance took when it died, or is still applying', { skip }, () => {
  let cluster: Cluster;
  let stripe: Stripe;
  let db: pg.Client;
  let token: string;
  before(async () => {
    // A hung Stripe call waits for its answer (the SDK's own timeout would retry it sooner).
    cluster = await startCluster(2, databaseUrl!, { STRIPE_WEBHOOK_SECRET: SECRET, STRIPE_TIMEOUT_MS: '90000' });
    const base = new URL(cluster.stripeUrl);
    stripe = new Stripe('sk_test_event_crash', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const registered = await call(`${cluster.instances[0]!.url}/user/register`, { body: { userName: 'Events', email: `events-${randomUUID()}@example.com`, password: 'event-crash-passphrase' } });
    token = registered.json().access_token as string;
  });
  after(async () => {
    await db?.end();
    await cluster?.stop();
  });

  /** A payment made through paybridge and paid at Stripe behind its back: only the event can tell it. */
  async function paidAtStripe(via: Instance): Promise<string> {
    const created = await call(`${via.url}/payment`, { token, body: { cuid: randomUUID() } });
    assert.equal(created.status, 201, created.text);
    const id = created.json().id as string;
    await stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa', return_url: 'https://app.example/return' });
    return id;
  }

  /** Stripe's payment_intent.succeeded of the intent as it is now, signed. */
  async function succeededEvent(intentId: string): Promise<{ id: string; payload: string }> {
    const event = stripeEvent('payment_intent.succeeded', { ...(await stripe.paymentIntents.retrieve(intentId)) });
    return { id: event.id, payload: JSON.stringify(event) };
  }

  async function deliver(to: Instance, { id, payload }: { id: string; payload: string }): Promise<string> {
    const response = await fetch(`${to.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }) }, body: payload });
    assert.equal(response.status, 200, await response.text());
    return id;
  }

  const storedEvent = async (id: string) => (await db.query<{ attempts: number; locked_until: Date | null; processed_at: Date | null }>('select attempts, locked_until, processed_at from stripe_events where id = $1', [id])).rows[0];
  const statusOf = async (via: Instance, id: string) => (await call(`${via.url}/payment/${id}`, { token })).json().status as string;

  test('an event still being applied after its lock would have run out stays with its holder: applied once', async () => {
    const [holder, other] = cluster.instances as [Instance, Instance];
    const id = await paidAtStripe(holder);
    const event = await succeededEvent(id);
    // The holder's re-read of the intent takes 20 s, longer than the 15 s lock it took the event with.
    await injectFault(cluster.stripeUrl, { path: `/v1/payment_intents/${id}`, method: 'GET', kind: 'hang', hangMs: 20_000, count: 1 });
    try {
      const eventId = await deliver(holder, event);
      await eventually(async () => ((await statusOf(other, id)) === 'succeeded' ? true : undefined), 'the holder to apply the event', 40_000);
      const stored = await storedEvent(eventId);
      assert.ok(stored?.processed_at, 'processed');
      assert.equal(stored.attempts, 1, 'taken once: the holder renewed its lock, so no other instance took the event meanwhile');
    } finally {
      await clearFaults(cluster.stripeUrl);
    }
  });

  test('kill -9 while applying an acknowledged event (Stripe never sends it again): another instance applies it within seconds', async () => {
    const [victim, survivor] = cluster.instances as [Instance, Instance];
    const id = await paidAtStripe(survivor);
    const event = await succeededEvent(id);
    await injectFault(cluster.stripeUrl, { path: `/v1/payment_intents/${id}`, method: 'GET', kind: 'hang', hangMs: 60_000, count: 1 });
    try {
      const eventId = await deliver(victim, event);
      // The victim holds the event and its re-read of the intent is hanging at Stripe: it is applying it.
      await eventually(async () => ((await storedEvent(eventId))?.locked_until && (await faultsAt(cluster.stripeUrl)).length === 0 ? true : undefined), 'the victim to be applying its event');
      await victim.kill('SIGKILL');
      const killedAt = Date.now();
      await clearFaults(cluster.stripeUrl);
      await eventually(async () => ((await statusOf(survivor, id)) === 'succeeded' ? true : undefined), 'the survivor to apply the event', TAKEN_OVER_WITHIN_MS + 10_000);
      const waited = Date.now() - killedAt;
      assert.ok(waited < TAKEN_OVER_WITHIN_MS, `applied ${waited} ms after the kill (the dead holder's lock held it that long)`);
      assert.equal((await storedEvent(eventId))?.attempts, 2, 'taken again once');
    } finally {
      await clearFaults(cluster.stripeUrl);
    }
  });
});
