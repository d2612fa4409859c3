import type { Database } from '../../db/client.js';
import { AppError, NotFoundError, PaymentNotCancelableError, PaymentNotCapturableError, ProviderRejectedError, ValidationError } from '../errors.js';
import { errorAnswer, replayAnswer, type ErrorVerdict, type OperationSpec, type Operations } from './operation.js';
import type { CancellationReason, PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import { createPaymentRepository, intentStateOf, type PaymentRecord, type PaymentRepository } from './payment.repository.js';
import { toPaymentView } from './payment.views.js';
import { assertPartialAmount } from './money.js';
import { withCurrentStatus } from './payment-freshness.js';
import { requestHash } from './request-hash.js';

export interface CaptureDeps {
  payments: PaymentRepository;
  operations: Operations;
  gateway: PaymentGateway;
}

interface IntentOutcome {
  intent: ProviderPaymentIntent;
  observedAt: Date;
  /** Stripe refused because the intent had moved on: this is the answer, the intent's state is still recorded. */
  refused?: AppError;
}

/** Faults judged for this exact attempt: repeating it gets the same answer. */
function verdictOf(error: unknown): ErrorVerdict {
  if (error instanceof ProviderRejectedError || error instanceof NotFoundError || error instanceof ValidationError) return { store: errorAnswer(error) };
  return 'retry';
}

function notCapturable(status: string): AppError {
  if (status === 'succeeded') return new PaymentNotCapturableError('This payment was already captured');
  if (status === 'canceled') return new PaymentNotCapturableError('This payment is canceled (its authorisation was released or expired at Stripe); it can no longer be captured');
  return new PaymentNotCapturableError(`Only an authorised payment (requires_capture) can be captured; this one is ${status}`);
}

const notCancelable = () => new PaymentNotCancelableError('This payment succeeded and cannot be canceled; refund it instead (POST /payment/{id}/refunds)');

/**
 * Capture and cancel of a PaymentIntent, each an operation of the primitive (row first, fixed
 * Stripe key, fenced lease, stored answer). An attempt is (payment, body): repeating it replays
 * its answer; two different ones race at Stripe, which takes one and refuses the other.
 */
export function createPaymentCapture(deps: CaptureDeps) {
  const { payments, gateway, operations } = deps;

  async function readIntent(intentId: string): Promise<IntentOutcome> {
    const observedAt = await payments.now();
    return { intent: await gateway.retrievePaymentIntent(intentId), observedAt };
  }

  /** The spec shared by capture and cancel: call Stripe; if it refuses, re-read the intent and let `judge` decide. */
  function intentSpec(
    payment: PaymentRecord,
    kind: 'capture' | 'cancel',
    attemptKey: string,
    call: (intentId: string, key: string) => Promise<ProviderPaymentIntent>,
    judge: (current: ProviderPaymentIntent, refusal: AppError) => AppError | undefined,
  ): OperationSpec<IntentOutcome> {
    const intentId = payment.stripePaymentIntentId!;
    return {
      paymentId: payment.id,
      kind,
      attemptKey,
      requestHash: attemptKey,
      perform: async ({ stripeIdempotencyKey }) => {
        const observedAt = await payments.now();
        try {
          return { intent: await call(intentId, stripeIdempotencyKey), observedAt };
        } catch (error) {
          if (!(error instanceof ProviderRejectedError)) throw error;
          const current = await readIntent(intentId);
          return { ...current, refused: judge(current.intent, error) };
        }
      },
      answer: ({ intent, refused }) => (refused ? errorAnswer(refused) : { status: 200, body: JSON.stringify(toPaymentView(payment, [], intent)) }),
      commit: async (tx: Database, { intent, observedAt }) => {
        await createPaymentRepository(tx).applyState(intent.id, intentStateOf(intent), observedAt);
      },
      onError: verdictOf,
    };
  }

  /** Captures an authorised payment, all of it or `amount` of it; answers the payment's JSON. */
  async function capture(stored: PaymentRecord, amount: number | undefined): Promise<string> {
    if (amount !== undefined && amount > stored.amount) {
      throw new ValidationError(`Cannot capture more than the ${stored.amount} authorised`, [{ path: '/amount', message: `must not exceed the authorised amount (${stored.amount})` }]);
    }
    if (amount !== undefined) assertPartialAmount(amount, stored.currency);
    const attemptKey = requestHash({ amount: amount ?? null });
    // A repeat of an attempt replays its answer whatever the payment's state is now.
    const repeat = await operations.repository.find(stored.id, 'capture', attemptKey);
    const payment = repeat ? stored : await withCurrentStatus(deps, stored);
    if (!repeat && payment.status !== 'requires_capture') throw notCapturable(payment.status);
    const spec = intentSpec(payment, 'capture', attemptKey, (id, key) => gateway.capturePaymentIntent(id, amount, key), (current, refusal) => {
      // Still authorised: Stripe refused the amount itself.
      if (current.status === 'requires_capture') return new ValidationError(refusal.message, [{ path: '/amount', message: 'was refused by Stripe' }]);
      // Captured with this amount (all of it, for a capture of everything) by an earlier holder of this
      // attempt: that is our success. Another attempt's capture of another amount is not.
      if (current.status === 'succeeded' && current.amountReceived === (amount ?? current.amount)) return undefined;
      return notCapturable(current.status);
    });
    return replayAnswer(await operations.run(spec));
  }

  /** Cancels a payment that has not succeeded (an authorisation is released); answers the payment's JSON. */
  async function cancel(payment: PaymentRecord, reason: CancellationReason | undefined): Promise<string> {
    if (payment.status === 'canceled') return JSON.stringify(toPaymentView(payment, []));
    const attemptKey = requestHash({ reason: reason ?? null });
    if (!(await operations.repository.find(payment.id, 'cancel', attemptKey)) && payment.status === 'succeeded') throw notCancelable();
    const spec = intentSpec(payment, 'cancel', attemptKey, (id, key) => gateway.cancelPaymentIntent(id, key, reason), (current, refusal) => {
      if (current.status === 'canceled') return undefined;
      if (current.status === 'succeeded') return notCancelable();
      return refusal;
    });
    return replayAnswer(await operations.run(spec));
  }

  return { capture, cancel };
}

export type PaymentCapture = ReturnType<typeof createPaymentCapture>;
