import argon2 from 'argon2';
import Stripe from 'stripe';
import { randomUUID } from 'node:crypto';
import { load, warmThenLoad, type LoadOptions, type LoadResult } from './load.js';

export interface BenchUser {
  id: string;
  token: string;
  email: string;
  password: string;
}

export async function registerBenchUser(baseUrl: string): Promise<BenchUser> {
  const email = `bench-${randomUUID()}@example.com`;
  const password = `bench-${randomUUID()}`;
  const response = await fetch(`${baseUrl}/user/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: 'Bench', email, password }),
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  const sub = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
  return { id: sub, token, email, password };
}

export const readSelf = (baseUrl: string, user: BenchUser, connections: number, seconds: number) =>
  warmThenLoad({ url: `${baseUrl}/user/${user.id}`, headers: { authorization: `Bearer ${user.token}` }, connections, seconds });

/** POST /payment with a fresh cuid each time, as a load's options. */
export const paymentLoad = (baseUrl: string, user: BenchUser, connections: number, seconds: number): LoadOptions => ({
  url: `${baseUrl}/payment`,
  method: 'POST',
  headers: { authorization: `Bearer ${user.token}` },
  bodyFor: () => JSON.stringify({ cuid: randomUUID() }),
  connections,
  seconds,
});

export const createPayments = (baseUrl: string, user: BenchUser, connections: number, seconds: number) => warmThenLoad(paymentLoad(baseUrl, user, connections, seconds));

export const loginFlood = (baseUrl: string, user: BenchUser, connections: number, seconds: number) =>
  load({ url: `${baseUrl}/user/login`, method: 'POST', body: JSON.stringify({ email: user.email, password: user.password }), connections, seconds });

/** Calls `fn` from `concurrency` loops for `seconds`; answers calls per second. */
async function closedLoop(concurrency: number, seconds: number, fn: () => Promise<unknown>): Promise<number> {
  return (await closedLoopCount(concurrency, seconds, fn)) / seconds;
}

/** closedLoop, answering the number of calls made. */
async function closedLoopCount(concurrency: number, seconds: number, fn: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await fn();
        done += 1;
      }
    }),
  );
  return done;
}

/**
 * The create paybridge sends for a POST /payment, made straight from the SDK: the same amount,
 * currency and customer, and metadata of the same size as paybridge's payment, user and
 * organisation ids (under other names: these intents are not paybridge's, and its webhook
 * receiver ignores them as it ignores other software's), each under a fresh idempotency key. The baseline is the call itself, so what
 * paybridge adds is what paybridge does, not what Stripe does with a richer call.
 */
function paybridgesCreate(stripe: Stripe, customerId: string): () => Promise<Stripe.PaymentIntent> {
  const id = () => randomUUID();
  return () =>
    stripe.paymentIntents.create(
      { amount: 2000, currency: 'usd', customer: customerId, metadata: { baseline_payment_id: id(), baseline_user_id_: id(), baseline_organisation_id: id() } },
      { idempotencyKey: randomUUID() },
    );
}

/** The SDK, as the benchmark calls the emulator at `emulatorUrl` with it (any key is the emulator's). */
export function emulatorClient(emulatorUrl: string): Stripe {
  const base = new URL(emulatorUrl);
  return new Stripe('sk_test_bench', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
}

/**
 * The SDK calling paymentIntents.create directly on the same emulator paybridge uses, from
 * `connections` loops: run(seconds) answers the number of creates made (the client and its
 * customer are made once, so runs can alternate with other measurements).
 */
export async function rawSdkCreator(emulatorUrl: string, connections: number): Promise<{ run(seconds: number): Promise<number> }> {
  const stripe = emulatorClient(emulatorUrl);
  const customer = await stripe.customers.create({ email: 'raw-sdk@example.com' });
  const create = paybridgesCreate(stripe, customer.id);
  return { run: (seconds) => closedLoopCount(connections, seconds, create) };
}

/** One connection: the latency of each raw SDK create, in ms (p50, p99). */
export async function rawSdkCreateLatency(emulatorUrl: string, seconds: number): Promise<{ p50: number; p99: number }> {
  const stripe = emulatorClient(emulatorUrl);
  const customer = await stripe.customers.create({ email: 'raw-sdk-latency@example.com' });
  const samples: number[] = [];
  const createOne = paybridgesCreate(stripe, customer.id);
  const create = async () => {
    const started = performance.now();
    await createOne();
    samples.push(performance.now() - started);
  };
  await closedLoop(1, 2, create);
  samples.length = 0;
  await closedLoop(1, seconds, create);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** argon2 verification of the same kind of hash, on `threads` concurrent calls. */
export async function rawArgon2Verifies(threads: number, seconds: number): Promise<number> {
  const hash = await argon2.hash('bench-password', { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const verify = () => argon2.verify(hash, 'bench-password');
  await closedLoop(threads, 1, verify);
  return closedLoop(threads, seconds, verify);
}

export type { LoadResult };
