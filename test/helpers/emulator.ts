import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type Stripe from 'stripe';

export interface FaultRule {
  path: string;
  kind: 'http500' | 'http429' | 'hang' | 'drop';
  count?: number;
  method?: string;
  hangMs?: number;
  executeBeforeFault?: boolean;
}

/** Makes the emulator fail the next matching calls (its control surface, outside /v1). */
export async function injectFault(stripeUrl: string, rule: FaultRule): Promise<void> {
  const response = await fetch(`${stripeUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  assert.equal(response.status, 200, await response.text());
}

/** The fault rules the emulator still holds, with the calls each has yet to fail (a used-up rule is gone). */
export async function faultsAt(stripeUrl: string): Promise<Array<FaultRule & { remaining: number }>> {
  return ((await (await fetch(`${stripeUrl}/_emulator/faults`)).json()) as { faults: Array<FaultRule & { remaining: number }> }).faults;
}

export async function clearFaults(stripeUrl: string): Promise<void> {
  await fetch(`${stripeUrl}/_emulator/faults`, { method: 'DELETE' });
}

/** Every PaymentIntent of a customer at the emulator, walked through the SDK's auto-pagination. */
export async function paymentIntentsOf(stripe: Stripe, customer: string): Promise<Stripe.PaymentIntent[]> {
  const all: Stripe.PaymentIntent[] = [];
  for await (const intent of stripe.paymentIntents.list({ customer, limit: 100 })) all.push(intent);
  return all;
}

/** Polls until check returns a value (webhook deliveries are asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
