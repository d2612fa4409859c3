import type { Database } from '../../db/client.js';
import { IdempotencyConflictError, NotFoundError, PaymentNotRefundableError, ProviderRejectedError, ValidationError } from '../errors.js';
import { errorAnswer, replayAnswer, type ErrorVerdict, type OperationSpec, type Operations } from './operation.js';
import type { PaymentGateway, ProviderRefund, RefundReason } from './payment-gateway.js';
import { createPaymentRepository, type PaymentRecord, type PaymentRepository } from './payment.repository.js';
import { toRefundView } from './payment.views.js';
import { assertPartialAmount } from './money.js';
import { withCurrentStatus } from './payment-freshness.js';
import { requestHash } from './request-hash.js';

export interface RefundDeps {
  payments: PaymentRepository;
  operations: Operations;
  gateway: PaymentGateway;
}

export interface RefundInput {
  cuid: string;
  amount?: number | undefined;
  reason?: RefundReason | undefined;
}

interface Refunded {
  refund: ProviderRefund;
  observedAt: Date;
}

const tooMuch = (left: number, message = `Cannot refund more than the ${left} left`) =>
  new ValidationError(message, [{ path: '/amount', message: `must not exceed what is left to refund (${left})` }]);

// Disputes that leave the charge refundable: won (the merchant kept the money) and inquiries (warnings, no chargeback).
const REFUNDABLE_DISPUTES = new Set(['won', 'warning_needs_response', 'warning_under_review', 'warning_closed']);

// Stripe's codes for a refund larger than what is left on the charge.
const AMOUNT_REFUSALS = /amount_too_large|charge_already_refunded/;

/** Stripe judged this exact refund: the same cuid and body get the same answer. */
function verdictOf(error: unknown): ErrorVerdict {
  if (error instanceof ProviderRejectedError) {
    const refusedAmount = error.details?.some((d) => AMOUNT_REFUSALS.test(d.message)) === true;
    const refusal = new ValidationError(`Stripe refused the amount: ${error.message}`, [{ path: '/amount', message: 'is more than is left to refund at Stripe' }]);
    return { store: errorAnswer(refusedAmount ? refusal : error) };
  }
  if (error instanceof NotFoundError) return { store: errorAnswer(error) };
  return 'retry';
}

/**
 * Refunds as operations of the primitive: one 'refund' operation per (payment, cuid). The same
 * cuid with the same body replays the first answer byte for byte and refunds once, under
 * retries, concurrency and several instances; the same cuid with another body is a 409.
 */
export function createPaymentRefunds(deps: RefundDeps) {
  const { payments, gateway, operations } = deps;

  function spec(payment: PaymentRecord, input: RefundInput, hash: string): OperationSpec<Refunded> {
    const intentId = payment.stripePaymentIntentId!;
    return {
      paymentId: payment.id,
      kind: 'refund',
      attemptKey: input.cuid,
      requestHash: hash,
      perform: async ({ stripeIdempotencyKey }) => {
        const observedAt = await payments.now();
        // Without an amount Stripe refunds what is left, so a resumed attempt sends the very same parameters.
        const refund = await gateway.createRefund(
          { paymentIntentId: intentId, amount: input.amount, reason: input.reason, metadata: { paybridge_payment_id: payment.id } },
          stripeIdempotencyKey,
        );
        return { refund, observedAt };
      },
      answer: ({ refund }) => ({ status: 201, body: JSON.stringify(toRefundView(refund, intentId)) }),
      commit: async (tx: Database, { refund, observedAt }) => {
        const records = createPaymentRepository(tx);
        await records.storeRefunds(payment.id, [refund], observedAt);
        await records.checkRefundsSoon(payment.id);
      },
      onError: verdictOf,
    };
  }

  /** Checked before a new refund only (a repeat replays whatever it answered). Stripe has the last word on what is left. */
  function assertRefundable(payment: PaymentRecord, amount: number | undefined): void {
    if (payment.dispute && !REFUNDABLE_DISPUTES.has(payment.dispute.status)) {
      throw new PaymentNotRefundableError(
        `This payment is disputed (${payment.dispute.status}): the chargeback returns the money to the customer, so a refund would pay it twice. Refund it only if the dispute is won.`,
      );
    }
    if (amount !== undefined) assertPartialAmount(amount, payment.currency);
    if (payment.status === 'requires_capture') throw new PaymentNotRefundableError('This payment is only authorised: cancel it to release the authorisation, or capture it first');
    if (payment.status !== 'succeeded') throw new PaymentNotRefundableError(`Only a payment that succeeded can be refunded; this one is ${payment.status}`);
    const left = payment.amountReceived - payment.amountRefunded;
    if (left <= 0) throw tooMuch(0, 'This payment is already refunded in full');
    if (amount !== undefined && amount > left) throw tooMuch(left);
  }

  const reused = () => new IdempotencyConflictError(undefined, [{ path: '/cuid', message: 'was already used for a refund with another amount or reason' }]);

  /** Answers the refund's JSON (201), or throws the attempt's error. */
  async function refund(payment: PaymentRecord, input: RefundInput): Promise<string> {
    const hash = requestHash({ amount: input.amount ?? null, reason: input.reason ?? null });
    const existing = await operations.repository.find(payment.id, 'refund', input.cuid);
    if (existing && existing.requestHash !== hash) throw reused();
    const current = existing ? payment : await withCurrentStatus(deps, payment);
    if (!existing) assertRefundable(current, input.amount);
    try {
      return replayAnswer(await operations.run(spec(current, input, hash)));
    } catch (error) {
      throw error instanceof IdempotencyConflictError ? reused() : error;
    }
  }

  return { refund };
}

export type PaymentRefunds = ReturnType<typeof createPaymentRefunds>;
