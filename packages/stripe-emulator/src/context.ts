import type Stripe from 'stripe';
import type { Clock } from './clock.js';
import type { Store } from './store.js';

export const API_VERSION = '2026-10-28.endive';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, data?: Record<string, unknown>) => void;

export type EmittedEventType = Extract<Stripe.Event.Type,
  | 'customer.created' | 'customer.updated' | 'customer.deleted' | 'customer.source.created' | 'customer.source.deleted'
  | 'refund.updated' | 'refund.failed' | 'charge.refund.updated' | 'charge.dispute.created' | 'charge.dispute.closed' | 'charge.dispute.updated' | 'charge.dispute.funds_withdrawn'
  | 'charge.dispute.funds_reinstated'
  | 'payment_method.attached' | 'payment_method.detached' | 'payment_method.updated'
  | 'setup_intent.created' | 'setup_intent.requires_action' | 'setup_intent.succeeded' | 'setup_intent.setup_failed' | 'setup_intent.canceled'
  | 'payment_intent.created' | 'payment_intent.requires_action' | 'payment_intent.processing' | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed' | 'payment_intent.canceled' | 'payment_intent.amount_capturable_updated'
  | 'charge.succeeded' | 'charge.failed' | 'charge.refunded' | 'charge.captured' | 'charge.updated' | 'refund.created'>;

/** Which request caused a state change (null for changes made from the 3-D Secure page). */
export interface RequestOrigin {
  requestId: string;
  idempotencyKey: string | null;
}

export type EventObject = { id: string; object: string };

export interface EmulatorState {
  store: Store;
  clock: Clock;
  baseUrl: string;
  log: Logger;
  emit(type: EmittedEventType, object: EventObject, origin: RequestOrigin | null, before?: EventObject): void;
}

export interface RequestContext extends RequestOrigin {
  state: EmulatorState;
  apiKey: string;
  stripeAccount: string | null;
}

/** Who makes a state change: the emulator state plus the request that caused it (null from the 3-D Secure page). */
export interface Actor {
  state: EmulatorState;
  origin: RequestOrigin | null;
}

export function actorOf(ctx: RequestContext): Actor {
  return { state: ctx.state, origin: { requestId: ctx.requestId, idempotencyKey: ctx.idempotencyKey } };
}
