import type { PaymentGateway } from './payment-gateway.js';
import { intentStateOf, type PaymentRecord, type PaymentRepository } from './payment.repository.js';

// Statuses Stripe can leave without paybridge acting (a 3-D Secure step completed in the browser,
// a processing payment settling): the stored one may be behind until Stripe's event arrives.
const MAY_HAVE_MOVED_ON = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']);

type FreshnessDeps = { payments: PaymentRepository; gateway: PaymentGateway };

/** Reads an intent from Stripe and stores it (older reads never win); answers the payment as stored now. */
export async function refreshIntent(deps: FreshnessDeps, intentId: string): Promise<PaymentRecord | undefined> {
  const observedAt = await deps.payments.now();
  const intent = await deps.gateway.retrievePaymentIntent(intentId);
  return (await deps.payments.applyState(intent.id, intentStateOf(intent), observedAt)) ?? deps.payments.findAnyByIntentId(intent.id);
}

/**
 * The payment as Stripe has it now, when the stored status may lag behind: before refusing a
 * capture or refund for a status Stripe may already have left, ask it once (and store the answer).
 */
export async function withCurrentStatus(deps: FreshnessDeps, payment: PaymentRecord): Promise<PaymentRecord> {
  if (!MAY_HAVE_MOVED_ON.has(payment.status) || !payment.stripePaymentIntentId) return payment;
  return (await refreshIntent(deps, payment.stripePaymentIntentId)) ?? payment;
}
