import { and, asc, count, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { webhookEndpoints } from '../../db/schema.js';

export type WebhookEndpointRecord = typeof webhookEndpoints.$inferSelect;
export type WebhookEndpointChanges = Partial<Omit<WebhookEndpointRecord, 'id' | 'organisationId' | 'createdAt'>>;

/** An organisation's webhook endpoints; every query is scoped to the organisation. */
export function createWebhookEndpointRepository(db: Database) {
  const own = (organisationId: string, id: string) => and(eq(webhookEndpoints.organisationId, organisationId), eq(webhookEndpoints.id, id));
  return {
    async insert(values: typeof webhookEndpoints.$inferInsert): Promise<WebhookEndpointRecord> {
      const [row] = await db.insert(webhookEndpoints).values(values).returning();
      return row!;
    },

    list(organisationId: string): Promise<WebhookEndpointRecord[]> {
      return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.organisationId, organisationId)).orderBy(asc(webhookEndpoints.id));
    },

    async count(organisationId: string): Promise<number> {
      const [row] = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.organisationId, organisationId));
      return row?.n ?? 0;
    },

    async find(organisationId: string, id: string): Promise<WebhookEndpointRecord | undefined> {
      const [row] = await db.select().from(webhookEndpoints).where(own(organisationId, id)).limit(1);
      return row;
    },

    async update(organisationId: string, id: string, changes: WebhookEndpointChanges): Promise<WebhookEndpointRecord | undefined> {
      const [row] = await db
        .update(webhookEndpoints)
        .set({ ...changes, updatedAt: new Date() })
        .where(own(organisationId, id))
        .returning();
      return row;
    },

    /** Its pending deliveries and its log go with it (ON DELETE CASCADE). */
    async delete(organisationId: string, id: string): Promise<boolean> {
      const rows = await db.delete(webhookEndpoints).where(own(organisationId, id)).returning({ id: webhookEndpoints.id });
      return rows.length > 0;
    },
  };
}

export type WebhookEndpointRepository = ReturnType<typeof createWebhookEndpointRepository>;
