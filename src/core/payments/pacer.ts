import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentGateway } from './payment-gateway.js';

/** Spaces calls evenly so that no more than `perSecond` start in any second, across concurrent callers. */
export function createPacer(perSecond: number) {
  const spacingMs = 1000 / perSecond;
  let nextSlot = 0;
  let calls = 0;
  return {
    async take(): Promise<void> {
      const now = performance.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + spacingMs;
      calls += 1;
      if (slot > now) await sleep(slot - now);
    },
    /** How many calls have been paced so far. */
    get calls(): number {
      return calls;
    },
  };
}

export type Pacer = ReturnType<typeof createPacer>;

/** The gateway with every call to Stripe paced (background work must leave the account's rate limit to requests). */
export function pacedGateway(gateway: PaymentGateway, pacer: Pacer): PaymentGateway {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'parseWebhookEvent') return value;
      return async (...args: unknown[]) => {
        await pacer.take();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
