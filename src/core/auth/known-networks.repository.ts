import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { loginKnownNetworks, users } from '../../db/schema.js';

/** How long a network an account signed in from stays known to it. */
const KNOWN_FOR_DAYS = 30;

/**
 * The networks each account signed in from (or registered from), in the database: a flood of
 * fresh addresses cannot evict them and a restart keeps them. Only a right password adds a row,
 * so attackers cannot grow it; an account's rows older than 30 days go when it signs in again.
 */
export function createKnownNetworksRepository(db: Database) {
  const window = sql`now() - make_interval(days => ${KNOWN_FOR_DAYS})`;
  return {
    async remember(userId: string, network: string): Promise<void> {
      await db
        .insert(loginKnownNetworks)
        .values({ userId, network })
        .onConflictDoUpdate({ target: [loginKnownNetworks.userId, loginKnownNetworks.network], set: { lastSeenAt: sql`now()` } });
      await db.delete(loginKnownNetworks).where(and(eq(loginKnownNetworks.userId, userId), lt(loginKnownNetworks.lastSeenAt, window)));
    },

    /** Whether the live account with this email has signed in from this network lately. */
    async isKnown(organisationId: string, email: string, network: string): Promise<boolean> {
      const rows = await db
        .select({ network: loginKnownNetworks.network })
        .from(loginKnownNetworks)
        .innerJoin(users, eq(users.id, loginKnownNetworks.userId))
        .where(and(eq(users.organisationId, organisationId), eq(users.email, email), isNull(users.deletedAt), eq(loginKnownNetworks.network, network), gt(loginKnownNetworks.lastSeenAt, window)))
        .limit(1);
      return rows.length > 0;
    },
  };
}

export type KnownNetworks = ReturnType<typeof createKnownNetworksRepository>;
