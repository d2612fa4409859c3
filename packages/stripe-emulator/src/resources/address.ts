import type Stripe from 'stripe';
import { object, str, type Parsed } from '../params.js';

export const addressShape = { city: str(), country: str(), line1: str(), line2: str(), postal_code: str(), state: str() };
export const shippingShape = { name: str(), phone: str(), carrier: str(), tracking_number: str(), address: object(addressShape) };

export function toAddress(a: Parsed<typeof addressShape> | null | undefined): Stripe.Address | null {
  if (!a) return null;
  return { city: a.city ?? null, country: a.country ?? null, line1: a.line1 ?? null, line2: a.line2 ?? null, postal_code: a.postal_code ?? null, state: a.state ?? null };
}

export function toShipping(s: Parsed<typeof shippingShape> | null | undefined): Stripe.PaymentIntent.Shipping | null {
  if (!s) return null;
  return {
    address: toAddress(s.address) ?? { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    carrier: s.carrier ?? null, name: s.name ?? '', phone: s.phone ?? null, tracking_number: s.tracking_number ?? null,
  };
}
