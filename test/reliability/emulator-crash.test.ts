import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { call, freePort } from '../helpers/cluster.js';

/** The embedded default as `npm start` runs it: PGlite and the Stripe emulator in DATA_DIR, no Stripe key, no database URL. */
async function startEmbedded(dataDir: string, port: number, stripePort: number): Promise<{ url: string; child: ChildProcess }> {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, PORT: String(port), STRIPE_EMULATOR_PORT: String(stripePort), LOG_LEVEL: 'warn', RECONCILE_INTERVAL: '0' };
  for (const name of ['DATABASE_URL', 'STRIPE_SECRET_KEY', 'STRIPE_API_BASE', 'STRIPE_WEBHOOK_SECRET']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded machine PGlite's first start alone can take a minute; start-up time is not what this tests.
  const deadline = Date.now() + 240_000;
  while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`paybridge did not come up:\n${output}`);
    await sleep(100);
  }
  return { url, child };
}

describe('kill -9 of the embedded default while clients create payments', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paybridge-emulator-crash-'));
  const children: ChildProcess[] = [];
  after(async () => {
    await Promise.all(children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every PaymentIntent paybridge acknowledged is at the emulator after the restart', async () => {
    const [port, stripePort] = [await freePort(), await freePort()];
    const first = await startEmbedded(dataDir, port, stripePort);
    children.push(first.child);
    const registered = await call(`${first.url}/user/register`, { body: { userName: 'Crash', email: `emu-crash-${randomUUID()}@example.com`, password: 'crash-test-passphrase' } });
    assert.equal(registered.status, 201, registered.text);
    const token = registered.json().access_token as string;

    const acknowledged: string[] = [];
    let dead = false;
    const client = async (): Promise<void> => {
      while (!dead) {
        const response = await call(`${first.url}/payment`, { token, body: { cuid: randomUUID() } }).catch(() => undefined);
        if (response?.status === 201) acknowledged.push(response.json().id as string);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (acknowledged.length < 60) await sleep(5);
    const endpointBefore = JSON.parse(readFileSync(join(dataDir, 'stripe-emulator-webhook.json'), 'utf8')) as { id: string };
    const firstExited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    dead = true;
    await firstExited;
    await Promise.all(clients);

    const second = await startEmbedded(dataDir, port, stripePort);
    children.push(second.child);
    const stripe = new Stripe('sk_test_crash', { host: '127.0.0.1', port: stripePort, protocol: 'http', telemetry: false });
    const missing: string[] = [];
    for (const id of acknowledged) {
      const found = await stripe.paymentIntents.retrieve(id).then(() => true, () => false);
      if (!found) missing.push(id);
    }
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged PaymentIntents lost`);

    // The deliveries the emulator still owed to the first process keep going to the same endpoint.
    const endpoints = (await stripe.webhookEndpoints.list()).data.map((e) => e.id);
    assert.deepEqual(endpoints, [endpointBefore.id], 'the restarted service kept its webhook endpoint');
    // Its database files hold password hashes: their directory admits only its owner.
    assert.equal(statSync(join(dataDir, 'pglite')).mode & 0o777, 0o700);
  });
});
