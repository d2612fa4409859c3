import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, organisations } from '../../db/schema.js';
import { newId } from '../ids.js';

export type OrganisationRecord = typeof organisations.$inferSelect;
export type ApiKeyRecord = typeof apiKeys.$inferSelect;

export function createOrganisationRepository(db: Database) {
  return {
    async findDefault(): Promise<OrganisationRecord | undefined> {
      const [row] = await db.select().from(organisations).where(eq(organisations.isDefault, true)).limit(1);
      return row;
    },

    /** Safe when several instances start at once: only one default can exist (partial unique index). */
    async ensureDefault(name: string): Promise<{ organisation: OrganisationRecord; created: boolean }> {
      const [inserted] = await db.insert(organisations).values({ id: newId(), name, isDefault: true }).onConflictDoNothing().returning();
      if (inserted) return { organisation: inserted, created: true };
      const found = await this.findDefault();
      if (!found) throw new Error('default organisation missing after insert');
      return { organisation: found, created: false };
    },

    async create(name: string): Promise<OrganisationRecord> {
      const [row] = await db.insert(organisations).values({ id: newId(), name }).returning();
      return row!;
    },

    async findById(id: string): Promise<OrganisationRecord | undefined> {
      const [row] = await db.select().from(organisations).where(eq(organisations.id, id)).limit(1);
      return row;
    },

    async insertApiKey(values: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord> {
      const [row] = await db.insert(apiKeys).values(values).onConflictDoNothing().returning();
      return row ?? (await this.findApiKeyByDigest(values.digest))!;
    },

    async findApiKeyByDigest(digest: string): Promise<ApiKeyRecord | undefined> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.digest, digest)).limit(1);
      return row;
    },

    /** A live key of a live organisation: a disabled organisation's keys stop working with it. */
    async findUsableApiKey(digest: string): Promise<ApiKeyRecord | undefined> {
      const [row] = await db
        .select({ key: apiKeys })
        .from(apiKeys)
        .innerJoin(organisations, eq(organisations.id, apiKeys.organisationId))
        .where(and(eq(apiKeys.digest, digest), isNull(apiKeys.revokedAt), isNull(organisations.disabledAt)))
        .limit(1);
      return row?.key;
    },

    async list(): Promise<OrganisationRecord[]> {
      return db.select().from(organisations).orderBy(asc(organisations.createdAt), asc(organisations.id));
    },

    async update(id: string, changes: { name?: string; disabledAt?: Date | null }): Promise<OrganisationRecord | undefined> {
      const [row] = await db.update(organisations).set(changes).where(eq(organisations.id, id)).returning();
      return row;
    },

    async listApiKeys(organisationId: string): Promise<ApiKeyRecord[]> {
      return db.select().from(apiKeys).where(eq(apiKeys.organisationId, organisationId)).orderBy(desc(apiKeys.id));
    },

    async revokeApiKey(organisationId: string, id: string): Promise<ApiKeyRecord | undefined> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.organisationId, organisationId), isNull(apiKeys.revokedAt)))
        .returning();
      return row;
    },
  };
}

export type OrganisationRepository = ReturnType<typeof createOrganisationRepository>;
