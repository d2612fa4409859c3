import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { reportingUniqueness } from '../../db/uniqueness.js';
import { UniquenessViolation } from '../uniqueness.js';
import { paymentProfiles } from '../../db/schema.js';
import { recordEvent } from '../events/outbox.js';
import { toPaymentMethodView } from './payment-method.view.js';

export type PaymentProfileRecord = typeof paymentProfiles.$inferSelect;

export type ProfilePatch = Partial<Omit<PaymentProfileRecord, 'userId' | 'organisationId'>>;

/** Creates the profile row if missing, then applies the patch; a customer id another user has is a UniquenessViolation. */
async function upsertProfile(db: Database, userId: string, organisationId: string, patch: ProfilePatch): Promise<PaymentProfileRecord> {
  const [row] = await reportingUniqueness(() =>
    db
      .insert(paymentProfiles)
      .values({ userId, organisationId, ...patch })
      .onConflictDoUpdate({ target: paymentProfiles.userId, set: { ...patch, updatedAt: sql`now()` } })
      .returning(),
  );
  return row!;
}

export function createPaymentProfileRepository(db: Database) {
  return {
    async find(userId: string): Promise<PaymentProfileRecord | undefined> {
      const [row] = await db.select().from(paymentProfiles).where(eq(paymentProfiles.userId, userId)).limit(1);
      return row;
    },

    upsert: (userId: string, organisationId: string, patch: ProfilePatch) => upsertProfile(db, userId, organisationId, patch),

    /** Sets the user's default payment method (and what goes with it), announced as payment_method.updated in the same transaction. */
    async setDefaultPaymentMethod(userId: string, organisationId: string, patch: ProfilePatch): Promise<PaymentProfileRecord> {
      return db.transaction(async (tx) => {
        const row = await upsertProfile(tx, userId, organisationId, patch);
        await recordEvent(tx, organisationId, 'payment_method.updated', toPaymentMethodView(row));
        return row;
      });
    },

    /**
     * Records the user's Stripe customer unless one is already recorded, and answers the one
     * that is: when two requests race to create a customer, both end up using the same.
     */
    async claimStripeCustomer(userId: string, organisationId: string, customerId: string): Promise<string> {
      const claim = () =>
        reportingUniqueness(() =>
          db
            .insert(paymentProfiles)
            .values({ userId, organisationId, stripeCustomerId: customerId })
            .onConflictDoUpdate({
              target: paymentProfiles.userId,
              set: { stripeCustomerId: sql`coalesce(${paymentProfiles.stripeCustomerId}, excluded.stripe_customer_id)`, updatedAt: sql`now()` },
            })
            .returning({ stripeCustomerId: paymentProfiles.stripeCustomerId }),
        );
      let rows;
      try {
        rows = await claim();
      } catch (error) {
        // Two first payments of one user insert the same (user, customer) at once: PostgreSQL may report
        // the customer's unique index before it sees the user's row to update. Once that row is
        // committed, the same statement takes the update path.
        if (!(error instanceof UniquenessViolation && error.rule === 'stripe-customer')) throw error;
        rows = await claim();
      }
      return rows[0]!.stripeCustomerId!;
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
