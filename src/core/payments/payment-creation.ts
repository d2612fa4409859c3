import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.js';
import type { CaptureMethod } from './capture-method.js';
import { IdempotencyConflictError, NotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../errors.js';
import { newId } from '../ids.js';
import { createRecentSet } from '../recent-set.js';
import type { Logger } from '../logger.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { UserRecord } from '../users/user.repository.js';
import { createCreationStatements } from './creation.repository.js';
import { createOperationRepository } from './operation.repository.js';
import { replayAnswer, type OperationSpec, type Operations } from './operation.js';
import type { PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import { createPaymentRepository, intentStateOf, type PaymentRecord, type PaymentRepository } from './payment.repository.js';
import { toCreatedView } from './payment.views.js';
import { requestHash } from './request-hash.js';

export interface CreationDeps {
  db: Database;
  payments: PaymentRepository;
  operations: Operations;
  profiles: PaymentProfileService;
  gateway: PaymentGateway;
  leaseSeconds: number;
  log: Logger;
}

export interface CreatePaymentInput {
  idempotencyKey: string;
  amount: number;
  currency: string;
  description: string | null;
  captureMethod: CaptureMethod;
}

const isMissingCustomer = (error: unknown) => error instanceof NotFoundError && error.details?.some((d) => d.path === '/customer') === true;
const CREATE = { kind: 'create', attemptKey: 'create' } as const;
// Creations remembered as stored here: their payment_intent.created is acknowledged without a read (about 1 MiB).
const RECENT_CREATIONS = 10_000;
// The statuses Stripe lets an intent be cancelled from.
const CANCELLABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture', 'processing']);

interface Created {
  intent: ProviderPaymentIntent;
  customerId: string;
  observedAt: Date;
}

/**
 * Creates a PaymentIntent exactly once per (user, key), as the payment's 'create' operation:
 * the payment row and its operation are written first, Stripe is called outside any transaction
 * with the operation's fixed key, and every retry gets the stored answer back byte for byte.
 */
export function createPaymentCreation(deps: CreationDeps) {
  const { payments, operations } = deps;
  const creation = createCreationStatements(deps.db);
  /** Payments whose creation a request of this process is running: their answer is about to be stored. */
  const runningHere = new Set<string>();
  /** Payments whose creation this process stored lately (Stripe's event of the creation often comes after). */
  const storedHere = createRecentSet(RECENT_CREATIONS);

  /** Cancels at Stripe an intent a creation made and nobody will keep, so it can never be charged. */
  async function cancelIntentOf(payment: PaymentRecord, intentId: string, why: string): Promise<void> {
    deps.log.warn({ paymentId: payment.id, intent: intentId }, `cancelling a PaymentIntent ${why}`);
    await deps.gateway.cancelPaymentIntent(intentId, `paybridge-orphan-${intentId}`).catch((error: unknown) => {
      deps.log.error({ err: error, intent: intentId }, 'an unwanted PaymentIntent could not be cancelled');
    });
  }

  function spec(payment: PaymentRecord, user: UserRecord): OperationSpec<Created> {
    const withdrawCreation = async (tx: Database, operationId: string, token: string): Promise<boolean> => {
      if (!(await createOperationRepository(tx).remove(operationId, token))) return false;
      await createPaymentRepository(tx).deleteCreating(payment.id);
      return true;
    };
    const cancelUnwanted = (intentId: string, why: string) => cancelIntentOf(payment, intentId, why);
    return {
      paymentId: payment.id,
      ...CREATE,
      requestHash: payment.requestHash,
      perform: async ({ stripeIdempotencyKey, resumed }) => {
        // The customer is fixed in the row with the key: a retry after the user's customer changed still
        // sends what the first call sent (Stripe refuses a key with other parameters). Rows from before had none.
        const customerId = payment.stripeCustomerId ?? (await deps.profiles.ensureStripeCustomer(user));
        // When Stripe's answer is read, on the database's clock. The first attempt can use the row's own
        // creation time (earlier, so any later read still wins) and spare a round trip.
        const observedAt = resumed ? await payments.now() : payment.createdAt;
        if (resumed) {
          // An earlier holder may have created it and lost the answer: its metadata outlives Stripe's 24-hour keys.
          const [existing] = await deps.gateway.findPaymentIntents(customerId, 'paybridge_payment_id', payment.id, payment.createdAt);
          if (existing) return { intent: existing, customerId, observedAt };
        }
        const metadata = { paybridge_payment_id: payment.id, paybridge_user_id: user.id, paybridge_organisation_id: user.organisationId };
        const captureMethod = payment.captureMethod === 'manual' ? ('manual' as const) : undefined;
        const input = { amount: payment.amount, currency: payment.currency, customerId, description: payment.description ?? undefined, metadata, captureMethod };
        try {
          return { intent: await deps.gateway.createPaymentIntent(input, stripeIdempotencyKey), customerId, observedAt };
        } catch (error) {
          if (isMissingCustomer(error)) await deps.profiles.forgetStripeCustomer(customerId);
          throw error;
        }
      },
      answer: ({ intent }) => ({ status: 201, body: JSON.stringify(toCreatedView(intent)) }),
      store: async (operationId, token, answer, { intent, customerId, observedAt }) => {
        const stored = await creation.complete(payment, operationId, token, answer, { stripePaymentIntentId: intent.id, stripeCustomerId: customerId, ...intentStateOf(intent), observedAt });
        if (stored === 'stored') storedHere.add(payment.id);
        if (stored !== 'user-deleted') return stored === 'stored';
        // The user was deleted while Stripe made the intent: nobody may pay it, so it is withdrawn and cancelled.
        await deps.db.transaction((tx) => withdrawCreation(tx, operationId, token));
        await cancelUnwanted(intent.id, 'its user was deleted while it was being created');
        throw new NotFoundError('No such user');
      },
      onError: (error) => {
        // Stripe refused outright (or the customer is gone): nothing exists there, so the key is freed
        // for a corrected request. Anything else (timeout, 5xx) may have created it: keep the row.
        if (error instanceof ProviderRejectedError || error instanceof NotFoundError) return 'withdraw';
        return 'retry';
      },
      withdraw: withdrawCreation,
      compensate: async ({ intent }, winner) => {
        const kept = winner && winner.status < 400 ? (JSON.parse(winner.body) as { id?: string }).id : undefined;
        // A lost race left an intent nobody will ever confirm: cancel it so it cannot be charged.
        if (kept !== intent.id) await cancelUnwanted(intent.id, 'orphaned by a lost race');
      },
    };
  }

  /** Runs the creation (or joins the one running) and translates a vanished customer into a retryable 503. */
  async function runCreation<T>(job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } catch (error) {
      if (!isMissingCustomer(error)) throw error;
      // Deleted at Stripe behind our back (perform forgot it): the retry makes a new customer, under a new row and key.
      throw new ProviderUnavailableError("The user's Stripe customer no longer exists; retry the same request to create a new one", undefined, { cause: error });
    }
  }

  async function createPayment(user: UserRecord, input: CreatePaymentInput): Promise<string> {
    // Manual capture joins the hash only when asked for, so the keys of every earlier creation still match.
    const hash = requestHash({ amount: input.amount, currency: input.currency, description: input.description, ...(input.captureMethod === 'manual' ? { captureMethod: 'manual' } : {}) });
    const stripeCustomerId = await deps.profiles.ensureStripeCustomer(user);
    const values = { id: newId(), organisationId: user.organisationId, userId: user.id, requestHash: hash, stripeCustomerId, ...input };
    const token = randomUUID();
    const operation = operations.newOperation({ paymentId: values.id, ...CREATE, requestHash: hash });
    const started = await creation.start(values, operation, token, deps.leaseSeconds);
    if (started) {
      runningHere.add(values.id);
      try {
        return await runCreation(async () => replayAnswer(await operations.execute(spec(started.payment, user), started.operation, token)));
      } finally {
        runningHere.delete(values.id);
      }
    }

    const existing = await payments.findByKey(user.id, input.idempotencyKey);
    if (!existing) return createPayment(user, input); // withdrawn after a refusal in between: start afresh
    if (existing.requestHash !== hash) {
      throw new IdempotencyConflictError(undefined, [{ path: '/cuid', message: 'was already used with a different amount, currency, description or capture method' }]);
    }
    return resumeCreation(existing, user);
  }

  /** Waits for the creation's answer, or finishes it if its holder died (a client retry, reconciliation). */
  async function resumeCreation(payment: PaymentRecord, user: UserRecord): Promise<string> {
    const operation = await operations.repository.find(payment.id, CREATE.kind, CREATE.attemptKey);
    if (!operation) throw new NotFoundError('The payment was withdrawn; retry to create it again');
    return runCreation(async () => replayAnswer(await operations.join(spec(payment, user), operation.id)));
  }

  /**
   * Reconciliation's turn at a creation whose holder died: taken over only if its lease lapsed.
   * Answers false when a live request still holds it.
   */
  async function recoverCreation(payment: PaymentRecord, user: UserRecord): Promise<boolean> {
    const operation = await operations.repository.find(payment.id, CREATE.kind, CREATE.attemptKey);
    if (!operation) return false;
    return runCreation(async () => (await operations.takeOver(spec(payment, user), operation.id)) !== undefined);
  }

  /**
   * Gives up on a creation nothing came of, if no live request holds it: the client's key is free
   * again. A call whose answer was lost may still have made an intent: it is cancelled first (a
   * Stripe outage leaves the row for the next pass), so a given-up creation can never be charged.
   */
  async function abandonCreation(payment: PaymentRecord): Promise<boolean> {
    const operation = await operations.repository.find(payment.id, CREATE.kind, CREATE.attemptKey);
    const token = randomUUID();
    if (operation && !(await operations.repository.claimLapsed(operation.id, token, deps.leaseSeconds))) return false;
    if (payment.stripeCustomerId) {
      const made = await deps.gateway.findPaymentIntents(payment.stripeCustomerId, 'paybridge_payment_id', payment.id, payment.createdAt);
      for (const intent of made) {
        if (CANCELLABLE.has(intent.status)) await cancelIntentOf(payment, intent.id, 'of a creation that was given up');
        else if (intent.status !== 'canceled') deps.log.error({ paymentId: payment.id, intent: intent.id, status: intent.status }, 'a given-up creation left an intent that cannot be cancelled');
      }
    }
    await payments.forgetCreation(payment.id);
    return true;
  }

  /** The client secret the creation answered (the 3-D Secure return page checks it). */
  async function clientSecretOf(payment: PaymentRecord): Promise<string | undefined> {
    const answer = await operations.storedAnswer(payment.id, CREATE.kind, CREATE.attemptKey);
    return answer && answer.status < 400 ? (JSON.parse(answer.body) as { clientSecret?: string }).clientSecret : undefined;
  }

  /**
   * Whether a request of this process is creating the payment right now, or stored its creation
   * lately. Its answer (or, if its lease lapses, its successor's) is or will be stored: Stripe's
   * state of the intent as the create call answered it, which is all payment_intent.created
   * carries. So that event brings no news, however late it comes (later changes bring their own).
   */
  const isCreatedHere = (paymentId: string) => runningHere.has(paymentId) || storedHere.has(paymentId);

  return { createPayment, resumeCreation, recoverCreation, abandonCreation, clientSecretOf, isCreatedHere };
}

export type PaymentCreation = ReturnType<typeof createPaymentCreation>;
