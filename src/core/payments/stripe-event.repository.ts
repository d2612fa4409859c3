import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { stripeEvents } from '../../db/schema.js';

type EventKey = { id: string; type: string; createdAt: Date };

export function createStripeEventRepository(db: Database) {
  return {
    /** True when the event still needs applying (first sight, or an earlier attempt failed). */
    async begin(event: EventKey): Promise<boolean> {
      const [inserted] = await db
        .insert(stripeEvents)
        .values({ id: event.id, type: event.type, stripeCreatedAt: event.createdAt })
        .onConflictDoNothing()
        .returning({ id: stripeEvents.id });
      if (inserted) return true;
      const [seen] = await db.select({ processedAt: stripeEvents.processedAt }).from(stripeEvents).where(eq(stripeEvents.id, event.id)).limit(1);
      return seen?.processedAt == null;
    },

    async finish(id: string): Promise<void> {
      await db.update(stripeEvents).set({ processedAt: new Date() }).where(eq(stripeEvents.id, id));
    },
  };
}

export type StripeEventRepository = ReturnType<typeof createStripeEventRepository>;
