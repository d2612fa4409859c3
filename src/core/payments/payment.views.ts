import type { PaymentRecord } from './payment.repository.js';
import type { ProviderPaymentIntent, ProviderRefund } from './payment-gateway.js';
import type { RefundRecord } from './refund.repository.js';

export interface RefundView {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  createdAt: string;
  failureReason?: string;
}

export interface DisputeView {
  status: string;
  amount: number;
  reason: string;
  evidenceDueBy: string | null;
}

/** Seed 003's ReturnPaymentDto, with what the money lifecycle adds; `paymentMethod` is "" until one is set (the seed types it as a string). */
export interface PaymentView {
  id: string;
  amount: number;
  currency: string;
  status: string;
  paymentMethod: string;
  nextActionUrl?: string;
  amountReceived: number;
  amountRefunded: number;
  refunds: RefundView[];
  dispute: DisputeView | null;
}

/** The answer of a creation: seed 003's shape, unchanged. */
export interface PaymentCreatedView {
  id: string;
  amount: number;
  currency: string;
  status: string;
  paymentMethod: string;
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

export function toRefundView(refund: RefundRecord | ProviderRefund, paymentId: string): RefundView {
  return {
    id: refund.id,
    paymentId,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    createdAt: refund.createdAt.toISOString(),
    ...(refund.failureReason ? { failureReason: refund.failureReason } : {}),
  };
}

function disputeView(payment: PaymentRecord): DisputeView | null {
  const { dispute } = payment;
  return dispute ? { status: dispute.status, amount: dispute.amount, reason: dispute.reason, evidenceDueBy: dispute.evidenceDueBy } : null;
}

/**
 * A payment as the stored row shows it, with Stripe's newest word on its status (an operation's
 * answer gives the intent Stripe just returned, so it equals what a read shows right after).
 */
export function toPaymentView(payment: PaymentRecord, refunds: readonly RefundRecord[], intent?: ProviderPaymentIntent): PaymentView {
  const status = intent?.status ?? payment.status;
  const nextActionUrl = intent ? intent.nextActionUrl : payment.nextActionUrl;
  const id = payment.stripePaymentIntentId ?? intent?.id ?? '';
  return {
    id,
    amount: intent?.amount ?? payment.amount,
    currency: intent?.currency ?? payment.currency,
    status,
    paymentMethod: (intent ? intent.paymentMethodId : payment.paymentMethodId) ?? '',
    ...(status === 'requires_action' && nextActionUrl ? { nextActionUrl } : {}),
    amountReceived: intent?.amountReceived ?? payment.amountReceived,
    amountRefunded: payment.amountRefunded,
    refunds: refunds.filter((r) => r.paymentId === payment.id).map((r) => toRefundView(r, id)),
    dispute: disputeView(payment),
  };
}
