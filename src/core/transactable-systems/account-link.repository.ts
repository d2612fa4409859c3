import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { accountLinks } from '../../db/schema.js';

export function createAccountLinkRepository(db: Database) {
  return {
    /** The user's links by system id: true linked, false explicitly unlinked or refused. */
    async linksOf(userId: string): Promise<Map<string, boolean>> {
      const rows = await db.select({ systemId: accountLinks.systemId, linked: accountLinks.linked }).from(accountLinks).where(eq(accountLinks.userId, userId));
      return new Map(rows.map((row) => [row.systemId, row.linked]));
    },

    async setLink(userId: string, systemId: string, linked: boolean): Promise<void> {
      await db
        .insert(accountLinks)
        .values({ userId, systemId, linked })
        .onConflictDoUpdate({ target: [accountLinks.userId, accountLinks.systemId], set: { linked, updatedAt: sql`now()` } });
    },
  };
}

export type AccountLinkRepository = ReturnType<typeof createAccountLinkRepository>;
