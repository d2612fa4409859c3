import type { Database } from '../../db/client.js';
import { AppError, NotFoundError, PaymentDeclinedError, PaymentNotConfirmableError, ProviderRejectedError } from '../errors.js';
import { errorAnswer, replayAnswer, type ErrorVerdict, type OperationSpec, type Operations } from './operation.js';
import type { StoredAnswer } from './operation.repository.js';
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

// 3-D Secure rounds of one card on one payment, each a Stripe confirm: enough for any customer, a bound for a script.
const MAX_ROUNDS = 10;

// A payment past confirmation: succeeded, or authorised and awaiting capture.
const SETTLED = new Set(['succeeded', 'requires_capture']);

/** Whether a stored confirm answer sent the customer to a 3-D Secure step. */
const asksForAction = (stored: StoredAnswer) => stored.status < 400 && (JSON.parse(stored.body) as { status?: string }).status === 'requires_action';

/**
 * Confirms payments as attempts: one 'confirm' operation per (payment, cuid, payment method).
 * Repeating an attempt replays its stored answer; another payment method after a decline or a
 * failed 3-D Secure step is a new attempt on the same payment, and so is the same payment method
 * after a failed 3-D Secure step (a new round); a payment that already succeeded answers its
 * success to any later confirm.
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

  /**
   * Whether a stored `requires_action` answer is spent: its 3-D Secure step failed since, and the
   * intent is back at requires_payment_method (read from Stripe: the event may not be here yet).
   */
  async function isSpent(stored: StoredAnswer, payment: PaymentRecord): Promise<boolean> {
    if (!asksForAction(stored) || SETTLED.has(payment.status)) return false;
    const { intent, observedAt } = await readIntent(payment.stripePaymentIntentId!);
    await payments.applyState(intent.id, intentStateOf(intent), observedAt);
    return intent.status === 'requires_payment_method';
  }

  /**
   * The attempt a confirm is part of: (cuid, payment method), in rounds. A round whose 3-D Secure
   * step failed is spent, and the same card tries again in the next round (seed 003's cuid stays
   * the same for the whole checkout); rounds before the latest are spent by construction.
   */
  async function currentAttempt(payment: PaymentRecord, cuid: string, paymentMethodId: string): Promise<{ attemptKey: string; stored?: StoredAnswer }> {
    const keyOf = (round: number) => requestHash(round === 0 ? { cuid, paymentMethodId } : { cuid, paymentMethodId, round });
    let round = 0;
    let stored = await deps.operations.storedAnswer(payment.id, 'confirm', keyOf(0));
    for (let next; stored && round < MAX_ROUNDS && (next = await deps.operations.storedAnswer(payment.id, 'confirm', keyOf(round + 1))); round++) stored = next;
    if (!stored || !(await isSpent(stored, payment))) return { attemptKey: keyOf(round), stored };
    if (round + 1 >= MAX_ROUNDS) throw new PaymentNotConfirmableError('This card failed authentication too many times on this payment; use another card or cuid');
    return { attemptKey: keyOf(round + 1) };
  }

  /** Answers the confirm's JSON body, or throws the attempt's error (402 for a decline). */
  async function confirm(payment: PaymentRecord, cuid: string, paymentMethodId: string): Promise<string> {
    const { attemptKey, stored } = await currentAttempt(payment, cuid, paymentMethodId);
    // The attempt's answer is replayed byte for byte, but for a 3-D Secure request the payment has since outgrown.
    if (stored && stored.status < 400 && !(asksForAction(stored) && SETTLED.has(payment.status))) return stored.body;
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
