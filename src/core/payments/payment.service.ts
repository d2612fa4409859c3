import { timingSafeEqual } from 'node:crypto';
import { canAccessUser, isAdmin, type Principal } from '../auth/principal.js';
import { ForbiddenError, NotFoundError, TestUserError, ValidationError } from '../errors.js';
import { cursorNotInList } from '../pagination.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { CaptureMethod } from './capture-method.js';
import type { UserRecord } from '../users/user.repository.js';
import { assertChargeable } from './money.js';
import type { PaymentCapture } from './payment-capture.js';
import type { PaymentConfirmation } from './payment-confirmation.js';
import type { PaymentCreation } from './payment-creation.js';
import type { CancellationReason, PaymentGateway } from './payment-gateway.js';
import type { PaymentRefunds, RefundInput } from './payment-refunds.js';
import { refreshIntent } from './payment-freshness.js';
import { CREATING, type PaymentRecord, type PaymentRepository } from './payment.repository.js';
import { toPaymentView, toRefundView, type PaymentView, type RefundView } from './payment.views.js';
import type { RefundRepository } from './refund.repository.js';
import { assertMayActFor } from '../users/user-authority.js';

export interface PaymentServiceDeps {
  payments: PaymentRepository;
  creation: PaymentCreation;
  confirmation: PaymentConfirmation;
  capture: PaymentCapture;
  refunds: PaymentRefunds;
  refundRecords: RefundRepository;
  profiles: PaymentProfileService;
  gateway: PaymentGateway;
  defaults: { amount: number; currency: string };
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

  async function findAccessible(principal: Principal, intentId: string): Promise<PaymentRecord> {
    const payment = await payments.findByIntentId(principal.organisationId, intentId);
    if (!payment || !canAccessUser(principal, { id: payment.userId, organisationId: payment.organisationId })) {
      throw new NotFoundError('No such payment');
    }
    return payment;
  }

  /** Capture and refunds move the organisation's money: its API key or an administrator, never a plain user. */
  async function findForOrganisation(principal: Principal, intentId: string): Promise<PaymentRecord> {
    if (!isAdmin(principal)) throw new ForbiddenError("Only the organisation (an API key or an administrator) can capture or refund payments");
    return findAccessible(principal, intentId);
  }

  async function viewsOf(rows: PaymentRecord[]): Promise<PaymentView[]> {
    const refunds = await deps.refundRecords.listFor(rows.map((r) => r.id));
    return rows.map((row) => toPaymentView(row, refunds));
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
      input: { idempotencyKey: string; amount?: number | undefined; currency?: string | undefined; description?: string | undefined; captureMethod?: CaptureMethod | undefined },
    ) {
      // A payment is the signed-in user's own act: an API key has no customer to charge.
      if (principal.kind !== 'user' || !user || user.id !== principal.userId) throw new ForbiddenError('Payments are created by a signed-in user');
      assertMayPay(user);
      const amount = input.amount ?? deps.defaults.amount;
      const currency = (input.currency ?? deps.defaults.currency).toLowerCase();
      assertChargeable(amount, currency);
      const captureMethod = input.captureMethod ?? 'automatic';
      return deps.creation.createPayment(user, { idempotencyKey: input.idempotencyKey, amount, currency, description: input.description ?? null, captureMethod });
    },

    /** A page of the caller's payments (one more than asked, so the caller knows whether another page follows). */
    async listPayments(principal: Principal, page: { limit: number; startingAfter?: string | undefined }): Promise<PaymentView[]> {
      const userId = principal.kind === 'user' && principal.role !== 'admin' ? principal.userId : undefined;
      const rows = await payments.list({ organisationId: principal.organisationId, userId }, page);
      if (!rows) throw cursorNotInList('payment');
      return viewsOf(rows);
    },

    async getPayment(principal: Principal, intentId: string): Promise<PaymentView> {
      const [view] = await viewsOf([await findAccessible(principal, intentId)]);
      return view!;
    },

    /** POST /payment/{id}/capture: the organisation captures an authorisation, all of it or part. */
    async capturePayment(principal: Principal, intentId: string, amount: number | undefined): Promise<string> {
      return deps.capture.capture(await findForOrganisation(principal, intentId), amount);
    },

    /** POST /payment/{id}/cancel: the payer or the organisation, before the payment succeeded. */
    async cancelPayment(principal: Principal, intentId: string, reason: CancellationReason | undefined): Promise<string> {
      return deps.capture.cancel(await findAccessible(principal, intentId), reason);
    },

    /** POST /payment/{id}/refunds: the organisation refunds all that is left, or part; idempotent by cuid. */
    async refundPayment(principal: Principal, intentId: string, input: RefundInput): Promise<string> {
      return deps.refunds.refund(await findForOrganisation(principal, intentId), input);
    },

    async listRefunds(principal: Principal, intentId: string): Promise<RefundView[]> {
      const payment = await findAccessible(principal, intentId);
      return (await deps.refundRecords.listFor([payment.id])).map((r) => toRefundView(r, intentId));
    },

    /** POST /payment/confirm: the JSON answer of this attempt (see PaymentConfirmation); a decline is a 402. */
    async confirmPayment(principal: Principal, owner: (userId: string) => Promise<UserRecord | undefined>, input: ConfirmInput): Promise<string> {
      const payment = await findAccessible(principal, input.paymentIntentId);
      const user = await owner(payment.userId);
      if (!user) throw new NotFoundError('No such payment');
      assertMayPay(user);
      assertMayActFor(principal, user, { what: 'confirm its payments', path: '/paymentId' });
      if (payment.status !== 'succeeded') await assertUsablePaymentMethod(user, input.paymentMethodId);
      return deps.confirmation.confirm(payment, input.idempotencyKey, input.paymentMethodId);
    },

    /**
     * Re-reads an intent's refunds from Stripe (a refund or charge event; reconciliation): the
     * intent first, then its refunds. In that order a reader never sees a refund on a payment
     * that does not yet show it succeeded.
     */
    async refreshRefunds(intentId: string): Promise<void> {
      await this.refreshIntent(intentId);
      const observedAt = await payments.now();
      await payments.applyRefunds(intentId, await gateway.listRefunds(intentId), observedAt);
    },

    /** A charge event names no intent: find it from the charge. */
    async refreshCharge(chargeId: string): Promise<void> {
      const charge = await gateway.retrieveCharge(chargeId);
      if (charge.paymentIntentId) await this.refreshRefunds(charge.paymentIntentId);
    },

    /**
     * The browser's return from a 3-D Secure step (Stripe appends the intent and its client
     * secret). Anyone can open that URL, so Stripe is asked only about a payment of ours whose
     * client secret matches.
     */
    async refreshReturningIntent(intentId: string, clientSecret: string): Promise<PaymentRecord | undefined> {
      const stored = await payments.findAnyByIntentId(intentId);
      const expected = stored ? await deps.creation.clientSecretOf(stored) : undefined;
      if (!expected || !secretsEqual(expected, clientSecret)) return undefined;
      return this.refreshIntent(intentId);
    },

    /**
     * Whether an intent event tells nothing the payment does not hold already, or will hold once its
     * creation stores Stripe's answer: payment_intent.created shows the intent as the create call
     * answered it, and the live holder stores exactly that answer (if it dies, its lease lapses and
     * the event is processed, or reconciliation finishes the creation).
     */
    async isCurrent(paymentId: string, intent: { id: string; status: string | undefined; paymentMethodId: string | null | undefined }, eventType: string): Promise<boolean> {
      // Stripe's event of our own create usually arrives while that request still runs here, or just after.
      if (eventType === 'payment_intent.created' && deps.creation.isCreatedHere(paymentId)) return true;
      const stored = await payments.findEventTarget(paymentId);
      if (!stored) return false;
      if (stored.stripePaymentIntentId === null) return stored.status === CREATING && stored.creationHeld && eventType === 'payment_intent.created';
      return stored.stripePaymentIntentId === intent.id && stored.status === intent.status && stored.paymentMethodId === (intent.paymentMethodId ?? null);
    },

    /** Reads an intent from Stripe and stores it (webhooks, the 3-D Secure return, reconciliation). */
    refreshIntent: (intentId: string): Promise<PaymentRecord | undefined> => refreshIntent({ payments, gateway }, intentId),
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
