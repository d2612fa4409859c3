import type Stripe from 'stripe';
import { API_VERSION, type EmittedEventType, type EventObject, type RequestOrigin } from './context.js';
import type { Clock } from './clock.js';
import { newId } from './ids.js';
import type { Store } from './store.js';

export type EventSink = (event: Stripe.EventBase) => void;

/** Equality of JSON values (objects are JSON here), without serialising them: most fields did not change. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // A key set to undefined is absent, as in JSON.
  for (const k of Object.keys(ra)) if (!sameJson(ra[k], rb[k])) return false;
  for (const k of Object.keys(rb)) if (!(k in ra) && rb[k] !== undefined) return false;
  return true;
}

function previousAttributes(before: EventObject, after: EventObject): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  const b = before as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(after)) {
    const old = b[key];
    if (!sameJson(old, value)) prev[key] = old === undefined ? null : old;
  }
  return prev;
}

/**
 * Records an event for a state change. The object is snapshotted now, as Stripe does (a later
 * change to the object does not rewrite history): the event is serialised once, here, and that
 * JSON is what the store keeps, so the object needs no copy.
 */
export function createEvent(
  store: Store, clock: Clock, sink: EventSink,
  type: EmittedEventType, object: EventObject, origin: RequestOrigin | null, before?: EventObject,
): void {
  const data: Stripe.Event.Data = { object };
  if (before) data.previous_attributes = previousAttributes(before, object);
  // Stripe records an update only when something changed: an update that changes nothing has no event.
  if (type.endsWith('.updated') && data.previous_attributes && Object.keys(data.previous_attributes).length === 0) return;
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
  sink(event);
  store.putSerialized('event', event.id, event.created, JSON.stringify(event));
}
