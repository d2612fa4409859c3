import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { cardPi } from './helpers.js';

const BIN = new URL('../src/bin.ts', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The `stripe-emulator` command in a process of its own, as users run it. */
async function startCli(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=stripe-emulator-source', BIN, '--port', String(port), '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Generous: start-up time on a loaded machine is not what this tests.
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`http://127.0.0.1:${port}/_emulator/health`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`emulator did not come up:\n${output}`);
    await sleep(50);
  }
  return child;
}

function killHard(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  return exited;
}

describe('stripe emulator: kill -9 while clients write', { timeout: 300_000 }, () => {
  const children: ChildProcess[] = [];
  let dataDir = '';
  after(async () => {
    await Promise.all(children.map(killHard));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('every answered create and confirm is there after the restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stripe-emulator-crash-'));
    const port = await freePort();
    const first = await startCli(dataDir, port);
    children.push(first);
    const stripe = new Stripe('sk_test_crash', { host: '127.0.0.1', port, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
    const customer = await stripe.customers.create({ email: 'crash@example.com' });

    const answered = new Map<string, Stripe.PaymentIntent.Status>();
    let dead = false;
    const client = async (): Promise<void> => {
      while (!dead) {
        const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, ...cardPi }).catch(() => undefined);
        if (pi) answered.set(pi.id, pi.status);
        const open = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer: customer.id, ...cardPi }).catch(() => undefined);
        if (open) answered.set(open.id, open.status);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (answered.size < 150) await sleep(5);
    await killHard(first);
    dead = true;
    await Promise.all(clients);

    const second = await startCli(dataDir, port);
    children.push(second);
    const lost: string[] = [];
    for (const [id, status] of answered) {
      const pi = await stripe.paymentIntents.retrieve(id).catch(() => undefined);
      if (pi?.status !== status) lost.push(`${id} (${status} → ${pi?.status ?? 'missing'})`);
    }
    assert.deepEqual(lost, [], `${lost.length} of ${answered.size} answered PaymentIntents lost or changed`);
    const listed = await stripe.paymentIntents.list({ customer: customer.id, limit: 100 }).autoPagingToArray({ limit: 10_000 });
    const listedIds = new Set(listed.map((p) => p.id));
    assert.ok([...answered.keys()].every((id) => listedIds.has(id)), 'the list holds every answered intent too');
    assert.ok(listed.every((p, i) => i === 0 || (listed[i - 1]?.created ?? 0) >= p.created), 'newest first');
  });
});
