import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, startCluster, type Cluster } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';
import { startReceiver, verifySignature, type Receiver } from '../helpers/webhook-receiver.js';

const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): several processes share one outbox';

async function register(url: string): Promise<string> {
  const email = `outbox-${randomUUID()}@example.com`;
  const response = await call(`${url}/user/register`, { body: { userName: 'Outbox', email, password: 'outbox-test-passphrase' } });
  assert.equal(response.status, 201, response.text);
  return email;
}

async function addEndpoint(cluster: Cluster, receiver: Receiver): Promise<string> {
  const response = await call(`${cluster.instances[0]!.url}/admin/webhook-endpoints`, { token: cluster.apiKey, body: { url: receiver.url, events: ['user.created'] } });
  assert.equal(response.status, 201, response.text);
  return response.json().secret as string;
}

describe('the outbox on several instances', { skip }, () => {
  let cluster: Cluster | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  after(() => Promise.all(receivers.map((r) => r.close())));

  test('three instances deliver each event exactly once per endpoint', async () => {
    cluster = await startCluster(3, databaseUrl!);
    const receiver = await startReceiver();
    receivers.push(receiver);
    const secret = await addEndpoint(cluster, receiver);
    const emails = await Promise.all(Array.from({ length: 30 }, (_, i) => register(cluster!.instances[i % 3]!.url)));
    const ours = () => receiver.received.filter((r) => emails.includes(r.event.data.object.email as string));
    await receiver.waitFor(() => new Set(ours().map((r) => r.event.id)).size === emails.length, 30_000);
    await sleep(1500); // time for any duplicate to arrive
    assert.equal(ours().length, emails.length, 'no event delivered twice');
    assert.deepEqual(new Set(ours().map((r) => r.event.data.object.email)), new Set(emails));
    assert.ok(ours().every((r) => verifySignature(r.headers['paybridge-signature'], r.body, secret)));
    assert.ok(!cluster.output().includes(secret), 'the secret is never logged');
  });

  test('kill -9 while an event is being delivered: a new instance delivers it after the claim lapses', async () => {
    cluster = await startCluster(1, databaseUrl!);
    const receiver = await startReceiver();
    receivers.push(receiver);
    await addEndpoint(cluster, receiver);
    const email = await register(cluster.instances[0]!.url);
    const mine = () => receiver.received.filter((r) => r.event.data.object.email === email);
    receiver.respond = (_n, request) => (mine().length === 1 && request.headers['paybridge-event-id'] === mine()[0]!.event.id ? 'hang' : 200);
    await receiver.waitFor(() => mine().length === 1, 15_000);
    await cluster.instances[0]!.kill('SIGKILL');
    const survivor = await cluster.startInstance();
    await receiver.waitFor(() => mine().length >= 2, 60_000);
    const [first, second] = mine();
    assert.equal(second!.event.id, first!.event.id, 'the same event, redelivered');
    assert.equal(second!.body, first!.body);
    const endpoints = await call(`${survivor.url}/admin/webhook-endpoints`, { token: cluster.apiKey });
    const endpoint = (JSON.parse(endpoints.text) as Array<{ id: string; url: string }>).find((e) => e.url === receiver.url)!;
    const deadline = Date.now() + 5000;
    let log: Array<{ eventId: string; status: string }> = [];
    while (!log.some((a) => a.eventId === first!.event.id && a.status === 'succeeded') && Date.now() < deadline) {
      log = JSON.parse((await call(`${survivor.url}/admin/webhook-endpoints/${endpoint.id}/deliveries`, { token: cluster.apiKey })).text) as typeof log;
      await sleep(100);
    }
    assert.ok(log.some((a) => a.eventId === first!.event.id && a.status === 'succeeded'), 'logged as delivered');
  });
});
