import { pino, type Logger as PinoLogger } from 'pino';
import { withoutCardCredentials } from '../core/redaction.js';

// Query parameters whose values are safe to log (no credentials, no personal data such as emails).
// Every other value is redacted, whatever its name's spelling: a credential under a new or encoded
// name (access%5Fkey, J%57T, jwt[]) stays out of the log.
const LOGGABLE_QUERY_PARAMS = new Set(['limit', 'starting_after', 'system_id', 'redirect_status', 'payment_intent', 'error']);

/**
 * The URL with every query value redacted except known harmless ones, judged by the decoded,
 * lowercased name; and with any card token or client secret withheld, in the path too (a client
 * that sends `pi_…_secret_…` where the id belongs).
 */
export function redactUrl(url: string): string {
  return withoutCardCredentials(redactQuery(url));
}

function redactQuery(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const parts = url
    .slice(queryAt + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const rawName = equals < 0 ? part : part.slice(0, equals);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      // A bare value (`?<token>`) or an odd, long name could itself be the secret.
      if (equals < 0 || !/^[A-Za-z0-9_%[\].-]{1,40}$/.test(rawName)) return '[REDACTED]';
      const keep = LOGGABLE_QUERY_PARAMS.has(name.trim().toLowerCase());
      return `${rawName}=${keep ? part.slice(equals + 1).slice(0, 200) : '[REDACTED]'}`;
    });
  return `${url.slice(0, queryAt)}?${parts.join('&')}`;
}

/** Header and body paths that never reach a log line, whoever logs the object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["cv-api-key"]',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.access_token',
  '*.jwt_token',
  '*.nmiPaymentToken',
  '*.apiKey',
  '*.key',
];

// What drivers attach to an error that holds the values of a statement (drizzle's params,
// PostgreSQL's `detail`: "Key (email)=(…) already exists", `where`, `internalQuery`).
const VALUE_CARRYING_FIELDS = new Set(['params', 'detail', 'where', 'internalQuery', 'parameters']);

/**
 * An error as it may be logged: a failed query keeps its SQL text (placeholders, no values),
 * its name and its SQLSTATE code, never the parameters, which carry password hashes, emails,
 * API-key digests and session ids.
 */
export function withoutQueryValues(error: Error, depth = 0): Error {
  const record = error as Error & Record<string, unknown>;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error & Record<string, unknown>;
  for (const key of Object.keys(error)) if (!VALUE_CARRYING_FIELDS.has(key)) copy[key] = record[key];
  // drizzle's DrizzleQueryError spells the parameters into its message; the driver's own error keeps its message.
  const message = withoutCardCredentials(
    error.message.startsWith('Failed query:') && typeof record.query === 'string' ? `Failed query: ${record.query}` : withoutEchoedValue(error.message, record.code),
  );
  const code = sqlStateOf(error);
  if (code && copy.code === undefined) copy.code = code;
  const header = `${error.name}: ${error.message}`;
  const rawStack = error.stack?.startsWith(header) ? `${error.name}: ${message}${error.stack.slice(header.length)}` : error.stack?.replace(error.message, message);
  const stack = rawStack === undefined ? undefined : withoutCardCredentials(rawStack);
  Object.defineProperty(copy, 'message', { value: message, enumerable: false });
  Object.defineProperty(copy, 'stack', { value: stack, enumerable: false });
  if (error.cause instanceof Error && depth < 10) Object.defineProperty(copy, 'cause', { value: withoutQueryValues(error.cause, depth + 1), enumerable: false });
  return copy;
}

function sqlStateOf(error: Error): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const { code } = e as Error & { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

// PostgreSQL's data exceptions (SQLSTATE class 22) quote the offending value after a colon:
// 'invalid input syntax for type uuid: "…"'. The kind of fault is kept, the value is not.
function withoutEchoedValue(message: string, code: unknown): string {
  if (typeof code !== 'string' || !code.startsWith('22')) return message;
  const colon = message.indexOf(': ');
  return colon === -1 ? message : `${message.slice(0, colon)}: [value withheld]`;
}

const serializeError = (error: unknown) => pino.stdSerializers.err(error instanceof Error ? withoutQueryValues(error) : (error as Error));

/** The one logger of a process: the HTTP layer and the core write through it. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): PinoLogger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      err: serializeError,
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { PinoLogger };
