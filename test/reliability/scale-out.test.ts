import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { call, startCluster, type Cluster } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';

// Several processes need a database they can all open: PostgreSQL. PGlite runs in one process.
const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): several processes share one database';

describe('three instances on one PostgreSQL database', { skip }, () => {
  let cluster: Cluster;
  let stripe: Stripe;
  before(async () => {
    cluster = await startCluster(3, databaseUrl!);
    const base = new URL(cluster.stripeUrl);
    stripe = new Stripe('sk_test_scale_out', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
  });
  after(async () => {
    await cluster?.stop();
  });

  async function newUser(): Promise<{ token: string; email: string }> {
    const email = `scale-${randomUUID()}@example.com`;
    const response = await call(`${cluster.instances[0]!.url}/user/register`, { body: { userName: 'Scale', email, password: 'scale-out-passphrase' } });
    assert.equal(response.status, 201, response.text);
    return { token: response.json().access_token as string, email };
  }

  test("200 concurrent creates with one cuid across the instances: one PaymentIntent, one customer, one answer", async () => {
    const user = await newUser();
    const cuid = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(`${cluster.instances[i % 3]!.url}/payment`, { token: user.token, body: { cuid } })),
    );
    for (const response of responses) assert.equal(response.status, 201, response.text);
    assert.equal(new Set(responses.map((r) => r.text)).size, 1, 'identical answers');
    const customers = await stripe.customers.list({ email: user.email, limit: 100 });
    assert.equal(customers.data.length, 1, 'one Stripe customer');
    const intents = await stripe.paymentIntents.list({ customer: customers.data[0]!.id, limit: 100 });
    assert.equal(intents.data.length, 1, 'one PaymentIntent');
    const listed = await call(`${cluster.instances[2]!.url}/payment`, { token: user.token });
    assert.equal((JSON.parse(listed.text) as unknown[]).length, 1, 'one row');
  });

  test("a user's first payments, different cuids on different instances at once: one Stripe customer", async () => {
    const user = await newUser();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(`${cluster.instances[i % 3]!.url}/payment`, { token: user.token, body: { cuid: randomUUID() } })),
    );
    for (const response of responses) assert.equal(response.status, 201, response.text);
    const customers = await stripe.customers.list({ email: user.email, limit: 100 });
    assert.equal(customers.data.length, 1);
    const intents = await stripe.paymentIntents.list({ customer: customers.data[0]!.id, limit: 100 });
    assert.equal(intents.data.length, 30);
  });

  test('a token issued by one instance is honoured by the others, and logout on one ends it everywhere', async () => {
    const user = await newUser();
    const sub = (JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    for (const instance of cluster.instances) assert.equal((await call(`${instance.url}/user/${sub}`, { token: user.token })).status, 200);
    assert.equal((await call(`${cluster.instances[1]!.url}/user/logout`, { token: user.token, method: 'POST' })).status, 204);
    for (const instance of cluster.instances) assert.equal((await call(`${instance.url}/user/${sub}`, { token: user.token })).status, 401);
  });

  test('the processes logged no secret', () => {
    const output = cluster.output();
    assert.ok(output.length > 0);
    assert.ok(!output.includes(cluster.apiKey), 'the bootstrap key');
    assert.doesNotMatch(output, /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, 'a JWT');
    assert.doesNotMatch(output, /whsec_[A-Za-z0-9]{8,}/, 'a webhook secret');
  });
});
