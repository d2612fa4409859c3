import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import Stripe from 'stripe';
import { call, startCluster, type Cluster } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';

const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): an instance is killed and restarted beside another';

describe('kill -9 in the middle of a stream of payment creates', { skip }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2, databaseUrl!, { PAYMENT_LEASE_SECONDS: '2' });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('every acknowledged payment exists once, and nothing half-written stays after reconcile', async () => {
    const email = `crash-${randomUUID()}@example.com`;
    const [victim, survivor] = cluster.instances as [(typeof cluster.instances)[0], (typeof cluster.instances)[0]];
    const registered = await call(`${survivor.url}/user/register`, { body: { userName: 'Crash', email, password: 'crash-test-passphrase' } });
    const token = registered.json().access_token as string;

    // Clients send to the victim until it dies, then retry the same cuid on the survivor, as a real client would.
    const acknowledged = new Map<string, string>();
    let killed = false;
    const createOnce = async (cuid: string): Promise<void> => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const target = killed || attempt > 0 ? survivor : victim;
        const response = await call(`${target.url}/payment`, { token, body: { cuid } }).catch(() => undefined);
        if (response?.status === 201) {
          acknowledged.set(cuid, response.json().id as string);
          return;
        }
        await sleep(100);
      }
      assert.fail(`payment ${cuid} was never acknowledged`);
    };
    const cuids = Array.from({ length: 120 }, () => randomUUID());
    const stream = (async () => {
      for (let i = 0; i < cuids.length; i += 6) await Promise.all(cuids.slice(i, i + 6).map(createOnce));
    })();
    while (acknowledged.size < 30) await sleep(10);
    await victim.kill('SIGKILL');
    killed = true;
    await stream;
    const restarted = await cluster.startInstance();

    await sleep(2500); // the leases the dead instance held lapse
    const report = await call(`${restarted.url}/admin/reconcile`, { token: cluster.apiKey, method: 'POST' });
    assert.equal(report.status, 200, report.text);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ idempotency_key: string; stripe_payment_intent_id: string | null }>(
        'select p.idempotency_key, p.stripe_payment_intent_id from payments p join users u on u.id = p.user_id where u.email = $1',
        [email],
      );
      assert.equal(rows.filter((r) => r.stripe_payment_intent_id === null).length, 0, 'no half-written row');
      for (const [cuid, intentId] of acknowledged) {
        const matching = rows.filter((r) => r.idempotency_key === cuid);
        assert.equal(matching.length, 1, `one row for ${cuid}`);
        assert.equal(matching[0]!.stripe_payment_intent_id, intentId, 'the acknowledged intent');
      }
      const base = new URL(cluster.stripeUrl);
      const stripe = new Stripe('sk_test_crash', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
      const customer = (await stripe.customers.list({ email, limit: 1 })).data[0]!;
      const intents: Stripe.PaymentIntent[] = [];
      for await (const intent of stripe.paymentIntents.list({ customer: customer.id, limit: 100 })) intents.push(intent);
      assert.equal(intents.length, rows.length, 'one PaymentIntent per row: no duplicate');
      assert.equal(new Set(intents.map((i) => i.metadata.paybridge_payment_id)).size, intents.length);
    } finally {
      await db.end();
    }
  });
});
