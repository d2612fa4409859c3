import type Stripe from 'stripe';
import { API_VERSION, type EmittedEventType, type EventObject, type RequestOrigin } from './context.js';
import type { Clock } from './clock.js';
import { newId } from './ids.js';
import type { Store } from './store.js';

export type EventSink = (event: Stripe.EventBase) => void;

function previousAttributes(before: EventObject, after: EventObject): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  const b = new Map(Object.entries(before));
  for (const [key, value] of Object.entries(after)) {
    const old = b.get(key);
    if (JSON.stringify(old) !== JSON.stringify(value)) prev[key] = old === undefined ? null : old;
  }
  return prev;
}

/**
 * Records an event for a state change. The object is snapshotted now, as Stripe does:
 * a later change to the object does not rewrite history.
 */
export function createEvent(
  store: Store, clock: Clock, sink: EventSink,
  type: EmittedEventType, object: EventObject, origin: RequestOrigin | null, before?: EventObject,
): Stripe.EventBase {
  const data: Stripe.Event.Data = { object: structuredClone(object) };
  if (before) data.previous_attributes = previousAttributes(before, object);
  const event: Stripe.EventBase = {
    id: newId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: clock.now(),
    data,
    livemode: false,
    pending_webhooks: 0,
    request: { id: origin?.requestId ?? null, idempotency_key: origin?.idempotencyKey ?? null },
    type,
  };
  store.insert('event', event);
  sink(event);
  return event;
}
