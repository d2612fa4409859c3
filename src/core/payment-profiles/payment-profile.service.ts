import type { Logger } from '../logger.js';
import type { PaymentGateway } from '../payments/payment-gateway.js';
import type { UserRecord } from '../users/user.repository.js';
import type { PaymentProfileRepository } from './payment-profile.repository.js';

/**
 * A user's means of paying: its Stripe customer (created the first time one is needed,
 * exactly once), default payment method, shipping address and other processors' tokens.
 */
export function createPaymentProfileService(deps: { profiles: PaymentProfileRepository; gateway: PaymentGateway; log: Logger }) {
  const { profiles, gateway } = deps;

  return {
    /**
     * The user's Stripe customer, created if it has none. Concurrent callers, retries and other
     * instances share one Stripe idempotency key per user, so Stripe makes one customer; the
     * database keeps whichever id was recorded first.
     */
    async ensureStripeCustomer(user: UserRecord): Promise<string> {
      if (user.customerId) return user.customerId;
      const recorded = (await profiles.find(user.id))?.stripeCustomerId;
      if (recorded) return recorded;
      const customer = await gateway.createCustomer(
        { email: user.email, name: user.userName, metadata: { paybridge_user_id: user.id, paybridge_organisation_id: user.organisationId } },
        `paybridge-customer-${user.id}`,
      );
      return profiles.claimStripeCustomer(user.id, user.organisationId, customer.id);
    },

    /** Keeps the Stripe customer's name and email in step with the user's; a failure is logged, not fatal. */
    async syncCustomerDetails(user: UserRecord): Promise<void> {
      if (!user.customerId) return;
      try {
        await gateway.updateCustomer(user.customerId, { email: user.email, name: user.userName });
      } catch (error) {
        deps.log.warn({ err: error, userId: user.id }, 'could not update the Stripe customer; it will be retried on the next change');
      }
    },

    findProfile: (userId: string) => profiles.find(userId),
  };
}

export type PaymentProfileService = ReturnType<typeof createPaymentProfileService>;
