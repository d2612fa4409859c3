import { and, asc, eq, gt, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { createBatcher } from '../../db/batching.js';
import { reportingUniqueness } from '../../db/uniqueness.js';
import { organisations, paymentProfiles, sessions, users } from '../../db/schema.js';

export type UserRow = typeof users.$inferSelect;
/** A user as the core hands it out: the row plus its Stripe customer, and whether it has a password (never the hash). */
export type UserRecord = Omit<UserRow, 'passwordHash'> & { customerId: string | null; hasPassword: boolean };

const userColumns = {
  id: users.id,
  organisationId: users.organisationId,
  email: users.email,
  userName: users.userName,
  role: users.role,
  authority: users.authority,
  isTest: users.isTest,
  externalUid: users.externalUid,
  profile: users.profile,
  vehicle: users.vehicle,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  deletedAt: users.deletedAt,
  customerId: paymentProfiles.stripeCustomerId,
  hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
};

// Reads wait on this lookup alone: two batches out keep one slow batch (PostgreSQL busy with a login
// flood, say) from holding every read behind it.
const SESSION_BATCHING = { inFlight: 2, maxSize: 64 };

/**
 * Where a page of an organisation's users continues after `cursor`: after that user, if it is one of
 * the organisation's (a user deleted since its page was read still marks the place); undefined for
 * any other cursor, so a page never says anything about another organisation's users.
 */
export async function afterUserOf(db: Database, organisationId: string, cursor: string): Promise<SQL | undefined> {
  const [anchor] = await db.select({ id: users.id }).from(users).where(and(eq(users.organisationId, organisationId), eq(users.id, cursor))).limit(1);
  return anchor ? gt(users.id, anchor.id) : undefined;
}

export function createUserRepository(db: Database) {
  const selectUsers = () => db.select(userColumns).from(users).leftJoin(paymentProfiles, eq(paymentProfiles.userId, users.id));
  // Every authenticated request runs this: prepared once, it skips query building here and
  // parsing and planning in PostgreSQL; the sessions of concurrent requests go in one batch.
  const usersBySessions = db
    .select({ sessionId: sessions.id, ...userColumns })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    // A disabled organisation's tokens stop working with it.
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(paymentProfiles, eq(paymentProfiles.userId, users.id))
    .where(
      and(
        sql`${sessions.id} in (select jsonb_array_elements_text(${sql.placeholder('sessionIds')}::jsonb))`,
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        isNull(users.deletedAt),
        isNull(organisations.disabledAt),
      ),
    )
    .prepare('paybridge_users_by_sessions');
  const userBySession = createBatcher(async (sessionIds: string[]): Promise<Array<UserRecord | undefined>> => {
    const found = new Map((await usersBySessions.execute({ sessionIds: JSON.stringify(sessionIds) })).map(({ sessionId, ...user }) => [sessionId, user]));
    return sessionIds.map((id) => found.get(id));
  }, SESSION_BATCHING);

  return {
    async insert(values: typeof users.$inferInsert): Promise<UserRecord> {
      await reportingUniqueness(() => db.insert(users).values(values));
      return (await this.findById(values.organisationId, values.id))!;
    },

    async findById(organisationId: string, id: string): Promise<UserRecord | undefined> {
      const [row] = await selectUsers()
        .where(and(eq(users.id, id), eq(users.organisationId, organisationId), isNull(users.deletedAt)))
        .limit(1);
      return row;
    },

    /** Live users by default; test users (Coord's test JWTs) only when asked for. */
    async findByEmail(organisationId: string, email: string, isTest = false): Promise<UserRecord | undefined> {
      const [row] = await selectUsers()
        .where(and(eq(users.organisationId, organisationId), eq(users.isTest, isTest), eq(users.email, email), isNull(users.deletedAt)))
        .limit(1);
      return row;
    },

    async findByExternalUid(organisationId: string, externalUid: string, isTest = false): Promise<UserRecord | undefined> {
      const [row] = await selectUsers()
        .where(and(eq(users.organisationId, organisationId), eq(users.isTest, isTest), eq(users.externalUid, externalUid), isNull(users.deletedAt)))
        .limit(1);
      return row;
    },

    /** A live user and its password hash, in one query (the login path). */
    async findCredentials(organisationId: string, email: string): Promise<{ user: UserRecord; passwordHash: string | null } | undefined> {
      const [row] = await db
        .select({ ...userColumns, passwordHash: users.passwordHash })
        .from(users)
        .leftJoin(paymentProfiles, eq(paymentProfiles.userId, users.id))
        .where(and(eq(users.organisationId, organisationId), eq(users.isTest, false), eq(users.email, email), isNull(users.deletedAt)))
        .limit(1);
      if (!row) return undefined;
      const { passwordHash, ...user } = row;
      return { user, passwordHash };
    },

    async findPasswordHash(userId: string): Promise<string | null> {
      const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1);
      return row?.hash ?? null;
    },

    /**
     * A page of the organisation's live users, in id order, after `startingAfter`: a user of the
     * organisation (one deleted since its page was read still counts), or undefined for any other.
     */
    async list(organisationId: string, page: { limit: number; startingAfter?: string | undefined }): Promise<UserRecord[] | undefined> {
      const conditions = [eq(users.organisationId, organisationId), isNull(users.deletedAt)];
      if (page.startingAfter) {
        const after = await afterUserOf(db, organisationId, page.startingAfter);
        if (!after) return undefined;
        conditions.push(after);
      }
      return selectUsers()
        .where(and(...conditions))
        .orderBy(asc(users.id))
        .limit(page.limit);
    },

    async update(organisationId: string, id: string, patch: Partial<typeof users.$inferInsert>): Promise<UserRecord | undefined> {
      const [row] = await reportingUniqueness(() =>
        db
          .update(users)
          .set({ ...patch, updatedAt: new Date() })
          .where(and(eq(users.id, id), eq(users.organisationId, organisationId), isNull(users.deletedAt)))
          .returning({ id: users.id }),
      );
      return row ? this.findById(organisationId, id) : undefined;
    },

    /** Soft delete keeps payment history attached; the email becomes free for a new account. */
    async softDelete(organisationId: string, id: string): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ deletedAt: new Date() })
        .where(and(eq(users.id, id), eq(users.organisationId, organisationId), isNull(users.deletedAt)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async insertSession(values: { id: string; userId: string; expiresAt: Date }): Promise<void> {
      await db.insert(sessions).values(values);
    },

    /** The caller behind an access token, in one query: its live session joined to its live user. */
    async findBySession(sessionId: string): Promise<UserRecord | undefined> {
      return userBySession(sessionId);
    },

    async revokeSessions(userId: string, exceptSessionId?: string): Promise<void> {
      const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
      if (exceptSessionId) conditions.push(ne(sessions.id, exceptSessionId));
      await db
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(and(...conditions));
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
