import { getTableColumns, is, sql, SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * The select list of an insert … select into `table`: every column in the table's order (what
 * insert … select requires), each the SQL given for it or else the column's default as the
 * schema declares it (null when it has none; one computed in JavaScript must be given), cast to the column's type.
 */
export function valuesInTableOrder<T extends PgTable>(table: T, given: Partial<Record<keyof T['_']['columns'], SQL>>): SQL {
  const columns = Object.entries(getTableColumns(table)) as Array<[keyof T['_']['columns'], PgColumn]>;
  return sql.join(
    columns.map(([name, column]) => given[name] ?? defaultOf(column)),
    sql`, `,
  );
}

function defaultOf(column: PgColumn): SQL {
  // A default computed in JavaScript is not the database's to fill in: the caller must give it.
  if (column.defaultFn !== undefined) throw new Error(`valuesInTableOrder: ${column.name} has a JavaScript default and must be given`);
  const type = sql.raw(column.getSQLType());
  if (column.default === undefined) return sql`null::${type}`;
  return is(column.default, SQL) ? column.default : sql`${column.default}::${type}`;
}
