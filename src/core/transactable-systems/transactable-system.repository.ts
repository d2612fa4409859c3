import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { accountLinks, transactableSystems, users } from '../../db/schema.js';

export type TransactableSystemRow = typeof transactableSystems.$inferSelect;
export type TransactableSystemValues = Omit<TransactableSystemRow, 'organisationId' | 'createdAt'>;

export function createTransactableSystemRepository(db: Database) {
  const usersOf = (tx: Database, organisationId: string) => tx.select({ id: users.id }).from(users).where(eq(users.organisationId, organisationId));
  /** Links die with their system, so a system created again later does not inherit stale links. */
  const deleteLinksOf = (tx: Database, organisationId: string, systemIds: string[]) =>
    tx.delete(accountLinks).where(and(inArray(accountLinks.userId, usersOf(tx, organisationId)), inArray(accountLinks.systemId, systemIds)));
  const deleteLinksExcept = (tx: Database, organisationId: string, keep: string[]) =>
    tx
      .delete(accountLinks)
      .where(and(inArray(accountLinks.userId, usersOf(tx, organisationId)), keep.length > 0 ? notInArray(accountLinks.systemId, keep) : sql`true`));

  const upsertOne = (tx: Database, organisationId: string, values: TransactableSystemValues) =>
    tx
      .insert(transactableSystems)
      .values({ organisationId, ...values })
      .onConflictDoUpdate({ target: [transactableSystems.organisationId, transactableSystems.systemId], set: values })
      .returning();

  return {
    async list(organisationId: string): Promise<TransactableSystemRow[]> {
      return db.select().from(transactableSystems).where(eq(transactableSystems.organisationId, organisationId)).orderBy(asc(transactableSystems.systemId));
    },

    async find(organisationId: string, systemId: string): Promise<TransactableSystemRow | undefined> {
      const [row] = await db
        .select()
        .from(transactableSystems)
        .where(and(eq(transactableSystems.organisationId, organisationId), eq(transactableSystems.systemId, systemId)))
        .limit(1);
      return row;
    },

    async upsert(organisationId: string, values: TransactableSystemValues): Promise<TransactableSystemRow> {
      const [row] = await upsertOne(db, organisationId, values);
      return row!;
    },

    /** The whole catalogue at once (e.g. loaded from a file): in one transaction, so readers see the old or the new. */
    async replaceAll(organisationId: string, systems: TransactableSystemValues[]): Promise<void> {
      await db.transaction(async (tx) => {
        const keep = systems.map((s) => s.systemId);
        const stale = and(
          eq(transactableSystems.organisationId, organisationId),
          keep.length > 0 ? notInArray(transactableSystems.systemId, keep) : sql`true`,
        );
        await deleteLinksExcept(tx, organisationId, keep);
        await tx.delete(transactableSystems).where(stale);
        for (const values of systems) await upsertOne(tx, organisationId, values);
      });
    },

    async delete(organisationId: string, systemId: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const rows = await tx
          .delete(transactableSystems)
          .where(and(eq(transactableSystems.organisationId, organisationId), eq(transactableSystems.systemId, systemId)))
          .returning({ systemId: transactableSystems.systemId });
        if (rows.length > 0) await deleteLinksOf(tx, organisationId, [systemId]);
        return rows.length > 0;
      });
    },
  };
}

export type TransactableSystemRepository = ReturnType<typeof createTransactableSystemRepository>;
