import { timingSafeEqual } from 'node:crypto';
import { canAccessUser, type Principal } from '../auth/principal.js';
import { ForbiddenError, IdempotencyConflictError, NotFoundError, PaymentDeclinedError, TestUserError, ValidationError } from '../errors.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { UserRecord } from '../users/user.repository.js';
import { assertChargeable } from './money.js';
import type { PaymentCreation } from './payment-creation.js';
import type { PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import type { PaymentRecord, PaymentRepository } from './payment.repository.js';
import { toPaymentView, type PaymentView } from './payment.views.js';
import { requestHash } from './request-hash.js';

export interface PaymentServiceDeps {
  payments: PaymentRepository;
  creation: PaymentCreation;
  profiles: PaymentProfileService;
  gateway: PaymentGateway;
  defaults: { amount: number; currency: string };
  /** Where Stripe sends the browser back after a 3-D Secure step. */
  returnUrl: string;
}

export interface ConfirmInput {
  idempotencyKey: string;
  paymentIntentId: string;
  paymentMethodId: string;
}

function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// Stripe's named test payment methods (pm_card_visa, …): usable in test mode only.
const TEST_PAYMENT_METHOD = /^pm_card_[A-Za-z0-9]+$/;

export function createPaymentService(deps: PaymentServiceDeps) {
  const { payments, gateway } = deps;

  function assertMayPay(user: UserRecord): void {
    if (user.isTest && gateway.mode === 'live') throw new TestUserError('Test users cannot make live payments');
  }

  /** Stores Stripe's state of an intent as read at observedAt (older reads never win). */
  async function applyIntent(intent: ProviderPaymentIntent, observedAt: Date): Promise<PaymentRecord | undefined> {
    const state = { status: intent.status, paymentMethodId: intent.paymentMethodId, lastErrorCode: intent.lastErrorCode, nextActionUrl: intent.nextActionUrl };
    return (await payments.applyState(intent.id, state, observedAt)) ?? payments.findAnyByIntentId(intent.id);
  }

  async function findAccessible(principal: Principal, intentId: string): Promise<PaymentRecord> {
    const payment = await payments.findByIntentId(principal.organisationId, intentId);
    if (!payment || !canAccessUser(principal, { id: payment.userId, organisationId: payment.organisationId })) {
      throw new NotFoundError('No such payment');
    }
    return payment;
  }

  async function assertUsablePaymentMethod(owner: UserRecord, paymentMethodId: string): Promise<void> {
    if (TEST_PAYMENT_METHOD.test(paymentMethodId)) {
      if (gateway.mode === 'live') throw new ValidationError('Test payment methods work in test mode only', [{ path: '/paymentMethodId', message: 'is a test value' }]);
      return;
    }
    const method = await gateway.retrievePaymentMethod(paymentMethodId);
    if (method.customerId && method.customerId !== (await deps.profiles.ensureStripeCustomer(owner))) {
      throw new ForbiddenError('This payment method belongs to another customer', [{ path: '/paymentMethodId', message: 'belongs to another customer' }]);
    }
  }

  return {
    /** POST /payment: answers the exact JSON of the first successful creation for this key. */
    async createPayment(
      principal: Principal,
      user: UserRecord | undefined,
      input: { idempotencyKey: string; amount?: number | undefined; currency?: string | undefined; description?: string | undefined },
    ) {
      // A payment is the signed-in user's own act: an API key has no customer to charge.
      if (principal.kind !== 'user' || !user || user.id !== principal.userId) throw new ForbiddenError('Payments are created by a signed-in user');
      assertMayPay(user);
      const amount = input.amount ?? deps.defaults.amount;
      const currency = (input.currency ?? deps.defaults.currency).toLowerCase();
      assertChargeable(amount, currency);
      return deps.creation.createPayment(user, { idempotencyKey: input.idempotencyKey, amount, currency, description: input.description ?? null });
    },

    async listPayments(principal: Principal, page: { limit: number; startingAfter?: string | undefined }): Promise<PaymentRecord[]> {
      const userId = principal.kind === 'user' && principal.role !== 'admin' ? principal.userId : undefined;
      return payments.list({ organisationId: principal.organisationId, userId }, page);
    },

    async getPayment(principal: Principal, intentId: string): Promise<PaymentView> {
      return toPaymentView(await findAccessible(principal, intentId));
    },

    /** POST /payment/confirm: idempotent by key; a decline leaves the intent awaiting another method. */
    async confirmPayment(principal: Principal, owner: (userId: string) => Promise<UserRecord | undefined>, input: ConfirmInput): Promise<PaymentView> {
      const payment = await findAccessible(principal, input.paymentIntentId);
      const user = await owner(payment.userId);
      if (!user) throw new NotFoundError('No such payment');
      assertMayPay(user);
      const hash = requestHash({ paymentId: input.paymentIntentId, paymentMethodId: input.paymentMethodId });
      if ((await payments.rememberKey(user.id, 'confirm', input.idempotencyKey, hash)) !== hash) {
        throw new IdempotencyConflictError(undefined, [{ path: '/cuid', message: 'was already used to confirm with another payment or payment method' }]);
      }
      await assertUsablePaymentMethod(user, input.paymentMethodId);
      const observedAt = new Date();
      try {
        const intent = await gateway.confirmPaymentIntent(
          input.paymentIntentId,
          { paymentMethodId: input.paymentMethodId, returnUrl: deps.returnUrl },
          `paybridge-confirm-${payment.id}-${hash.slice(0, 32)}-${requestHash({ key: input.idempotencyKey }).slice(0, 16)}`,
        );
        return toPaymentView((await applyIntent(intent, observedAt))!);
      } catch (error) {
        if (error instanceof PaymentDeclinedError) await applyIntent(await gateway.retrievePaymentIntent(input.paymentIntentId), observedAt);
        throw error;
      }
    },

    /** Reads a charge from Stripe: records how much of its payment was refunded, and refreshes the intent. */
    async refreshCharge(chargeId: string): Promise<void> {
      const charge = await gateway.retrieveCharge(chargeId);
      if (!charge.paymentIntentId) return;
      await payments.applyRefunded(charge.paymentIntentId, charge.amountRefunded);
      await this.refreshIntent(charge.paymentIntentId);
    },

    /**
     * The browser's return from a 3-D Secure step (Stripe appends the intent and its client
     * secret). Anyone can open that URL, so Stripe is asked only about a payment of ours whose
     * client secret matches.
     */
    async refreshReturningIntent(intentId: string, clientSecret: string): Promise<PaymentRecord | undefined> {
      const stored = await payments.findAnyByIntentId(intentId);
      const expected = stored?.createResponse ? (JSON.parse(stored.createResponse) as { clientSecret?: string }).clientSecret : undefined;
      if (!expected || !secretsEqual(expected, clientSecret)) return undefined;
      return this.refreshIntent(intentId);
    },

    /** Whether the stored payment already shows this status and payment method. */
    async isCurrent(intentId: string, status: string | undefined, paymentMethodId: string | null | undefined): Promise<boolean> {
      const stored = await payments.findAnyByIntentId(intentId);
      return stored !== undefined && stored.status === status && stored.paymentMethodId === (paymentMethodId ?? null);
    },

    /** Reads an intent from Stripe and stores it (webhooks, the 3-D Secure return, reconciliation). */
    async refreshIntent(intentId: string): Promise<PaymentRecord | undefined> {
      const observedAt = new Date();
      return applyIntent(await gateway.retrievePaymentIntent(intentId), observedAt);
    },
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
