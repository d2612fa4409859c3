import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type Stripe from 'stripe';
import type { AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { createLogger } from '../../src/http/logging.js';
import { createServices } from '../../src/services.js';
import { connectStripe } from '../../src/stripe-connection.js';
import { LogCapture } from './log-capture.js';

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

/** Which database the suite runs on: PostgreSQL when DATABASE_URL is set, else in-memory PGlite. */
export const databaseUrl = process.env.DATABASE_URL || undefined;

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-test-')),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://paybridge.test',
    RECONCILE_INTERVAL: '0',
    STRIPE_EMULATOR_PORT: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
}

export interface TestAppOptions {
  env?: Record<string, string>;
}

/**
 * A full app on a real database, with its own Stripe emulator reached through the real SDK
 * over HTTP, listening on a free port so webhooks arrive. Each test app gets an organisation
 * of its own, so test files can share one PostgreSQL database without seeing each other's data.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env);
  const logs = new LogCapture();
  const logger = createLogger(config.logLevel, logs);
  const database = await openDatabase({ databaseUrl: config.databaseUrl });
  await database.migrate();
  const stripe = await connectStripe(config, logger);
  const built = createServices(config, database.db, {
    gateway: stripe.gateway,
    log: logger,
  });
  const { organisations } = built.services;
  const { organisation: defaultOrganisation } = await organisations.ensureDefaultOrganisation();
  const organisation = await organisations.createOrganisation(`test ${randomUUID()}`);
  const { key } = await organisations.issueApiKey(organisation.id, 'test');
  logs.secret(key);
  const ctx: AppContext = { config, database, services: built.services, defaultOrganisationId: defaultOrganisation.id };
  const app = await buildApp(ctx, { logger });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await stripe.registerWebhookEndpoint(`${url}/webhooks/stripe`);
  return {
    app,
    ctx,
    config,
    database,
    logs,
    stripe: stripe.client,
    stripeUrl: stripe.apiBase!,
    url,
    apiKey: key,
    organisationId: organisation.id,
    inject: (injectOptions) => app.inject(injectOptions),
    async close() {
      await app.close();
      await built.close();
      await stripe.close();
      await database.close();
    },
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
    t.logs.assertNoSecrets();
    await t.close();
  });
  return t;
}

/** An API key of a second organisation on the same app and database as t. */
export async function secondOrganisationKey(t: TestApp): Promise<string> {
  const { organisations } = t.ctx.services;
  const organisation = await organisations.createOrganisation(`second ${randomUUID()}`);
  return t.logs.secret((await organisations.issueApiKey(organisation.id, 'second')).key);
}
