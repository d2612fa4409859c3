import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { clearFaults, injectFault } from '../helpers/emulator.js';
import { call, startCluster, type Cluster } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';

const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): two instances share the database';
const PAYMENTS = 300;

describe('Stripe failing 30% of calls while clients create and confirm payments', { skip }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2, databaseUrl!, { STRIPE_TIMEOUT_MS: '800', PAYMENT_LEASE_SECONDS: '2' });
  });
  after(async () => {
    await cluster?.stop();
  });

  /** A client that retries with the same cuid until it gets an answer that is not a 5xx or a 409-in-progress. */
  async function retrying(path: string, token: string, body: Record<string, unknown>, instance: number): Promise<{ status: number; json: () => Record<string, unknown> }> {
    for (let attempt = 0; attempt < 40; attempt++) {
      const url = cluster.instances[(instance + attempt) % cluster.instances.length]!.url;
      const response = await call(`${url}${path}`, { token, body }).catch(() => undefined);
      if (response && response.status < 500 && !(response.status === 409 && response.json().code === 'IDEMPOTENCY_KEY_IN_USE')) return response;
      await sleep(50 + attempt * 25);
    }
    assert.fail(`${path} never answered`);
  }

  test('no duplicate PaymentIntent, no lost payment, and after reconcile every status agrees with Stripe', async () => {
    const email = `faults-${randomUUID()}@example.com`;
    const registered = await call(`${cluster.instances[0]!.url}/user/register`, { body: { userName: 'Faults', email, password: 'fault-test-passphrase' } });
    const token = registered.json().access_token as string;
    // Four kinds, about 30% of calls in all; a hang outlasts the SDK's 800 ms timeout.
    for (const kind of ['http500', 'http429', 'drop', 'hang'] as const) {
      await injectFault(cluster.stripeUrl, { path: '/v1', kind, count: 100_000, rate: 0.085, hangMs: 1200, ...(kind === 'http500' ? { executeBeforeFault: true } : {}) } as never);
    }
    const ids = new Set<string>();
    const work = Array.from({ length: PAYMENTS }, (_, i) => async () => {
      const cuid = randomUUID();
      const created = await retrying('/payment', token, { cuid }, i);
      assert.equal(created.status, 201, JSON.stringify(created.json()));
      const id = created.json().id as string;
      ids.add(id);
      const confirmed = await retrying('/payment/confirm', token, { cuid, paymentId: id, paymentMethodId: 'pm_card_visa' }, i + 1);
      assert.equal(confirmed.status, 201, JSON.stringify(confirmed.json()));
    });
    for (let i = 0; i < work.length; i += 15) await Promise.all(work.slice(i, i + 15).map((run) => run()));
    await clearFaults(cluster.stripeUrl);
    assert.equal(ids.size, PAYMENTS, 'every payment acknowledged with its own intent');

    await sleep(2100);
    const report = await call(`${cluster.instances[0]!.url}/admin/reconcile`, { token: cluster.apiKey, method: 'POST' });
    assert.equal(report.status, 200);

    const base = new URL(cluster.stripeUrl);
    const stripe = new Stripe('sk_test_faults', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
    const customers = await stripe.customers.list({ email, limit: 10 });
    assert.equal(customers.data.length, 1, 'one customer');
    const atStripe = new Map<string, string>();
    for await (const intent of stripe.paymentIntents.list({ customer: customers.data[0]!.id, limit: 100 })) atStripe.set(intent.id, intent.status);
    assert.equal(atStripe.size, PAYMENTS, 'no duplicate PaymentIntent');

    const listed: Array<{ id: string; status: string }> = [];
    for (let url: string | undefined = `${cluster.instances[1]!.url}/payment?limit=100`; url; ) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      listed.push(...((await response.json()) as Array<{ id: string; status: string }>));
      url = /<([^>]+)>/.exec(response.headers.get('link') ?? '')?.[1]?.replace('http://127.0.0.1:', `${base.protocol}//127.0.0.1:`);
      if (url) url = url.replace(/^https?:\/\/[^/]+/, cluster.instances[1]!.url);
    }
    assert.equal(listed.length, PAYMENTS, 'no lost payment');
    for (const payment of listed) assert.equal(payment.status, atStripe.get(payment.id), `${payment.id} agrees with Stripe`);
    assert.ok(listed.every((p) => p.status === 'succeeded'));
  });
});
