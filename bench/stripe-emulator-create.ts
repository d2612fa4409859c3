/**
 * Throughput of `paymentIntents.create` through the official SDK against the local emulator.
 * The emulator runs in a worker thread so the SDK's own cost does not share its event loop.
 * Usage: npx tsx bench/stripe-emulator-create.ts [seconds=10] [concurrency=20]
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import Stripe from 'stripe';
import { startStripeEmulator } from '@paybridge/stripe-emulator';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 20);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function worker(stripe: Stripe, until: number, latencies: number[] | null): Promise<number> {
  let done = 0;
  while (Date.now() < until) {
    const started = process.hrtime.bigint();
    await stripe.paymentIntents.create({ amount: 1999, currency: 'usd', allowed_payment_method_types: ['card'], metadata: { bench: 'create' } });
    if (latencies) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    done++;
  }
  return done;
}

async function runEmulatorWorker(): Promise<void> {
  const emulator = await startStripeEmulator({ port: 0 });
  parentPort?.postMessage({ host: emulator.host, port: emulator.port });
  parentPort?.once('message', () => void emulator.close().then(() => process.exit(0)));
}

function startWorker(): Promise<{ worker: Worker; host: string; port: number }> {
  // The worker runs this TypeScript file, so it registers tsx's loader before importing it.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { host: string; port: number }) => resolve({ worker, ...m }));
  });
}

async function main(): Promise<void> {
  const emulator = await startWorker();
  const stripe = new Stripe('sk_test_bench', { host: emulator.host, port: emulator.port, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker(stripe, Date.now() + 2000, null)));
    const latencies: number[] = [];
    const started = Date.now();
    const counts = await Promise.all(Array.from({ length: concurrency }, () => worker(stripe, started + seconds * 1000, latencies)));
    const elapsed = (Date.now() - started) / 1000;
    const total = counts.reduce((a, b) => a + b, 0);
    latencies.sort((a, b) => a - b);
    const result = {
      benchmark: 'stripe-emulator paymentIntents.create via SDK', concurrency, seconds: Number(elapsed.toFixed(2)), requests: total,
      requestsPerSecond: Math.round(total / elapsed), p50Ms: Number(percentile(latencies, 50).toFixed(2)), p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    };
    console.log(`paymentIntents.create: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${total} requests, ${concurrency} callers, ${result.seconds} s)`);
    console.log(JSON.stringify(result));
  } finally {
    emulator.worker.postMessage('stop');
  }
}

void (isMainThread ? main() : runEmulatorWorker());
