import type { PaymentProfileRecord } from './payment-profile.repository.js';

/** A user's default payment method as payment_method.updated carries it: brand and last four, never the number. */
export function toPaymentMethodView(profile: PaymentProfileRecord) {
  return {
    id: profile.defaultPaymentMethodId ?? '',
    userId: profile.userId,
    customerId: profile.stripeCustomerId,
    card: profile.defaultPaymentMethodCard ?? null,
  };
}
