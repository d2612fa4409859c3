import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import Stripe from 'stripe';
import { startStripeEmulator, type RunningStripeEmulator, type StripeEmulatorOptions } from '../src/index.js';

export const TEST_KEY = 'sk_test_emulator_contract';

export async function startEmulator(opts: StripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  return startStripeEmulator({ port: 0, webhookRetryBaseMs: 20, ...opts });
}

export function sdk(emu: RunningStripeEmulator, config: Partial<Stripe.StripeConfig> = {}, key = TEST_KEY): Stripe {
  return new Stripe(key, { host: emu.host, port: emu.port, protocol: 'http', telemetry: false, maxNetworkRetries: 0, ...config });
}

/** An emulator and an SDK client on it for the enclosing suite: started before its tests, closed after them. */
export function useEmulator(opts: StripeEmulatorOptions = {}): { readonly emu: RunningStripeEmulator; readonly stripe: Stripe } {
  let running: { emu: RunningStripeEmulator; stripe: Stripe } | undefined;
  before(async () => {
    const emu = await startEmulator(opts);
    running = { emu, stripe: sdk(emu) };
  });
  after(() => running?.emu.close());
  const current = () => running ?? assert.fail('the emulator is started by the suite\'s before hook');
  return {
    get emu() {
      return current().emu;
    },
    get stripe() {
      return current().stripe;
    },
  };
}

/** Calls the JSON control surface. */
export async function control(emu: RunningStripeEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}${path}`, {
    method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A raw form POST/GET against /v1, for asserting headers and exact bytes. */
export async function rawApi(emu: RunningStripeEmulator, method: string, path: string, form = '', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emu.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: method === 'POST' ? form : undefined,
  });
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ReceivedHook {
  body: string;
  signature: string;
}

/** A webhook receiver on a free port; `respond` decides each answer's status. */
export async function startReceiver(respond: (n: number) => number = () => 200): Promise<{ url: string; hooks: ReceivedHook[]; attempts: () => number; close(): Promise<void> }> {
  const hooks: ReceivedHook[] = [];
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = respond(++count);
      if (status >= 200 && status < 300) {
        hooks.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature'] ?? '') });
      }
      res.writeHead(status).end();
    });
  });
  return { ...(await listenForHooks(server)), hooks, attempts: () => count };
}

/** Starts a test receiver on a free local port: its /hooks URL, and a close that drops its connections. */
export async function listenForHooks(server: http.Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const cardPi = { allowed_payment_method_types: ['card'] };

/**
 * `payment_method_data` for a card token: Stripe takes it (its token migration guide uses it), though the
 * SDK's types, following the public spec, list no `card` there.
 */
export function cardData(data: { type: 'card'; card: { token: string }; billing_details?: { name?: string } }): Stripe.PaymentIntentCreateParams.PaymentMethodData {
  return data as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData;
}
