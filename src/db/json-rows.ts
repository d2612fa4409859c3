import { sql, type Placeholder } from 'drizzle-orm';

/** The type a field of a JSON row is read as; a trailing '?' lets it be null. */
type FieldType = 'text' | 'integer' | 'double precision' | 'timestamptz' | 'jsonb';
export type JsonRowFields = Record<string, FieldType | `${FieldType}?`>;

type ValueOf<T> = T extends `${infer B}?` ? ValueOf<B> | null : T extends 'integer' | 'double precision' ? number : T extends 'jsonb' ? unknown : string;

/** A row as JavaScript sends it for `fields` (a timestamptz as its ISO string). */
export type JsonRow<F extends JsonRowFields> = { [K in keyof F]: ValueOf<F[K]> };

/**
 * The rows a statement takes as one JSON parameter, as the relation `alias`: each field read as
 * its declared type. One declaration gives both the SQL and the rows' type, so they cannot drift.
 */
export function jsonRows(parameter: Placeholder, fields: JsonRowFields, alias: string) {
  const columns = Object.entries(fields).map(([name, type]) => `${name} ${type.replace(/\?$/, '')}`);
  return sql`jsonb_to_recordset(${parameter}::jsonb) as ${sql.raw(alias)}(${sql.raw(columns.join(', '))})`;
}
