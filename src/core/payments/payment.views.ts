import type { PaymentRecord } from './payment.repository.js';
import type { ProviderPaymentIntent } from './payment-gateway.js';

/** Seed 003's ReturnPaymentDto; `paymentMethod` is "" until one is set (the seed types it as a string). */
export interface PaymentView {
  id: string;
  amount: number;
  currency: string;
  status: string;
  paymentMethod: string;
  nextActionUrl?: string;
  amountRefunded?: number;
}

export interface PaymentCreatedView extends PaymentView {
  clientSecret: string;
}

export function toCreatedView(intent: ProviderPaymentIntent): PaymentCreatedView {
  return {
    id: intent.id,
    amount: intent.amount,
    currency: intent.currency,
    status: intent.status,
    paymentMethod: intent.paymentMethodId ?? '',
    clientSecret: intent.clientSecret ?? '',
  };
}

export function toPaymentView(payment: PaymentRecord): PaymentView {
  return {
    id: payment.stripePaymentIntentId!,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    paymentMethod: payment.paymentMethodId ?? '',
    ...(payment.status === 'requires_action' && payment.nextActionUrl ? { nextActionUrl: payment.nextActionUrl } : {}),
    ...(payment.amountRefunded > 0 ? { amountRefunded: payment.amountRefunded } : {}),
  };
}
