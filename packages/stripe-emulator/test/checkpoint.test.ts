import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type Stripe from 'stripe';
import type { RunningStripeEmulator } from '../src/index.js';
import { cardPi, sdk, startEmulator } from './helpers.js';

/** Starts on dataDir and answers how many bytes of log it had to read (from its start-up log line). */
async function open(dataDir: string): Promise<{ emu: RunningStripeEmulator; scanned: number }> {
  let scanned = -1;
  const emu = await startEmulator({
    dataDir,
    log: (_level, msg, data) => {
      if (msg === 'stripe emulator listening') scanned = Number(data?.scannedBytes);
    },
  });
  return { emu, scanned };
}

async function state(stripe: Stripe): Promise<{ intents: string[]; customers: string[] }> {
  const intents = (await stripe.paymentIntents.list({ limit: 100 })).data.map((p) => `${p.id}:${p.status}:${p.amount}`);
  const customers = (await stripe.customers.list({ limit: 100 })).data.map((c) => `${c.id}:${c.email}`);
  return { intents, customers };
}

async function copyState(from: string, to: string): Promise<void> {
  for (const file of ['objects.log', 'objects.index']) await copyFile(join(from, file), join(to, file));
}

describe('stripe emulator: index checkpoint', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'stripe-emulator-checkpoint-'));
    dirs.push(dir);
    return dir;
  };
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('after a clean stop the next start reads the checkpoint, not the log, and has the same state', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    const stripe = sdk(first.emu);
    const gone = await stripe.customers.create({ email: 'gone@example.com' });
    for (let i = 0; i < 20; i++) {
      const c = await stripe.customers.create({ email: `c${i}@example.com` });
      await stripe.paymentIntents.create({ amount: 100 + i, currency: 'usd', customer: c.id, payment_method: 'pm_card_visa', confirm: i % 2 === 0, ...cardPi });
    }
    await stripe.customers.del(gone.id);
    const before = await state(stripe);
    await first.emu.close();
    assert.equal((await stat(join(dir, 'objects.index'))).mode & 0o777, 0o600);

    const second = await open(dir);
    try {
      assert.equal(second.scanned, 0, 'nothing of the log needed reading');
      assert.deepEqual(await state(sdk(second.emu)), before);
      assert.equal((await sdk(second.emu).customers.retrieve(gone.id)).deleted, true);
      const more = await sdk(second.emu).customers.create({ email: 'after@example.com' });
      assert.equal((await sdk(second.emu).customers.list({ limit: 1 })).data[0]?.id, more.id, 'new objects are newest');
    } finally {
      await second.emu.close();
    }
  });

  test('after a crash the start reads the checkpoint and only the log written since', async () => {
    const dir = await tempDir();
    const crashed = await tempDir();
    const first = await open(dir);
    await sdk(first.emu).customers.create({ email: 'early@example.com' });
    await first.emu.close();
    const running = await open(dir);
    const stripe = sdk(running.emu);
    const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', ...cardPi });
    await stripe.paymentIntents.update(pi.id, { amount: 4300 });
    await stripe.customers.create({ email: 'late@example.com' });
    const expected = await state(stripe);
    // The files as a kill -9 would leave them now: every answer is on disk, the checkpoint is older.
    await copyState(dir, crashed);
    await running.emu.close();

    const logSize = (await stat(join(crashed, 'objects.log'))).size;
    const after = await open(crashed);
    try {
      assert.ok(after.scanned > 0 && after.scanned < logSize, `scanned ${after.scanned} of ${logSize} bytes`);
      assert.deepEqual(await state(sdk(after.emu)), expected);
    } finally {
      await after.emu.close();
    }
  });

  test('a damaged checkpoint, or one made from another log, is ignored: the whole log is read', async () => {
    const dir = await tempDir();
    const other = await tempDir();
    const first = await open(dir);
    await sdk(first.emu).customers.create({ email: 'one@example.com' });
    await first.emu.close();
    const second = await open(other);
    await sdk(second.emu).customers.create({ email: 'two@example.com' });
    await sdk(second.emu).customers.create({ email: 'three@example.com' });
    await second.emu.close();

    const index = await readFile(join(dir, 'objects.index'));
    const middle = Math.floor(index.length / 2);
    index[middle] = (index[middle] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'objects.index'), index);
    const damaged = await open(dir);
    try {
      assert.equal(damaged.scanned, (await stat(join(dir, 'objects.log'))).size);
      assert.deepEqual((await state(sdk(damaged.emu))).customers.map((c) => c.split(':')[1]), ['one@example.com']);
    } finally {
      await damaged.emu.close();
    }

    await copyFile(join(dir, 'objects.index'), join(other, 'objects.index'));
    const foreign = await open(other);
    try {
      assert.equal(foreign.scanned, (await stat(join(other, 'objects.log'))).size);
      assert.deepEqual((await state(sdk(foreign.emu))).customers.map((c) => c.split(':')[1]), ['three@example.com', 'two@example.com']);
    } finally {
      await foreign.emu.close();
    }
  });
});
