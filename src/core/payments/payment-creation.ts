import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyConflictError, IdempotencyInProgressError, NotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../errors.js';
import { newId } from '../ids.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { UserRecord } from '../users/user.repository.js';
import type { PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import type { PaymentRecord, PaymentRepository } from './payment.repository.js';
import { toCreatedView } from './payment.views.js';
import { requestHash } from './request-hash.js';

export interface CreationDeps {
  payments: PaymentRepository;
  profiles: PaymentProfileService;
  gateway: PaymentGateway;
  /** How long a creator may hold a 'creating' row before others may take over. */
  leaseSeconds: number;
  /** How long a concurrent duplicate waits for the first request's answer. */
  maxWaitMs: number;
}

export interface CreatePaymentInput {
  idempotencyKey: string;
  amount: number;
  currency: string;
  description: string | null;
}

const isMissingCustomer = (error: unknown) => error instanceof NotFoundError && error.details?.some((d) => d.path === '/customer') === true;

/**
 * Stripe's idempotency key for a payment row: stable across retries, instances and takeovers.
 * It names the customer too: if that customer was deleted at Stripe, the row is retried for the
 * new one, which the old key (and its stored answer) would refuse.
 */
export const intentIdempotencyKey = (paymentId: string, customerId: string) => `paybridge-payment-${paymentId}-${customerId}`;

/**
 * Creates a PaymentIntent exactly once per (user, key): the local row is written first under a
 * lease, Stripe is called outside any transaction with a key derived from the row, then the row
 * is completed with the exact answer, which every retry gets back byte for byte.
 */
export function createPaymentCreation(deps: CreationDeps) {
  const { payments } = deps;

  async function createPayment(user: UserRecord, input: CreatePaymentInput): Promise<string> {
    const hash = requestHash({ amount: input.amount, currency: input.currency, description: input.description });
    const values = { id: newId(), organisationId: user.organisationId, userId: user.id, requestHash: hash, ...input };
    const inserted = await payments.insertCreating(values, deps.leaseSeconds);
    if (inserted) return completeCreation(inserted, user);

    const existing = await payments.findByKey(user.id, input.idempotencyKey);
    if (!existing) return createPayment(user, input); // deleted after a refusal in between: start afresh
    if (existing.requestHash !== hash) {
      throw new IdempotencyConflictError(undefined, [{ path: '/cuid', message: 'was already used with a different amount, currency or description' }]);
    }
    return awaitOrTakeOver(existing, user);
  }

  /** A duplicate waits for the first request's answer; if the first one died, it finishes the job. */
  async function awaitOrTakeOver(row: PaymentRecord, user: UserRecord): Promise<string> {
    const deadline = Date.now() + deps.maxWaitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const current = await payments.findById(row.id);
      if (!current) throw new NotFoundError('The payment was withdrawn; retry to create it again');
      if (current.createResponse) return current.createResponse;
      const claimed = await payments.claimLapsed(row.id, deps.leaseSeconds);
      if (claimed) return recoverCreation(claimed, user);
      if (Date.now() > deadline) throw new IdempotencyInProgressError(undefined, undefined, { headers: { 'retry-after': '1' } });
      await sleep(delay);
    }
  }

  /** Records an intent as the row's, with the exact answer later retries get back. */
  async function adopt(row: PaymentRecord, intent: ProviderPaymentIntent, customerId: string, observedAt: Date): Promise<string> {
    const completed = await payments.complete(row.id, {
      stripePaymentIntentId: intent.id,
      stripeCustomerId: customerId,
      createResponse: JSON.stringify(toCreatedView(intent)),
      status: intent.status,
      paymentMethodId: intent.paymentMethodId,
      lastErrorCode: intent.lastErrorCode,
      nextActionUrl: intent.nextActionUrl,
      observedAt,
    });
    return completed.createResponse!;
  }

  async function completeCreation(row: PaymentRecord, user: UserRecord): Promise<string> {
    let customerId: string | undefined;
    try {
      customerId = await deps.profiles.ensureStripeCustomer(user);
      const observedAt = new Date();
      const intent = await deps.gateway.createPaymentIntent(
        {
          amount: row.amount,
          currency: row.currency,
          customerId,
          description: row.description ?? undefined,
          metadata: { paybridge_payment_id: row.id, paybridge_user_id: user.id, paybridge_organisation_id: user.organisationId },
        },
        intentIdempotencyKey(row.id, customerId),
      );
      return await adopt(row, intent, customerId, observedAt);
    } catch (error) {
      if (customerId && isMissingCustomer(error)) {
        // Deleted at Stripe behind our back: forget it, and let the retry make a new customer.
        await deps.profiles.forgetStripeCustomer(customerId);
        await payments.releaseLease(row.id);
        throw new ProviderUnavailableError("The user's Stripe customer no longer exists; retry the same request to create a new one", undefined, { cause: error });
      }
      // Stripe refused outright: nothing exists there, so the key is freed for a corrected request.
      // Anything else (timeout, 5xx) may have created it: keep the row for the retry or reconciliation.
      if (error instanceof ProviderRejectedError || error instanceof NotFoundError) await payments.deleteCreating(row.id);
      else await payments.releaseLease(row.id);
      throw error;
    }
  }

  /**
   * Finishes a row whose creator died. An intent Stripe already made for it (found by the
   * payment id in its metadata, which outlives Stripe's 24-hour idempotency keys) is adopted;
   * otherwise the creation is replayed under the row's own idempotency key.
   */
  async function recoverCreation(row: PaymentRecord, user: UserRecord): Promise<string> {
    const customerId = user.customerId ?? (await deps.profiles.findProfile(user.id))?.stripeCustomerId;
    if (customerId) {
      const observedAt = new Date();
      const [existing] = await deps.gateway.findPaymentIntents(customerId, 'paybridge_payment_id', row.id, row.createdAt);
      if (existing) return adopt(row, existing, customerId, observedAt);
    }
    return completeCreation(row, user);
  }

  return { createPayment, completeCreation, recoverCreation };
}

export type PaymentCreation = ReturnType<typeof createPaymentCreation>;
