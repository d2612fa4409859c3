import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { organisationSettings } from '../../db/schema.js';

export type OrganisationSettingsRecord = typeof organisationSettings.$inferSelect;
export type IdentityProviderConfig = NonNullable<OrganisationSettingsRecord['identityProvider']>;

export function createOrganisationSettingsRepository(db: Database) {
  return {
    async find(organisationId: string): Promise<OrganisationSettingsRecord | undefined> {
      const [row] = await db.select().from(organisationSettings).where(eq(organisationSettings.organisationId, organisationId)).limit(1);
      return row;
    },

    async upsert(organisationId: string, values: { redirectUris: string[]; identityProvider: IdentityProviderConfig | null }): Promise<OrganisationSettingsRecord> {
      const [row] = await db
        .insert(organisationSettings)
        .values({ organisationId, ...values })
        .onConflictDoUpdate({ target: organisationSettings.organisationId, set: { ...values, updatedAt: sql`now()` } })
        .returning();
      return row!;
    },

    /** Organisations whose identity provider has this issuer: where a partner token without an access_key belongs. */
    async findByIssuer(issuer: string): Promise<OrganisationSettingsRecord[]> {
      return db
        .select()
        .from(organisationSettings)
        .where(sql`${organisationSettings.identityProvider} ->> 'issuer' = ${issuer}`)
        .limit(10);
    },
  };
}

export type OrganisationSettingsRepository = ReturnType<typeof createOrganisationSettingsRepository>;
