import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { organisations, organisationSettings } from '../../db/schema.js';
import { reportingUniqueness } from '../../db/uniqueness.js';

export type OrganisationSettingsRecord = typeof organisationSettings.$inferSelect;
export type IdentityProviderConfig = NonNullable<OrganisationSettingsRecord['identityProvider']>;

export function createOrganisationSettingsRepository(db: Database) {
  return {
    async find(organisationId: string): Promise<OrganisationSettingsRecord | undefined> {
      const [row] = await db.select().from(organisationSettings).where(eq(organisationSettings.organisationId, organisationId)).limit(1);
      return row;
    },

    async upsert(
      organisationId: string,
      values: { redirectUris: string[]; identityProvider: IdentityProviderConfig | null; publicRegistration: boolean },
    ): Promise<OrganisationSettingsRecord> {
      const [row] = await reportingUniqueness(() =>
        db
          .insert(organisationSettings)
          .values({ organisationId, ...values })
          .onConflictDoUpdate({ target: organisationSettings.organisationId, set: { ...values, updatedAt: sql`now()` } })
          .returning(),
      );
      return row!;
    },

    /**
     * Live organisations whose identity provider has this issuer and one of these audiences (at most
     * one per audience): where a partner token without an access_key belongs. A disabled
     * organisation's users stop signing in with it.
     */
    async findByIssuer(issuer: string, audiences: string[]): Promise<OrganisationSettingsRecord[]> {
      const rows = await db
        .select({ settings: organisationSettings })
        .from(organisationSettings)
        .innerJoin(organisations, eq(organisations.id, organisationSettings.organisationId))
        .where(
          and(
            sql`${organisationSettings.identityProvider} ->> 'issuer' = ${issuer}`,
            inArray(sql`${organisationSettings.identityProvider} ->> 'audience'`, audiences),
            isNull(organisations.disabledAt),
          ),
        )
        .limit(10);
      return rows.map((row) => row.settings);
    },
  };
}

export type OrganisationSettingsRepository = ReturnType<typeof createOrganisationSettingsRepository>;
