import type Stripe from 'stripe';
import type { ProviderCard, ProviderPaymentIntent, ProviderPaymentMethod, ProviderRefund } from '../../core/payments/payment-gateway.js';

const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);

export function toProviderPaymentIntent(intent: Stripe.PaymentIntent): ProviderPaymentIntent {
  return {
    id: intent.id,
    amount: intent.amount,
    currency: intent.currency,
    status: intent.status,
    paymentMethodId: idOf(intent.payment_method),
    clientSecret: intent.client_secret,
    customerId: idOf(intent.customer),
    metadata: { ...intent.metadata },
    nextActionUrl: intent.next_action?.redirect_to_url?.url ?? null,
    lastErrorCode: intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? null,
    amountReceived: intent.amount_received,
  };
}

export function toProviderRefund(refund: Stripe.Refund): ProviderRefund {
  return {
    id: refund.id,
    paymentIntentId: idOf(refund.payment_intent),
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status ?? 'pending',
    reason: refund.reason,
    failureReason: refund.failure_reason ?? null,
    createdAt: new Date(refund.created * 1000),
  };
}

export function toProviderCard(card: { brand: string; last4: string; exp_month: number; exp_year: number } | null | undefined): ProviderCard | null {
  return card ? { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year } : null;
}

export function toProviderPaymentMethod(method: Stripe.PaymentMethod): ProviderPaymentMethod {
  return { id: method.id, customerId: idOf(method.customer), card: toProviderCard(method.card) };
}

export { idOf };
