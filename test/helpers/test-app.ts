import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type Stripe from 'stripe';
import { createArgon2Hasher } from '../../src/adapters/password-hasher.argon2.js';
import { startServer } from '../../src/bootstrap/server.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { PasswordHasher } from '../../src/core/auth/password.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import type { AppContext } from '../../src/http/app-context.js';
import { createLogger } from '../../src/http/logging.js';
import { LogCapture } from './log-capture.js';
import { databaseOfThisFile } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  database: DatabaseHandle;
  logs: LogCapture;
  /** The SDK client the service uses, pointed at this test's Stripe emulator. */
  stripe: Stripe;
  /** The emulator's base URL (its control surface lives under /_emulator). */
  stripeUrl: string;
  /** Where the app listens (webhooks from the emulator arrive there). */
  url: string;
  /** An API key of this test's own organisation. */
  apiKey: string;
  organisationId: string;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Which database this file runs on: with DATABASE_URL, a PostgreSQL database of its own on that
 * server (processes it starts inherit it); else in-memory PGlite.
 */
export const databaseUrl = process.env.DATABASE_URL ? await databaseOfThisFile(process.env.DATABASE_URL) : undefined;
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;

/**
 * Real argon2id, at the lowest cost argon2 accepts: the same hash format and verification as
 * production, a thousand times cheaper, so the suite's registrations and logins stay fast.
 */
export const fastHasher = createArgon2Hasher(4, { memoryCost: 8, timeCost: 1, parallelism: 1 });

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-test-')),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://paybridge.test',
    RECONCILE_INTERVAL: '0',
    HOST: '127.0.0.1',
    PORT: '0',
    STRIPE_EMULATOR_PORT: '0',
    // Retries come quickly in tests; every app of a file (one database) retries at the same pace.
    WEBHOOK_RETRY_BASE_SECONDS: '0.2',
    EVENT_MAX_ATTEMPTS: '3',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // On PostgreSQL the emulator must be asked for (production never falls back to fake money).
    ...(databaseUrl && !env.STRIPE_API_BASE && !env.STRIPE_SECRET_KEY ? { DATABASE_URL: databaseUrl, STRIPE_EMULATOR: 'true' } : databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Default: the fast hasher below; a test about password hashing passes the production one. */
  hasher?: PasswordHasher;
  /**
   * false: no webhook worker. For apps whose delivery settings differ from the suite's: on a shared
   * database their worker would claim, and deliver by other rules, other test files' events.
   */
  deliverWebhooks?: boolean;
}

/**
 * A full app on a real database, with its own Stripe emulator reached through the real SDK
 * over HTTP, listening on a free port so webhooks arrive. Each test app gets an organisation
 * of its own, so test files can share one PostgreSQL database without seeing each other's data.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env);
  const logs = new LogCapture();
  const server = await startServer(config, {
    logger: createLogger(config.logLevel, logs),
    hasher: options.hasher ?? fastHasher,
    inMemoryDatabase: true,
    deliverWebhooks: options.deliverWebhooks,
    // PUBLIC_URL names no real host here: the emulator delivers to where this app listens.
    stripeWebhookUrl: (url) => `${url}/webhooks/stripe`,
    onFirstApiKey: (key) => logs.secret(key),
  });
  const { organisations } = server.ctx.services;
  const organisation = await organisations.createOrganisation(`test ${randomUUID()}`);
  const { key } = await organisations.issueApiKey(organisation.id, 'test');
  logs.secret(key);
  return {
    app: server.app,
    ctx: server.ctx,
    config,
    database: server.ctx.database,
    logs,
    stripe: server.stripe.client,
    stripeUrl: server.stripe.apiBase!,
    url: server.url,
    apiKey: key,
    organisationId: organisation.id,
    inject: (injectOptions) => server.app.inject(injectOptions),
    close: () => server.close(),
  };
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@example.com`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * A test app for the whole file: made before its tests (then `prepare` runs, in the same hook:
 * Node 20 does not wait for one root-level before hook to finish before starting the next), and
 * after them its log is checked for secrets and it is closed. The object is filled in when the app exists.
 */
export function useTestApp(options: TestAppOptions = {}, prepare?: (t: TestApp) => Promise<void>): TestApp {
  const t = {} as TestApp;
  before(async () => {
    Object.assign(t, await createTestApp(options));
    await prepare?.(t);
  });
  after(async () => {
    // Closed whatever the check finds: an app left open keeps the test process alive until CI's limit.
    try {
      t.logs.assertNoSecrets();
    } finally {
      await t.close();
    }
  });
  return t;
}

/** An API key of a second organisation on the same app and database as t. */
export async function secondOrganisationKey(t: TestApp): Promise<string> {
  const { organisations } = t.ctx.services;
  const organisation = await organisations.createOrganisation(`second ${randomUUID()}`);
  return t.logs.secret((await organisations.issueApiKey(organisation.id, 'second')).key);
}
