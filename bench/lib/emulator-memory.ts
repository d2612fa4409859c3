import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { cpuSeconds, rssMiB, startProcess, type ServiceProcess } from './processes.js';
import type { Row } from './report.js';

const INTENTS = Number(process.env.BENCH_EMULATOR_INTENTS ?? 50_000);
const CONCURRENCY = 20;
const PORT = 12192;
const ENTRY = 'packages/stripe-emulator/src/bin.ts';
/** The goals, each printed as the baseline so the ratio column reads against it. */
const GOALS = { rssMiB: 250, createsPerSecond: 1000, restartSeconds: 5 };

type Create = (stripe: Stripe) => Promise<unknown>;
const confirmed: Create = (stripe) => stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'] });
const plain: Create = (stripe) => stripe.paymentIntents.create({ amount: 1000, currency: 'usd', allowed_payment_method_types: ['card'] });

/** Makes `count` PaymentIntents through the SDK, `CONCURRENCY` at a time; answers creates/s. */
async function creates(stripe: Stripe, count: number, create: Create): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next++ < count) await create(stripe);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - started) / 1000);
}

function start(dataDir: string): Promise<ServiceProcess> {
  return startProcess(ENTRY, ['--port', String(PORT), '--data-dir', dataDir], {}, `http://127.0.0.1:${PORT}`, '/_emulator/health');
}

/** The emulator's own figure for opening its log, from its start-up line. */
function loadSeconds(output: string): number {
  return Number(/"loadMs":(\d+)/.exec(output)?.[1] ?? NaN) / 1000;
}

/**
 * A standalone emulator with its durable store: resident memory after INTENTS confirmed
 * PaymentIntents, creates/s (plain, then confirmed, for the last 5,000), and the time from a
 * kill -9 to the first healthy answer of a new process on the same log. Each against the
 * issue's goal (ratio ≤ 1 or ≥ 1 meets it).
 */
export async function measureEmulatorMemory(rows: Row[]): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stripe-emulator-bench-'));
  let emulator = await start(dataDir);
  try {
    const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port: PORT, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
    const idleRss = rssMiB(emulator.pid);
    const plainRate = await creates(stripe, 5_000, plain);
    await creates(stripe, Math.max(0, INTENTS - 5_000), confirmed);
    const cpuBefore = cpuSeconds(emulator.pid);
    const confirmedRate = await creates(stripe, 5_000, confirmed);
    const cpuMs = ((cpuSeconds(emulator.pid) - cpuBefore) / 5_000) * 1000;
    const rss = rssMiB(emulator.pid);
    rows.push({ name: `stripe emulator: RSS after ${INTENTS} confirmed PaymentIntents (MiB, vs goal; idle ${idleRss.toFixed(0)})`, value: rss, baseline: GOALS.rssMiB, goal: { max: 1 } });
    rows.push({ name: 'stripe emulator: creates/s, plain PaymentIntents, first 5,000 (vs goal)', value: plainRate, baseline: GOALS.createsPerSecond, goal: { min: 1 } });
    rows.push({ name: `stripe emulator: creates/s, confirmed, last 5,000 of ${INTENTS} (vs goal)`, value: confirmedRate, baseline: GOALS.createsPerSecond, goal: { min: 1 } });
    // What the emulator could serve with a core of its own: its CPU per request, whatever else the machine runs.
    rows.push({ name: `stripe emulator: confirmed creates/s per core of emulator CPU (${cpuMs.toFixed(2)} ms each; vs goal)`, value: 1000 / cpuMs, baseline: GOALS.createsPerSecond, goal: { min: 1 } });
    await emulator.kill();
    const restartStarted = performance.now();
    emulator = await start(dataDir);
    const restart = (performance.now() - restartStarted) / 1000;
    rows.push({ name: `stripe emulator: kill -9, then start to first healthy answer, ${INTENTS} intents (s, vs goal)`, value: restart, baseline: GOALS.restartSeconds, goal: { max: 1 } });
    rows.push({ name: 'stripe emulator: of which opening the log (s, vs goal)', value: loadSeconds(emulator.output()), baseline: GOALS.restartSeconds, goal: { max: 1 } });
  } finally {
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
