import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { paymentProfiles } from '../../db/schema.js';

export type PaymentProfileRecord = typeof paymentProfiles.$inferSelect;

export function createPaymentProfileRepository(db: Database) {
  return {
    async find(userId: string): Promise<PaymentProfileRecord | undefined> {
      const [row] = await db.select().from(paymentProfiles).where(eq(paymentProfiles.userId, userId)).limit(1);
      return row;
    },

    /** Creates the profile row if missing, then applies the patch; a unique violation on the customer id propagates. */
    async upsert(userId: string, organisationId: string, patch: Partial<Omit<PaymentProfileRecord, 'userId' | 'organisationId'>>): Promise<PaymentProfileRecord> {
      const [row] = await db
        .insert(paymentProfiles)
        .values({ userId, organisationId, ...patch })
        .onConflictDoUpdate({ target: paymentProfiles.userId, set: { ...patch, updatedAt: sql`now()` } })
        .returning();
      return row!;
    },

    /**
     * Records the user's Stripe customer unless one is already recorded, and answers the one
     * that is: when two requests race to create a customer, both end up using the same.
     */
    async claimStripeCustomer(userId: string, organisationId: string, customerId: string): Promise<string> {
      const [row] = await db
        .insert(paymentProfiles)
        .values({ userId, organisationId, stripeCustomerId: customerId })
        .onConflictDoUpdate({
          target: paymentProfiles.userId,
          set: { stripeCustomerId: sql`coalesce(${paymentProfiles.stripeCustomerId}, excluded.stripe_customer_id)`, updatedAt: sql`now()` },
        })
        .returning({ stripeCustomerId: paymentProfiles.stripeCustomerId });
      return row!.stripeCustomerId!;
    },

    /**
     * The customer was deleted at Stripe: forget it (and its default method), and move to the next
     * generation so the next payment makes a new customer instead of replaying the old creation.
     */
    async forgetStripeCustomer(customerId: string): Promise<void> {
      await db
        .update(paymentProfiles)
        .set({
          stripeCustomerId: null,
          stripeCustomerGeneration: sql`${paymentProfiles.stripeCustomerGeneration} + 1`,
          defaultPaymentMethodId: null,
          defaultPaymentMethodCard: null,
          updatedAt: new Date(),
        })
        .where(eq(paymentProfiles.stripeCustomerId, customerId));
    },

    async forgetDefaultPaymentMethod(paymentMethodId: string): Promise<void> {
      await db
        .update(paymentProfiles)
        .set({ defaultPaymentMethodId: null, defaultPaymentMethodCard: null, updatedAt: new Date() })
        .where(and(eq(paymentProfiles.defaultPaymentMethodId, paymentMethodId)));
    },
  };
}

export type PaymentProfileRepository = ReturnType<typeof createPaymentProfileRepository>;
