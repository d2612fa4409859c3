import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The one typed configuration object. Read from the environment once, validated,
 * and passed down: nothing below this file reads process.env.
 */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  jwtSecret: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  encryptionKey: Buffer;
  bootstrapApiKey: string | undefined;
  redisUrl: string | undefined;
  /** A JSON file with the default organisation's transactable systems, loaded at start. */
  transactableSystemsFile: string | undefined;
  publicUrl: string;
  bodyLimitBytes: number;
  /** How long a client may take to send a request's headers and body. */
  requestTimeoutMs: number;
  /** How long a graceful close lets requests in flight run before it closes their connections. */
  shutdownGraceMs: number;
  /** Which proxies' X-Forwarded-For to believe: false (none), a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string;
  /** Password hashes computed at once; the other cores keep serving during a login flood. */
  passwordHashConcurrency: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; lockdownFailures: number; windowSeconds: number };
  /** Anonymous POST /user/register per client address per window. */
  registration: { maxPerAddress: number; windowSeconds: number };
  /** Authorises /operator/* (organisations); never an organisation's key. */
  operatorApiKey: string | undefined;
  stripe: {
    secretKey: string | undefined;
    apiBase: string | undefined;
    webhookSecret: string | undefined;
    emulatorPort: number;
    timeoutMs: number;
    /** Stripe calls per second background work (reconciliation) may make. */
    maxRps: number;
  };
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** Browser origins allowed by CORS; empty = CORS off (no cross-origin browser access). */
  corsOrigins: string[];
  payments: {
    defaultAmount: number;
    defaultCurrency: string;
    reconcileIntervalSeconds: number;
    leaseSeconds: number;
    returnUrl: string;
    /** An unpaid payment older than this is cancelled at Stripe by reconciliation. */
    abandonAfterSeconds: number;
  };
  events: { retentionDays: number; maxAttempts: number };
  webhooks: WebhookConfig;
}

/** Outbound events to the integrating app (webhook endpoints). */
export interface WebhookConfig {
  /** The first retry waits this long; each next one twice as long. Fractions allowed (tests). */
  retryBaseSeconds: number;
  maxAttempts: number;
  /** Loopback, private and link-local receivers may be used (local development, a trusted network). */
  allowPrivateUrls: boolean;
  /** Production (a shared database): endpoints must use https, except on an allowed private network. */
  requireHttps: boolean;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

/** Every variable the service reads, with its meaning; `paybridge --help` prints this table. */
export const CONFIG_VARIABLES: ReadonlyArray<[name: string, meaning: string]> = [
  ['HOST', 'interface to listen on (default 127.0.0.1)'],
  ['PORT', 'port to listen on (default 3000)'],
  ['PUBLIC_URL', 'base URL clients reach the service at (default http://HOST:PORT)'],
  ['DATA_DIR', 'embedded database, generated secrets and emulator state (default ./data)'],
  ['DATABASE_URL', 'PostgreSQL connection string; unset = embedded PGlite in DATA_DIR'],
  ['LOG_LEVEL', 'fatal|error|warn|info|debug|trace|silent (default info)'],
  ['JWT_SECRET', 'HS256 signing secret, at least 32 characters; required with DATABASE_URL, generated into DATA_DIR otherwise'],
  ['ACCESS_TOKEN_TTL', 'access token lifetime in seconds (default 3600)'],
  ['ENCRYPTION_KEY', '32-byte key (64 hex chars or base64) for data encrypted at rest; required with DATABASE_URL, generated otherwise'],
  ['BOOTSTRAP_API_KEY', 'an API key (>= 24 chars) registered for the default organisation at start'],
  ['OPERATOR_API_KEY', 'operator key (>= 24 chars) for /operator/organisations; unset = operator API off'],
  ['TRANSACTABLE_SYSTEMS_FILE', "JSON array of the default organisation's transactable systems (Coord face), loaded at every start"],
  ['REDIS_URL', 'Redis for shared login rate limits (optional; in-memory otherwise)'],
  ['TRUST_PROXY', 'behind a reverse proxy: true, a hop count, or its addresses/CIDRs, so client addresses (login limits) are the real ones (default false)'],
  ['BODY_LIMIT', 'largest accepted request body in bytes (default 65536)'],
  ['REQUEST_TIMEOUT_MS', 'how long a client may take to send one request, headers and body, before the connection is closed (default 30000)'],
  ['SHUTDOWN_GRACE_MS', 'how long SIGTERM lets requests in flight finish before their connections are closed (default 25000)'],
  ['PASSWORD_HASH_CONCURRENCY', 'password hashes computed at once (default: CPU cores - 1, at least 1)'],
  ['LOGIN_MAX_FAILURES_PER_ACCOUNT', 'failed logins one address may make against one account per window (default 100); past it, addresses that failed against the account are refused'],
  ['LOGIN_MAX_FAILURES_PER_ADDRESS', 'failed logins allowed per client address per window (default 1000)'],
  ['LOGIN_LOCKDOWN_FAILURES', 'failed logins against one account from all addresses per window (default 1000); past it, only networks the account signed in from in the last 30 days may try'],
  ['LOGIN_WINDOW_SECONDS', 'rate-limit window in seconds (default 3600)'],
  ['REGISTER_MAX_PER_ADDRESS', 'anonymous registrations allowed per client address per window (default 20)'],
  ['REGISTER_WINDOW_SECONDS', 'registration rate-limit window in seconds (default 3600)'],
  ['STRIPE_SECRET_KEY', 'Stripe secret key (needs STRIPE_WEBHOOK_SECRET); unset = the built-in Stripe emulator, which with DATABASE_URL must be asked for (STRIPE_EMULATOR=true)'],
  ['STRIPE_EMULATOR', 'true = with DATABASE_URL, run on the built-in Stripe emulator (fake money) instead of STRIPE_SECRET_KEY'],
  ['STRIPE_API_BASE', 'URL of an already running Stripe emulator to share (e.g. http://127.0.0.1:12111)'],
  ['STRIPE_WEBHOOK_SECRET', 'whsec_ secret of the webhook endpoint pointed at /webhooks/stripe'],
  ['STRIPE_EMULATOR_PORT', 'port of the embedded emulator (default 12111; 0 = any free port)'],
  ['STRIPE_TIMEOUT_MS', 'how long one Stripe call may take before it is retried or failed (default 15000)'],
  ['PAYMENT_DEFAULT_AMOUNT', 'amount of POST /payment when none is given, in minor units (default 2000)'],
  ['PAYMENT_DEFAULT_CURRENCY', 'currency of POST /payment when none is given (default usd)'],
  ['RECONCILE_INTERVAL', 'seconds between in-process reconciliation runs; 0 = off (default 300)'],
  ['PAYMENT_RETURN_URL', 'where the browser returns after a 3-D Secure step (default PUBLIC_URL/payment/return); the same for every instance'],
  ['PAYMENT_LEASE_SECONDS', 'how long a request running a money operation holds it before another request or reconciliation may finish it (default 30)'],
  ['PAYMENT_ABANDON_AFTER', 'an unpaid payment older than this is cancelled at Stripe by reconciliation: seconds, or 30m, 12h, 7d (default 7d)'],
  ['STRIPE_MAX_RPS', 'Stripe calls per second reconciliation may make, leaving the rest of the account limit to requests (default 20)'],
  ['EVENT_RETENTION_DAYS', 'processed Stripe events and finished operations keys are deleted after this many days (default 30)'],
  ['EVENT_MAX_ATTEMPTS', 'attempts to apply a Stripe event (backing off 1 s, 2 s, 4 s, … up to 1 h) before it is dead-lettered (default 12)'],
  ['WEBHOOK_RETRY_BASE_SECONDS', 'wait before the first retry of a failed event delivery; each next wait doubles (default 30; fractions allowed)'],
  ['WEBHOOK_MAX_ATTEMPTS', 'attempts per event delivery before it is marked failed (default 12)'],
  ['WEBHOOK_ALLOW_PRIVATE_URLS', 'true = webhook endpoints may be loopback or private addresses (default: true without DATABASE_URL, false with it)'],
  ['METRICS_TOKEN', 'when set, GET /metrics requires Authorization: Bearer <token> (default: open)'],
  ['CORS_ORIGINS', 'comma-separated browser origins allowed to call the API, e.g. https://app.example.com (default: none, CORS off)'],
];

export function loadConfig(env: Env = process.env): Config {
  const host = hostVar(env);
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR || './data');
  const databaseUrl = databaseUrlVar(env);
  const secrets = databaseUrl ? requiredSecrets(env) : embeddedSecrets(env, dataDir);
  const publicUrl = urlVar(env, 'PUBLIC_URL') ?? `http://${host}:${port}`;
  return {
    host,
    port,
    dataDir,
    databaseUrl,
    logLevel: logLevelVar(env),
    jwtSecret: secrets.jwtSecret,
    jwtIssuer: 'paybridge',
    jwtAudience: 'paybridge-api',
    accessTokenTtlSeconds: intVar(env, 'ACCESS_TOKEN_TTL', 3600, 60, 86_400 * 30),
    encryptionKey: secrets.encryptionKey,
    bootstrapApiKey: bootstrapKeyVar(env),
    redisUrl: env.REDIS_URL || undefined,
    transactableSystemsFile: env.TRANSACTABLE_SYSTEMS_FILE ? resolve(env.TRANSACTABLE_SYSTEMS_FILE) : undefined,
    publicUrl,
    bodyLimitBytes: intVar(env, 'BODY_LIMIT', 65_536, 1024, 10 * 1024 * 1024),
    requestTimeoutMs: intVar(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    shutdownGraceMs: intVar(env, 'SHUTDOWN_GRACE_MS', 25_000, 100, 600_000),
    trustProxy: trustProxyVar(env),
    passwordHashConcurrency: intVar(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 256),
    login: {
      maxFailuresPerAccount: intVar(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 100, 1, 1_000_000),
      maxFailuresPerAddress: intVar(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 1000, 1, 1_000_000),
      lockdownFailures: intVar(env, 'LOGIN_LOCKDOWN_FAILURES', 1000, 1, 10_000_000),
      windowSeconds: intVar(env, 'LOGIN_WINDOW_SECONDS', 3600, 1, 86_400),
    },
    registration: {
      maxPerAddress: intVar(env, 'REGISTER_MAX_PER_ADDRESS', 20, 1, 1_000_000),
      windowSeconds: intVar(env, 'REGISTER_WINDOW_SECONDS', 3600, 1, 86_400),
    },
    operatorApiKey: longSecretVar(env, 'OPERATOR_API_KEY'),
    stripe: {
      ...stripeVars(env, databaseUrl),
      emulatorPort: intVar(env, 'STRIPE_EMULATOR_PORT', 12111, 0, 65535),
      timeoutMs: intVar(env, 'STRIPE_TIMEOUT_MS', 15_000, 100, 120_000),
      maxRps: intVar(env, 'STRIPE_MAX_RPS', 20, 1, 10_000),
    },
    metricsToken: env.METRICS_TOKEN || undefined,
    corsOrigins: corsOriginsVar(env),
    payments: {
      defaultAmount: intVar(env, 'PAYMENT_DEFAULT_AMOUNT', 2000, 1, 99_999_999),
      defaultCurrency: currencyVar(env),
      reconcileIntervalSeconds: intVar(env, 'RECONCILE_INTERVAL', 300, 0, 86_400),
      leaseSeconds: intVar(env, 'PAYMENT_LEASE_SECONDS', 30, 1, 3600),
      returnUrl: urlVar(env, 'PAYMENT_RETURN_URL') ?? `${publicUrl}/payment/return`,
      abandonAfterSeconds: durationVar(env, 'PAYMENT_ABANDON_AFTER', 7 * 86_400),
    },
    events: {
      retentionDays: intVar(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
      maxAttempts: intVar(env, 'EVENT_MAX_ATTEMPTS', 12, 1, 100),
    },
    webhooks: webhookVars(env, databaseUrl !== undefined),
  };
}

function hostVar(env: Env): string {
  const host = env.HOST || '127.0.0.1';
  if (isIP(host) !== 0) return host;
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(host) || !URL.canParse(`http://${host}`)) {
    throw new ConfigError('HOST', `must be an IP address or a host name of this machine, got "${host}"`);
  }
  return host;
}

function databaseUrlVar(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (!raw) return undefined;
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below, without echoing a URL that may hold a password
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// connection string');
  return raw;
}

function webhookVars(env: Env, production: boolean): WebhookConfig {
  return {
    retryBaseSeconds: secondsVar(env, 'WEBHOOK_RETRY_BASE_SECONDS', 30, 0.01, 86_400),
    maxAttempts: intVar(env, 'WEBHOOK_MAX_ATTEMPTS', 12, 1, 50),
    allowPrivateUrls: booleanVar(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', !production),
    requireHttps: production,
  };
}

function secondsVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `must be a number of seconds, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function booleanVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration in seconds: a whole number of seconds, or with a unit (30m, 12h, 7d). */
function durationVar(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) throw new ConfigError(name, `must be a duration such as 3600, 30m, 12h or 7d, got "${raw}"`);
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  if (seconds < 60 || seconds > 3650 * 86_400) throw new ConfigError(name, `must be between 1 minute and 10 years, got "${raw}"`);
  return seconds;
}

function logLevelVar(env: Env): Config['logLevel'] {
  const level = env.LOG_LEVEL || 'info';
  const allowed = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const found = allowed.find((l) => l === level);
  if (!found) throw new ConfigError('LOG_LEVEL', `must be one of ${allowed.join(', ')}`);
  return found;
}

function trustProxyVar(env: Env): boolean | number | string {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (!/^[0-9a-fA-F:.,/ ]+$/.test(raw)) throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count, or a comma-separated list of addresses or CIDRs');
  return raw;
}

function bootstrapKeyVar(env: Env): string | undefined {
  return longSecretVar(env, 'BOOTSTRAP_API_KEY');
}

/** A key given in the environment: at least 24 characters; the error never repeats its value. */
function longSecretVar(env: Env, name: string): string | undefined {
  const key = env[name];
  if (!key) return undefined;
  if (key.length < 24) throw new ConfigError(name, 'must be at least 24 characters');
  return key;
}

/**
 * Which Stripe the service talks to. A deployment on a shared database is production until it
 * says otherwise: it never falls back to the emulator (fake money) because a key was forgotten,
 * and a real key needs the webhook secret, or every delivery would be refused.
 */
function stripeVars(env: Env, databaseUrl: string | undefined): Pick<Config['stripe'], 'secretKey' | 'apiBase' | 'webhookSecret'> {
  const secretKey = stripeKeyVar(env);
  const apiBase = urlVar(env, 'STRIPE_API_BASE');
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || undefined;
  const emulatorAsked = booleanVar(env, 'STRIPE_EMULATOR', false);
  if (emulatorAsked && (secretKey || apiBase)) throw new ConfigError('STRIPE_EMULATOR', 'cannot be true together with STRIPE_SECRET_KEY or STRIPE_API_BASE');
  if (databaseUrl && !secretKey && !apiBase && !emulatorAsked) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      'is required when DATABASE_URL is set (or STRIPE_API_BASE for a shared Stripe emulator, or STRIPE_EMULATOR=true to take emulated payments only)',
    );
  }
  if (secretKey && !apiBase && !webhookSecret) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET', "is required with STRIPE_SECRET_KEY: the whsec_ secret of the endpoint pointed at /webhooks/stripe");
  }
  return { secretKey, apiBase, webhookSecret };
}

function stripeKeyVar(env: Env): string | undefined {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return undefined;
  if (!/^(sk|rk)_(test|live)_/.test(key)) throw new ConfigError('STRIPE_SECRET_KEY', 'must start with sk_test_, sk_live_, rk_test_ or rk_live_');
  return key;
}

function urlVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
}

function corsOriginsVar(env: Env): string[] {
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    // An origin is scheme://host[:port] exactly: a path, a wildcard or a typo would silently match nothing (or too much).
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', `must list origins like https://app.example.com (no path, no trailing slash), got "${origin}"`);
    }
  }
  return origins;
}

function currencyVar(env: Env): string {
  const raw = (env.PAYMENT_DEFAULT_CURRENCY || 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(raw)) throw new ConfigError('PAYMENT_DEFAULT_CURRENCY', 'must be a three-letter ISO currency code');
  return raw;
}

interface Secrets {
  jwtSecret: string;
  encryptionKey: Buffer;
}

function parseJwtSecret(raw: string): string {
  if (raw.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  return raw;
}

function parseEncryptionKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('ENCRYPTION_KEY', 'must be 32 bytes, as 64 hex characters or base64');
  return key;
}

// Several instances share one PostgreSQL database, so they must share these secrets:
// generating them per instance would make each instance reject the others' tokens.
function requiredSecrets(env: Env): Secrets {
  if (!env.JWT_SECRET) throw new ConfigError('JWT_SECRET', 'is required when DATABASE_URL is set');
  if (!env.ENCRYPTION_KEY) throw new ConfigError('ENCRYPTION_KEY', 'is required when DATABASE_URL is set');
  return { jwtSecret: parseJwtSecret(env.JWT_SECRET), encryptionKey: parseEncryptionKey(env.ENCRYPTION_KEY) };
}

/** Embedded mode: secrets not given are generated once and kept in DATA_DIR/secrets.json (mode 0600). */
function embeddedSecrets(env: Env, dataDir: string): Secrets {
  const file = join(dataDir, 'secrets.json');
  const stored = readStoredSecrets(file);
  const generated = {
    jwtSecret: stored.jwtSecret ?? randomBytes(48).toString('base64url'),
    encryptionKey: stored.encryptionKey ?? randomBytes(32).toString('hex'),
  };
  if (stored.jwtSecret === undefined || stored.encryptionKey === undefined) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    jwtSecret: parseJwtSecret(env.JWT_SECRET || generated.jwtSecret),
    encryptionKey: parseEncryptionKey(env.ENCRYPTION_KEY || generated.encryptionKey),
  };
}

function readStoredSecrets(file: string): { jwtSecret?: string; encryptionKey?: string } {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { jwtSecret, encryptionKey } = parsed as Record<string, unknown>;
    return {
      ...(typeof jwtSecret === 'string' ? { jwtSecret } : {}),
      ...(typeof encryptionKey === 'string' ? { encryptionKey } : {}),
    };
  } catch {
    throw new ConfigError('DATA_DIR', `holds an unreadable ${file}; fix or remove it`);
  }
}
