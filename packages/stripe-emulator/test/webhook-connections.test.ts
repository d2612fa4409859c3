import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import type Stripe from 'stripe';
import { listenForHooks, useEmulator, waitFor } from './helpers.js';

interface CountingReceiver {
  url: string;
  bodies: string[];
  connections: () => number;
  close(): Promise<void>;
}

/**
 * A receiver that counts the TCP connections deliveries arrive on. With `dropReused`, it closes a
 * connection (no answer) when a second request arrives on it, as an endpoint whose idle timeout
 * fired just as the connection was reused would.
 */
async function countingReceiver(dropReused = false): Promise<CountingReceiver> {
  const bodies: string[] = [];
  let connections = 0;
  const served = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (dropReused && n > 1) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end();
    });
  });
  server.on('connection', () => connections++);
  return { ...(await listenForHooks(server)), bodies, connections: () => connections };
}

async function createCustomersOneByOne(stripe: Stripe, receiver: CountingReceiver, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = await stripe.customers.create({ email: `conn${i}@example.com` });
    ids.push(c.id);
    await waitFor(() => (receiver.bodies.some((b) => b.includes(c.id)) ? true : undefined), 5000, `delivery of ${c.id}`);
  }
  return ids;
}

describe('stripe emulator: webhook connections', () => {
  // Retries an hour apart: a delivery that arrives within the test arrived without a retry.
  const suite = useEmulator({ webhookRetryBaseMs: 3_600_000 });

  test('deliveries to one endpoint share a kept-open connection', async () => {
    const receiver = await countingReceiver();
    try {
      const { stripe } = suite;
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      await createCustomersOneByOne(stripe, receiver, 5);
      assert.equal(receiver.bodies.length, 5);
      assert.equal(receiver.connections(), 1);
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      await receiver.close();
    }
  });

  test('a kept-open connection the endpoint dropped is sent again on a new one, not counted as a failed attempt', async () => {
    const receiver = await countingReceiver(true);
    try {
      const { stripe } = suite;
      const we = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      const ids = await createCustomersOneByOne(stripe, receiver, 4);
      for (const id of ids) assert.equal(receiver.bodies.filter((b) => b.includes(id)).length, 1, `${id} delivered once`);
      assert.ok(receiver.connections() >= 4, 'each reuse was dropped and a new connection opened');
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      await receiver.close();
    }
  });
});
