import { randomUUID } from 'node:crypto';

export const newEventId = () => `evt_${randomUUID().replace(/-/g, '')}`;
export const unixNow = () => Math.floor(Date.now() / 1000);

/** A Stripe event around `object`, in the envelope Stripe sends it in (API version 2026-10-28.endive). */
export function stripeEvent(type: string, object: Record<string, unknown>, created = unixNow()) {
  return { id: newEventId(), object: 'event', api_version: '2026-10-28.endive', created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
}
