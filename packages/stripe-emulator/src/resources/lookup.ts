import type Stripe from 'stripe';
import { resourceMissing } from '../errors.js';
import type { Store } from '../store.js';

export function requireCustomer(store: Store, id: string, param = 'id'): Stripe.Customer {
  const c = store.get('customer', id);
  if (!c) throw resourceMissing('customer', id, param);
  return c;
}

export function requirePaymentIntent(store: Store, id: string): Stripe.PaymentIntent {
  const pi = store.get('payment_intent', id);
  if (!pi) throw resourceMissing('payment_intent', id, 'intent');
  return pi;
}

export function requireSetupIntent(store: Store, id: string): Stripe.SetupIntent {
  const si = store.get('setup_intent', id);
  if (!si) throw resourceMissing('setupintent', id, 'intent');
  return si;
}

export function requireCharge(store: Store, id: string, param = 'id'): Stripe.Charge {
  const ch = store.get('charge', id);
  if (!ch) throw resourceMissing('charge', id, param);
  return ch;
}

/** Stripe objects may hold an id or (after expansion) the object; stored objects hold ids. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value == null) return null;
  return typeof value === 'string' ? value : value.id;
}

type Metadata = Stripe.Metadata;

/** Applies `metadata[k]=v` (empty value deletes k; `metadata=` clears all) to a fresh prototype-less map. */
export function applyMetadata(current: Metadata | null, patch: Array<[string, string | null]> | null | undefined): Metadata {
  const next: Metadata = Object.create(null) as Metadata;
  if (patch === null) return next;
  if (current) for (const [k, v] of Object.entries(current)) next[k] = v;
  for (const [k, v] of patch ?? []) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}
