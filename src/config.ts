import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** Which proxies' X-Forwarded-For to believe: false (none), a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string;
  /** Password hashes computed at once; the other cores keep serving during a login flood. */
  passwordHashConcurrency: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  stripe: {
    secretKey: string | undefined;
    apiBase: string | undefined;
    webhookSecret: string | undefined;
    emulatorPort: number;
    timeoutMs: number;
  };
  payments: { defaultAmount: number; defaultCurrency: string; reconcileIntervalSeconds: number; leaseSeconds: number; returnUrl: string };
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
  ['TRANSACTABLE_SYSTEMS_FILE', "JSON array of the default organisation's transactable systems (Coord face), loaded at every start"],
  ['REDIS_URL', 'Redis for shared login rate limits (optional; in-memory otherwise)'],
  ['TRUST_PROXY', 'behind a reverse proxy: true, a hop count, or its addresses/CIDRs, so client addresses (login limits) are the real ones (default false)'],
  ['BODY_LIMIT', 'largest accepted request body in bytes (default 65536)'],
  ['PASSWORD_HASH_CONCURRENCY', 'password hashes computed at once (default: CPU cores - 1, at least 1)'],
  ['LOGIN_MAX_FAILURES_PER_ACCOUNT', 'failed logins allowed per account per window (default 100)'],
  ['LOGIN_MAX_FAILURES_PER_ADDRESS', 'failed logins allowed per client address per window (default 1000)'],
  ['LOGIN_WINDOW_SECONDS', 'rate-limit window in seconds (default 3600)'],
  ['STRIPE_SECRET_KEY', 'Stripe secret key; unset = the built-in Stripe emulator is started'],
  ['STRIPE_API_BASE', 'URL of an already running Stripe emulator to share (e.g. http://127.0.0.1:12111)'],
  ['STRIPE_WEBHOOK_SECRET', 'whsec_ secret of the webhook endpoint pointed at /webhooks/stripe'],
  ['STRIPE_EMULATOR_PORT', 'port of the embedded emulator (default 12111; 0 = any free port)'],
  ['STRIPE_TIMEOUT_MS', 'how long one Stripe call may take before it is retried or failed (default 15000)'],
  ['PAYMENT_DEFAULT_AMOUNT', 'amount of POST /payment when none is given, in minor units (default 2000)'],
  ['PAYMENT_DEFAULT_CURRENCY', 'currency of POST /payment when none is given (default usd)'],
  ['RECONCILE_INTERVAL', 'seconds between in-process reconciliation runs; 0 = off (default 300)'],
  ['PAYMENT_RETURN_URL', 'where the browser returns after a 3-D Secure step (default PUBLIC_URL/payment/return); the same for every instance'],
  ['PAYMENT_LEASE_SECONDS', 'how long a request creating a payment holds it before another request or reconciliation may finish it (default 30)'],
];

export function loadConfig(env: Env = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  const secrets = databaseUrl ? requiredSecrets(env) : embeddedSecrets(env, dataDir);
  const publicUrl = (env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, '');
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
    trustProxy: trustProxyVar(env),
    passwordHashConcurrency: intVar(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 256),
    login: {
      maxFailuresPerAccount: intVar(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 100, 1, 1_000_000),
      maxFailuresPerAddress: intVar(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 1000, 1, 1_000_000),
      windowSeconds: intVar(env, 'LOGIN_WINDOW_SECONDS', 3600, 1, 86_400),
    },
    stripe: {
      secretKey: stripeKeyVar(env),
      apiBase: urlVar(env, 'STRIPE_API_BASE'),
      webhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
      emulatorPort: intVar(env, 'STRIPE_EMULATOR_PORT', 12111, 0, 65535),
      timeoutMs: intVar(env, 'STRIPE_TIMEOUT_MS', 15_000, 100, 120_000),
    },
    payments: {
      defaultAmount: intVar(env, 'PAYMENT_DEFAULT_AMOUNT', 2000, 1, 99_999_999),
      defaultCurrency: currencyVar(env),
      reconcileIntervalSeconds: intVar(env, 'RECONCILE_INTERVAL', 300, 0, 86_400),
      leaseSeconds: intVar(env, 'PAYMENT_LEASE_SECONDS', 30, 1, 3600),
      returnUrl: urlVar(env, 'PAYMENT_RETURN_URL') ?? `${publicUrl}/payment/return`,
    },
  };
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
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
  const key = env.BOOTSTRAP_API_KEY;
  if (!key) return undefined;
  if (key.length < 24) throw new ConfigError('BOOTSTRAP_API_KEY', 'must be at least 24 characters');
  return key;
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
    mkdirSync(dataDir, { recursive: true });
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
