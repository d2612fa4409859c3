import { createHash } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import { ForbiddenError, ProviderRejectedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PaymentGateway, ProviderCard } from '../payments/payment-gateway.js';
import type { UserRecord } from '../users/user.repository.js';
import type { PaymentProfileRecord, PaymentProfileRepository } from './payment-profile.repository.js';
import { validateShippingAddress, type ShippingAddress } from './shipping-address.js';

export type { ShippingAddress } from './shipping-address.js';

export interface PaymentSetup {
  /** A SetupIntent that has succeeded; its payment method becomes the user's default. */
  setupIntentId: string;
  /** Other processors' tokens by processor name (e.g. {nmi: "…"}), sealed at rest. */
  processorTokens: Record<string, string>;
  shippingAddress: ShippingAddress;
}

/** What may be shown of a profile: never a token, never a full card number. */
export interface PaymentProfileView {
  customerId: string | null;
  defaultPaymentMethod: ({ id: string } & ProviderCard) | null;
  shippingAddress: ShippingAddress | null;
  /** When the profile last changed; null when the user has none. */
  updatedAt: Date | null;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * A user's means of paying: its Stripe customer (created the first time one is needed,
 * exactly once), default payment method, shipping address and other processors' tokens.
 */
export function createPaymentProfileService(deps: { profiles: PaymentProfileRepository; gateway: PaymentGateway; secretBox: SecretBox; log: Logger }) {
  const { profiles, gateway } = deps;

  /**
   * The user's Stripe customer, created if it has none. Concurrent callers, retries and other
   * instances share one Stripe idempotency key per user, so Stripe makes one customer; the
   * database keeps whichever id was recorded first.
   */
  async function ensureStripeCustomer(user: UserRecord): Promise<string> {
    if (user.customerId) return user.customerId;
    const profile = await profiles.find(user.id);
    if (profile?.stripeCustomerId) return profile.stripeCustomerId;
    const customer = await gateway.createCustomer(
      { email: user.email, name: user.userName, metadata: { paybridge_user_id: user.id, paybridge_organisation_id: user.organisationId } },
      `paybridge-customer-${user.id}-${profile?.stripeCustomerGeneration ?? 0}`,
    );
    return profiles.claimStripeCustomer(user.id, user.organisationId, customer.id);
  }

  async function undoQuietly(undo: () => Promise<void>, paymentMethodId: string): Promise<void> {
    try {
      await undo();
    } catch (error) {
      deps.log.warn({ err: error, paymentMethodId }, 'could not undo a Stripe step after a failed update; it stays attached but is not the stored default');
    }
  }

  return {
    ensureStripeCustomer,

    /** Keeps the Stripe customer's name and email in step with the user's; a failure is logged, not fatal. */
    async syncCustomerDetails(user: UserRecord): Promise<void> {
      if (!user.customerId) return;
      try {
        await gateway.updateCustomer(user.customerId, { email: user.email, name: user.userName });
      } catch (error) {
        deps.log.warn({ err: error, userId: user.id }, 'could not update the Stripe customer; it will be retried on the next change');
      }
    },

    /** A card token (Coord's stripe_info) becomes a card of the user's customer, and its default. */
    async addCardToken(user: UserRecord, token: string): Promise<{ customerId: string }> {
      const customerId = await ensureStripeCustomer(user);
      const { cardId, card } = await gateway.addCardSource(customerId, token, `paybridge-source-${user.id}-${digest(token)}`);
      try {
        await profiles.setDefaultPaymentMethod(user.id, user.organisationId, { defaultPaymentMethodId: cardId, defaultPaymentMethodCard: card });
      } catch (error) {
        // The card this request added is removed again, so Stripe and the stored profile agree.
        await undoQuietly(() => gateway.removeCardSource(customerId, cardId), cardId);
        throw error;
      }
      return { customerId };
    },

    /**
     * CareValidate's UPDATE_PAYMENT_INFO. Stripe is brought to the wanted state first (each step
     * idempotent, so a retry after a failure is harmless); the profile is then written in one
     * statement, so either all of the update is stored or none of it.
     */
    async applyPaymentSetup(user: UserRecord, setup: PaymentSetup): Promise<void> {
      // Faces may check the address earlier to word their errors; the rule is enforced here for all.
      const shippingAddress = validateShippingAddress(setup.shippingAddress);
      const intent = await gateway.retrieveSetupIntent(setup.setupIntentId);
      if (intent.status !== 'succeeded' || !intent.paymentMethodId) {
        throw new ProviderRejectedError(`Setup intent ${intent.id} has not succeeded (status: ${intent.status})`, [{ path: '/data/stripeSetupId', message: `status is ${intent.status}` }]);
      }
      const customerId = await ensureStripeCustomer(user);
      const method = await gateway.retrievePaymentMethod(intent.paymentMethodId);
      if (method.customerId && method.customerId !== customerId) {
        throw new ForbiddenError("The setup intent's payment method belongs to another customer", [{ path: '/data/stripeSetupId', message: 'belongs to another customer' }]);
      }
      const sealed = Object.fromEntries(Object.entries(setup.processorTokens).map(([name, token]) => [name, deps.secretBox.seal(token)]));
      const attached = method.customerId ? method : await gateway.attachPaymentMethod(method.id, customerId);
      try {
        await gateway.setDefaultPaymentMethod(customerId, attached.id);
        const current = await profiles.find(user.id);
        await profiles.setDefaultPaymentMethod(user.id, user.organisationId, {
          defaultPaymentMethodId: attached.id,
          defaultPaymentMethodCard: attached.card,
          shippingAddress: { ...shippingAddress },
          processorTokens: { ...(current?.processorTokens ?? {}), ...sealed },
        });
      } catch (error) {
        // What this request attached is detached again, so Stripe and the stored profile agree.
        if (!method.customerId) await undoQuietly(() => gateway.detachPaymentMethod(attached.id), attached.id);
        throw error;
      }
    },

    findProfile: (userId: string) => profiles.find(userId),

    /** Stripe no longer knows this customer (deleted there): the next payment makes a new one. */
    forgetStripeCustomer: (customerId: string) => profiles.forgetStripeCustomer(customerId),

    toView(profile: PaymentProfileRecord | undefined): PaymentProfileView {
      const card = profile?.defaultPaymentMethodCard;
      return {
        customerId: profile?.stripeCustomerId ?? null,
        defaultPaymentMethod: profile?.defaultPaymentMethodId && card ? { id: profile.defaultPaymentMethodId, ...card } : null,
        shippingAddress: (profile?.shippingAddress as ShippingAddress | null | undefined) ?? null,
        updatedAt: profile?.updatedAt ?? null,
      };
    },
  };
}

export type PaymentProfileService = ReturnType<typeof createPaymentProfileService>;
