import { pino, type Logger as PinoLogger } from 'pino';

// Query parameters that carry credentials somewhere in our faces (Coord's access_key and jwt,
// account linking's signed state, a 3-D Secure return's client secret).
const SECRET_QUERY_PARAMS = /([?&](?:access_key|api_key|token|jwt|key|secret|password|state|[a-z_]*client_secret)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[REDACTED]');
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

/** The one logger of a process: the HTTP layer and the core write through it. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): PinoLogger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      err: pino.stdSerializers.err,
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { PinoLogger };
