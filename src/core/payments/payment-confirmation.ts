import type { Database } from '../../db/client.js';
import { AppError, NotFoundError, PaymentDeclinedError, PaymentNotConfirmableError, ProviderRejectedError } from '../errors.js';
import { errorAnswer, replayAnswer, type ErrorVerdict, type OperationSpec, type Operations } from './operation.js';
import type { PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import { createPaymentRepository, intentStateOf, type PaymentRecord, type PaymentRepository } from './payment.repository.js';
import { toPaymentView } from './payment.views.js';
import type { RefundRepository } from './refund.repository.js';
import { requestHash } from './request-hash.js';

export interface ConfirmationDeps {
  payments: PaymentRepository;
  operations: Operations;
  gateway: PaymentGateway;
  refunds: RefundRepository;
  /** Where Stripe sends the browser back after a 3-D Secure step. */
  returnUrl: string;
}

interface Confirmed {
  intent: ProviderPaymentIntent;
  observedAt: Date;
  /** Set when the card was declined: the answer is this error, the intent's new state is still recorded. */
  declined?: PaymentDeclinedError;
}

/** Client faults Stripe judged for this exact attempt: repeating it gets the same answer. */
function verdictOf(error: unknown): ErrorVerdict {
  if (error instanceof ProviderRejectedError || error instanceof NotFoundError || error instanceof PaymentNotConfirmableError) return { store: errorAnswer(error as AppError) };
  return 'retry';
}

// A payment past confirmation: succeeded, or authorised and awaiting capture.
const SETTLED = new Set(['succeeded', 'requires_capture']);

/**
 * Confirms payments as attempts: one 'confirm' operation per (payment, cuid, payment method).
 * Repeating an attempt replays its stored answer; another payment method after a decline or a
 * failed 3-D Secure step is a new attempt on the same payment; a payment that already succeeded
 * answers its success to any later confirm.
 */
export function createPaymentConfirmation(deps: ConfirmationDeps) {
  const { payments, gateway } = deps;

  async function readIntent(intentId: string): Promise<Confirmed> {
    const observedAt = await payments.now();
    return { intent: await gateway.retrievePaymentIntent(intentId), observedAt };
  }

  function spec(payment: PaymentRecord, attemptKey: string, paymentMethodId: string): OperationSpec<Confirmed> {
    const intentId = payment.stripePaymentIntentId!;
    return {
      paymentId: payment.id,
      kind: 'confirm',
      attemptKey,
      requestHash: attemptKey,
      perform: async ({ stripeIdempotencyKey }) => {
        const observedAt = await payments.now();
        try {
          return { intent: await gateway.confirmPaymentIntent(intentId, { paymentMethodId, returnUrl: deps.returnUrl }, stripeIdempotencyKey), observedAt };
        } catch (error) {
          if (error instanceof PaymentDeclinedError) return { ...(await readIntent(intentId)), declined: error };
          // Stripe refuses to confirm an intent that already succeeded or is authorised (e.g. by another attempt): that is the answer.
          if (error instanceof ProviderRejectedError) {
            const current = await readIntent(intentId);
            if (SETTLED.has(current.intent.status)) return current;
            if (current.intent.status === 'canceled') throw new PaymentNotConfirmableError(undefined, undefined, { cause: error });
          }
          throw error;
        }
      },
      answer: ({ intent, declined }) => (declined ? errorAnswer(declined) : { status: 201, body: JSON.stringify(toPaymentView(payment, [], intent)) }),
      commit: async (tx: Database, { intent, observedAt }) => {
        await createPaymentRepository(tx).applyState(intent.id, intentStateOf(intent), observedAt);
      },
      onError: verdictOf,
    };
  }

  const settledView = async (payment: PaymentRecord) => JSON.stringify(toPaymentView(payment, await deps.refunds.listFor([payment.id])));

  /** Answers the confirm's JSON body, or throws the attempt's error (402 for a decline). */
  async function confirm(payment: PaymentRecord, cuid: string, paymentMethodId: string): Promise<string> {
    const attemptKey = requestHash({ cuid, paymentMethodId });
    const stored = await deps.operations.storedAnswer(payment.id, 'confirm', attemptKey);
    if (stored && stored.status < 400) return stored.body;
    if (SETTLED.has(payment.status)) return settledView(payment);
    if (payment.status === 'canceled') throw new PaymentNotConfirmableError();
    if (stored) return replayAnswer(stored);
    try {
      return replayAnswer(await deps.operations.run(spec(payment, attemptKey, paymentMethodId)));
    } catch (error) {
      // Our call failed, but the payment may have settled meanwhile (a retry of this attempt, another
      // attempt, Stripe's event): then its success is the answer, as it is to any later confirm.
      const current = await payments.findById(payment.id);
      if (current && SETTLED.has(current.status)) return settledView(current);
      throw error;
    }
  }

  return { confirm };
}

export type PaymentConfirmation = ReturnType<typeof createPaymentConfirmation>;
