import { createHash } from 'node:crypto';

/** A stable digest of a request's meaningful fields, to tell a retry from a reuse of its key. */
export function requestHash(fields: Record<string, string | number | null>): string {
  const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}
