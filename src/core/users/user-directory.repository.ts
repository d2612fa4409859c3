import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { paymentProfiles, users } from '../../db/schema.js';
import type { PaymentProfileRecord } from '../payment-profiles/payment-profile.repository.js';
import { afterUserOf, type UserRecord } from './user.repository.js';

/** A user with its payment profile, read together so a page costs one query. */
export interface DirectoryRow {
  user: UserRecord;
  profile: PaymentProfileRecord | undefined;
}

export interface DirectoryQuery {
  organisationId: string;
  limit: number;
  /** Id of the last user already seen: ids are time-ordered, so this resumes in creation order. */
  afterId?: string | undefined;
  /** Lowercased; matched literally (LIKE wildcards in it mean nothing). */
  emailPrefix?: string | undefined;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Live, non-test users of one organisation, oldest first, one page at a time. */
export function createUserDirectoryRepository(db: Database) {
  return {
    /** A page after `afterId`, a user of the organisation (deleted since, even); undefined for any other cursor. */
    async listPage(query: DirectoryQuery): Promise<DirectoryRow[] | undefined> {
      const conditions: SQL[] = [eq(users.organisationId, query.organisationId), eq(users.isTest, false), isNull(users.deletedAt)];
      if (query.afterId) {
        const after = await afterUserOf(db, query.organisationId, query.afterId);
        if (!after) return undefined;
        conditions.push(after);
      }
      if (query.emailPrefix) conditions.push(sql`${users.email} like ${`${escapeLike(query.emailPrefix)}%`}`);
      const rows = await db
        .select({ user: users, profile: paymentProfiles })
        .from(users)
        .leftJoin(paymentProfiles, eq(paymentProfiles.userId, users.id))
        .where(and(...conditions))
        .orderBy(asc(users.id))
        .limit(query.limit);
      return rows.map(({ user: { passwordHash, ...user }, profile }) => ({
        user: { ...user, customerId: profile?.stripeCustomerId ?? null, hasPassword: passwordHash !== null },
        profile: profile ?? undefined,
      }));
    },
  };
}

export type UserDirectoryRepository = ReturnType<typeof createUserDirectoryRepository>;
