import { eq, sql } from 'drizzle-orm';
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
  };
}

export type PaymentProfileRepository = ReturnType<typeof createPaymentProfileRepository>;
