/**
 * paybridge against the ceiling of this machine, every ratio measured side by side in one run.
 * Starts what it needs on the local PostgreSQL (database paybridge_bench, recreated each run):
 * paybridge with its embedded Stripe emulator, a bare Fastify baseline, then paybridge on PGlite.
 * paybridge runs as `npm start` runs it: the build in dist/ on plain node (scripts/run-bench.mjs builds it).
 * Usage: npm run bench   (BENCH_SECONDS=10 per measurement by default)
 *   BENCH_ONLY=payments   only POST /payment against the raw SDK (throughput ratio in alternating rounds, added latency at one connection)
 *   BENCH_CPU_PROF=<dir>  paybridge runs under node --cpu-prof, its profile written to <dir> when it stops
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { measureEmulatorMemory } from './lib/emulator-memory.js';
import { load } from './lib/load.js';
import { cpuMeter, rssMiB, SERVICE_ENTRY, startProcess, type CpuMeter, type CpuUse, type ServiceProcess } from './lib/processes.js';
import { printReport, type Row } from './lib/report.js';
import { webhookRouting, type WebhookRouting } from './lib/webhook-routing.js';
import { createPayments, loginFlood, paymentLoad, rawArgon2Verifies, rawSdkCreateLatency, rawSdkCreator, readSelf, registerBenchUser, type BenchUser } from './lib/workloads.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, '/paybridge_bench');
const HASH_THREADS = Math.max(1, availableParallelism() - 1);
const ONLY = process.env.BENCH_ONLY;
const CPU_PROF = process.env.BENCH_CPU_PROF;
// Even, so that each side goes first in half of them.
const PAYMENT_ROUNDS = 6;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
// The embedded emulator of the paybridge measured on PostgreSQL, which the raw SDK calls too.
const EMULATOR_PORT = 12190;
const EMULATOR_URL = `http://127.0.0.1:${EMULATOR_PORT}`;
const profiled = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];

async function recreateDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query('drop database if exists paybridge_bench with (force)');
  await client.query('create database paybridge_bench');
  await client.end();
}

function paybridgeEnv(port: number, emulatorPort: number, databaseUrl?: string): Record<string, string> {
  return {
    PORT: String(port),
    STRIPE_EMULATOR_PORT: String(emulatorPort),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-bench-')),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL: '0',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
    PASSWORD_HASH_CONCURRENCY: String(HASH_THREADS),
    // The benchmark measures paybridge, not Stripe: on PostgreSQL the emulator must be asked for.
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, STRIPE_EMULATOR: 'true' } : {}),
  };
}

async function measureAgainstBaseline(paybridge: ServiceProcess, baseline: ServiceProcess, rows: Row[]): Promise<void> {
  const user = await registerBenchUser(paybridge.url);
  const bareRead = await readSelf(baseline.url, user, 20, SECONDS);
  const read = await readSelf(paybridge.url, user, 20, SECONDS);
  rows.push({ name: 'authenticated GET /user/{id} (req/s)', value: read.rps, baseline: bareRead.rps, goal: { min: 0.8 } });

  const bareHealth = await load({ url: `${baseline.url}/healthz`, connections: 20, seconds: SECONDS });
  const health = await load({ url: `${paybridge.url}/healthz`, connections: 20, seconds: SECONDS });
  rows.push({ name: 'GET /healthz (req/s)', value: health.rps, baseline: bareHealth.rps, goal: { min: 0.9 } });

  await measurePayments(paybridge, user, rows);

  const rawVerifies = await rawArgon2Verifies(HASH_THREADS, SECONDS);
  const logins = await loginFlood(paybridge.url, user, 8, SECONDS);
  rows.push({ name: `POST /user/login (req/s; argon2 on ${HASH_THREADS} thread(s))`, value: logins.rps, baseline: rawVerifies, goal: { min: 0.8 } });

  const quiet = await readSelf(paybridge.url, user, 10, SECONDS);
  const [busy] = await Promise.all([readSelf(paybridge.url, user, 10, SECONDS), loginFlood(paybridge.url, user, 16, SECONDS + 2)]);
  rows.push({ name: 'p99 of authenticated reads during a login flood (ms)', value: busy.p99, baseline: quiet.p99, goal: { max: 2.0 } });
}

interface PaymentRounds {
  totals: { raw: number; payments: number; failed: number };
  /** Each round's ratio, in the order they ran. */
  ratios: number[];
  /** Of each side, in all. */
  seconds: number;
}

/**
 * POST /payment against the raw SDK create on the same emulator, in PAYMENT_ROUNDS alternating
 * rounds: this machine's speed drifts over a run (other tenants, CPU clocks), by as much as a
 * third between runs, and alternation gives both sides the same share of it.
 */
async function runPaymentRounds(paybridge: ServiceProcess, user: BenchUser, routing: WebhookRouting, meters: { raw: CpuMeter; payments: CpuMeter }): Promise<PaymentRounds> {
  const raw = await rawSdkCreator(EMULATOR_URL, 20);
  const round = Math.max(1, Math.round(SECONDS / PAYMENT_ROUNDS));
  const paying = paymentLoad(paybridge.url, user, 20, round);
  await routing.toSink();
  await raw.run(2);
  await routing.toPaybridge();
  await load({ ...paying, seconds: 2 });
  const totals = { raw: 0, payments: 0, failed: 0 };
  const ratios: number[] = [];
  // Each side starts on a quiet machine, its events going where they belong: what the other's
  // round left (webhooks still being delivered, PostgreSQL's background writes) is not charged to it.
  const rawRound = async () => {
    await routing.toSink();
    await settle();
    meters.raw.start();
    totals.raw += await raw.run(round);
    meters.raw.stop();
  };
  const paymentRound = async () => {
    await routing.toPaybridge();
    await settle();
    meters.payments.start();
    const answered = await load(paying);
    meters.payments.stop();
    // Only a 2xx (the route answers 201) is a payment: an error answer or a dropped connection is counted apart.
    totals.payments += answered.total - answered.non2xx;
    totals.failed += answered.non2xx + answered.errors;
  };
  for (let i = 0; i < PAYMENT_ROUNDS; i += 1) {
    const before = { raw: totals.raw, payments: totals.payments };
    // Every other round runs paybridge first, so a steady drift of the machine's speed favours neither side.
    for (const side of i % 2 === 0 ? [rawRound, paymentRound] : [paymentRound, rawRound]) await side();
    ratios.push((totals.payments - before.payments) / Math.max(totals.raw - before.raw, 1));
  }
  return { totals, ratios, seconds: round * PAYMENT_ROUNDS };
}

/** The payment rows: the throughput ratio, where the CPU goes, and the latency added at one connection. */
async function measurePayments(paybridge: ServiceProcess, user: BenchUser, rows: Row[]): Promise<void> {
  const routing = await webhookRouting(EMULATOR_URL);
  const [rawMeter, meter] = [cpuMeter(paybridge.pid), cpuMeter(paybridge.pid)];
  let rounds: PaymentRounds;
  let rawLatency: { p50: number; p99: number };
  try {
    rounds = await runPaymentRounds(paybridge, user, routing, { raw: rawMeter, payments: meter });
    await routing.toSink();
    rawLatency = await rawSdkCreateLatency(EMULATOR_URL, SECONDS);
  } finally {
    await routing.close();
  }
  const { totals, ratios, seconds } = rounds;
  rows.push({ name: 'POST /payment, fresh cuid (req/s)', value: totals.payments / seconds, baseline: totals.raw / seconds, goal: { min: 0.5 } });
  if (totals.failed > 0) rows.push({ name: 'POST /payment: answers that were not a 2xx, or no answer (count)', value: totals.failed });
  const inOrder = ratios.map((r) => r.toFixed(2)).join(', ');
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = (sorted[PAYMENT_ROUNDS / 2 - 1]! + sorted[PAYMENT_ROUNDS / 2]!) / 2;
  rows.push({ name: `POST /payment: its ratio in each of ${PAYMENT_ROUNDS} rounds of ${seconds / PAYMENT_ROUNDS} s (${inOrder}), median`, value: median });
  // Where the time goes: CPU per payment against CPU per raw create, by process (the machine's cores are shared by all).
  const perOp = (seconds: number, count: number) => (seconds * 1000) / Math.max(count, 1);
  const [mine, theirs] = [meter.used(), rawMeter.used()];
  const total = (use: CpuUse) => use.service + use.postgres + use.client;
  rows.push({ name: 'CPU per payment, all processes (ms; baseline: per raw SDK create)', value: perOp(total(mine), totals.payments), baseline: perOp(total(theirs), totals.raw) });
  rows.push({ name: 'CPU per payment: paybridge process, its embedded emulator included (ms)', value: perOp(mine.service, totals.payments), baseline: perOp(theirs.service, totals.raw) });
  rows.push({ name: 'CPU per payment: PostgreSQL (ms)', value: perOp(mine.postgres, totals.payments) });
  rows.push({ name: 'CPU per payment: load generator (ms; baseline: the raw SDK client)', value: perOp(mine.client, totals.payments), baseline: perOp(theirs.client, totals.raw) });
  await measureAddedLatency(paybridge, user, rawLatency, rows);
}

/** What paybridge adds to the raw SDK call at one connection (its own writes, the operation row, the HTTP hop). */
async function measureAddedLatency(paybridge: ServiceProcess, user: BenchUser, raw: { p50: number; p99: number }, rows: Row[]): Promise<void> {
  const single = await createPayments(paybridge.url, user, 1, SECONDS);
  rows.push({ name: 'POST /payment at one connection: p50 added over the raw SDK create (ms)', value: single.p50 - raw.p50, baseline: raw.p50 });
  rows.push({ name: 'POST /payment at one connection: p99 added over the raw SDK create (ms)', value: single.p99 - raw.p99, baseline: raw.p99 });
}

/** RSS sampled four times a second through a long read run; the halves' means are compared (single samples are GC noise). */
async function measureMemory(paybridge: ServiceProcess, rows: Row[]): Promise<void> {
  const user = await registerBenchUser(paybridge.url);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMiB(paybridge.pid)), 250);
  const read = () => load({ url: `${paybridge.url}/user/${user.id}`, headers: { authorization: `Bearer ${user.token}` }, connections: 20, seconds: SECONDS * 2 });
  await read();
  const half = samples.length;
  await read();
  clearInterval(sampler);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  rows.push({ name: 'RSS, second half of a long read run vs first (mean MiB)', value: mean(samples.slice(half)), baseline: mean(samples.slice(0, half)), goal: { max: 1.1 } });
}

async function measurePglite(pgRows: Row[], rows: Row[]): Promise<void> {
  const embedded = await startProcess(SERVICE_ENTRY, ['serve'], paybridgeEnv(3902, 12191), 'http://127.0.0.1:3902');
  try {
    const user = await registerBenchUser(embedded.url);
    const read = await readSelf(embedded.url, user, 20, SECONDS);
    const payments = await createPayments(embedded.url, user, 20, SECONDS);
    const onPg = (name: string) => pgRows.find((r) => r.name.startsWith(name))!.value;
    rows.push({ name: 'PGlite: authenticated GET /user/{id} (req/s, vs PostgreSQL)', value: read.rps, baseline: onPg('authenticated GET') });
    rows.push({ name: 'PGlite: POST /payment (req/s, vs PostgreSQL)', value: payments.rps, baseline: onPg('POST /payment') });
  } finally {
    await embedded.stop();
  }
}

await recreateDatabase();
const paybridge = await startProcess(SERVICE_ENTRY, ['serve'], paybridgeEnv(3900, EMULATOR_PORT, DATABASE_URL), 'http://127.0.0.1:3900', '/readyz', profiled);
if (ONLY === 'payments') {
  const rows: Row[] = [];
  try {
    await measurePayments(paybridge, await registerBenchUser(paybridge.url), rows);
  } finally {
    await paybridge.stop();
  }
  printReport(rows, { seconds: SECONDS, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, node: process.version });
  process.exit(0);
}
const baseline = await startProcess('bench/baseline-server.ts', [], { DATABASE_URL, PORT: '3901' }, 'http://127.0.0.1:3901');
const rows: Row[] = [];
let peakRss = 0;
const peakSampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(paybridge.pid))), 250);
try {
  await measureAgainstBaseline(paybridge, baseline, rows);
  await measureMemory(paybridge, rows);
  rows.push({ name: 'peak RSS of paybridge (with its embedded emulator) over the whole run (MiB)', value: peakRss });
} finally {
  clearInterval(peakSampler);
  await baseline.stop();
  await paybridge.stop();
}
const pgliteRows: Row[] = [];
await measurePglite(rows, pgliteRows);
await measureEmulatorMemory(pgliteRows);
printReport([...rows, ...pgliteRows], { seconds: SECONDS, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, node: process.version });
