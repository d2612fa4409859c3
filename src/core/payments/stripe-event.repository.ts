import { eq, isNull, and } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { stripeEvents } from '../../db/schema.js';

export function createStripeEventRepository(db: Database) {
  return {
    /** True when the event still needs applying (first sight, or an earlier attempt failed). */
    async begin(event: { id: string; type: string; createdAt: Date }): Promise<boolean> {
      await db.insert(stripeEvents).values({ id: event.id, type: event.type, stripeCreatedAt: event.createdAt }).onConflictDoNothing();
      const [row] = await db
        .select({ id: stripeEvents.id })
        .from(stripeEvents)
        .where(and(eq(stripeEvents.id, event.id), isNull(stripeEvents.processedAt)))
        .limit(1);
      return row !== undefined;
    },

    async finish(id: string): Promise<void> {
      await db.update(stripeEvents).set({ processedAt: new Date() }).where(eq(stripeEvents.id, id));
    },
  };
}

export type StripeEventRepository = ReturnType<typeof createStripeEventRepository>;
