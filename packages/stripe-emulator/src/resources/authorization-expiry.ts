import type { EmulatorState } from '../context.js';
import { cancelPaymentIntent } from './payment-intent-settle.js';

/** Stripe releases a card authorisation that is not captured within 7 days. */
export const AUTHORIZATION_SECONDS = 7 * 24 * 60 * 60;

/**
 * Cancels (reason `automatic`) every PaymentIntent still `requires_capture` whose
 * authorisation is older than 7 days of emulator time. Run when the clock moves.
 */
export function expireAuthorizations(state: EmulatorState): number {
  const now = state.clock.now();
  const expired = Array.from(state.store.list('payment_intent', (pi) => pi.status === 'requires_capture' && now - pi.created >= AUTHORIZATION_SECONDS));
  for (const pi of expired) cancelPaymentIntent({ state, origin: null }, pi, 'automatic');
  return expired.length;
}
