/**
 * What the rest of the service may know about a database failure, whichever driver raised
 * it (node-postgres, PGlite) and however drizzle wrapped it.
 */

const causes = function* (error: unknown): Generator<Error & Record<string, unknown>> {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) yield e as Error & Record<string, unknown>;
};

/** PostgreSQL's unique_violation, optionally of one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (const e of causes(error)) {
    if (e.code === '23505') return constraint === undefined || e.constraint === constraint || e.message.includes(constraint);
  }
  return false;
}

// Socket-level failures reaching the server, and SQLSTATEs saying the server cannot serve now:
// class 08 (connection exception), 57P01-57P03 (shutting down, cannot connect now), 53300 (too many connections).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300)$/;
// node-postgres reports a dropped or timed-out connection by message only.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/** The database could not be reached or dropped the connection: a retry later may succeed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code) || UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}
