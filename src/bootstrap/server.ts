import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/app-context.js';
import { buildApp } from './app.js';
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/client.js';
import type { ReconcileReport } from '../core/payments/reconcile.js';
import { createServices } from './services.js';
import { connectStripe, type StripeConnection } from './stripe-connection.js';
import { loadTransactableSystemsFile } from './transactable-systems-file.js';
import { createLogger, type PinoLogger } from '../http/logging.js';
import type { PasswordHasher } from '../core/auth/password.js';
import { blame, describeDatabaseFault, describeListenFault } from './startup-errors.js';
import { createMetrics } from '../adapters/metrics.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** What the faces were given (services, database, config): tests reach the core through it. */
  ctx: AppContext;
  stripe: StripeConnection;
  close(): Promise<void>;
}

/**
 * What a caller other than `paybridge serve` may choose; everything else is wired the one way.
 * Tests use these; production passes none.
 */
export interface StartOverrides {
  /** The process's logger (tests capture its lines); default: createLogger(LOG_LEVEL). */
  logger?: PinoLogger;
  /** Default: argon2id at OWASP's parameters. */
  hasher?: PasswordHasher;
  /** PGlite in memory rather than in DATA_DIR (without DATABASE_URL). */
  inMemoryDatabase?: boolean;
  /**
   * An open, migrated database to share (a second instance in the same process: PGlite has one
   * owner per process); the caller keeps it, so close() leaves it open.
   */
  sharedDatabase?: DatabaseHandle;
  /** false: the outbound webhook worker is not started. */
  deliverWebhooks?: boolean;
  /** Where emulated Stripe delivers its events, given the URL listened on; default PUBLIC_URL/webhooks/stripe. */
  stripeWebhookUrl?: (listenUrl: string) => string;
  /** Told the default organisation's first API key; default: printed once on stderr. */
  onFirstApiKey?: (key: string) => void;
}

export async function openConfiguredDatabase(config: Config, inMemory = false): Promise<DatabaseHandle> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: inMemory ? undefined : join(config.dataDir, 'pglite') });
}

/** The configured database, reachable and migrated; a fault names DATABASE_URL. */
export async function openMigratedDatabase(config: Config, inMemory = false): Promise<DatabaseHandle> {
  const database = await openConfiguredDatabase(config, inMemory);
  const url = config.databaseUrl;
  if (!url) {
    await database.migrate();
    return database;
  }
  return blame(
    async () => {
      await database.migrate();
      return database;
    },
    (error) => {
      void database.close().catch(() => undefined);
      return describeDatabaseFault(error, url);
    },
  );
}

/** The composition root: config → database → Stripe → core services → HTTP app → listen. */
export async function startServer(config: Config, overrides: StartOverrides = {}): Promise<RunningServer> {
  const log = overrides.logger ?? createLogger(config.logLevel);
  const database = overrides.sharedDatabase ?? (await openMigratedDatabase(config, overrides.inMemoryDatabase));
  const metrics = createMetrics();
  const stripe = await connectStripe(config, log, { metrics });
  const built = createServices(config, database.db, { gateway: stripe.gateway, log, exclusive: database.exclusive, metrics, hasher: overrides.hasher });
  const { organisation, created } = await built.services.organisations.ensureDefaultOrganisation();
  const ctx: AppContext = { config, database, services: built.services, defaultOrganisationId: organisation.id, metrics };
  if (config.transactableSystemsFile) {
    const count = await loadTransactableSystemsFile(config.transactableSystemsFile, organisation.id, built.services);
    log.info({ file: config.transactableSystemsFile, systems: count }, 'transactable systems loaded');
  }
  const app = await buildApp(ctx, { logger: log });
  await registerFirstApiKey(ctx, app, created, overrides.onFirstApiKey);

  const url = await blame(
    () => app.listen({ host: config.host, port: config.port }),
    (error) => describeListenFault(error, 'PORT', config.host, config.port),
  );
  app.log.info({ database: database.kind, url }, 'paybridge is listening');
  await stripe.registerWebhookEndpoint(overrides.stripeWebhookUrl?.(url) ?? `${config.publicUrl}/webhooks/stripe`);
  const stopReconciling = scheduleReconciliation(ctx, app);
  built.services.eventWorker.start();
  if (overrides.deliverWebhooks !== false) built.webhookWorker.start();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopReconciling();
      await app.close();
      await built.close();
      await stripe.close();
      if (database !== overrides.sharedDatabase) await database.close();
    })());
  return { app, url, ctx, stripe, close };
}

/** BOOTSTRAP_API_KEY, or on the very first start a key of the default organisation, handed out once. */
async function registerFirstApiKey(ctx: AppContext, app: FastifyInstance, created: boolean, onFirstApiKey = printFirstApiKey): Promise<void> {
  const { organisations } = ctx.services;
  if (ctx.config.bootstrapApiKey) {
    await organisations.registerApiKey(ctx.defaultOrganisationId, ctx.config.bootstrapApiKey, 'bootstrap');
    app.log.info('BOOTSTRAP_API_KEY is registered for the default organisation');
  } else if (created) {
    onFirstApiKey((await organisations.issueApiKey(ctx.defaultOrganisationId, 'first start')).key);
  }
}

// Printed once, outside the structured log, because no copy of it is kept anywhere.
function printFirstApiKey(key: string): void {
  process.stderr.write(`\n  paybridge created the default organisation. Its API key (shown only now):\n\n    ${key}\n\n`);
}

/**
 * One reconciliation pass outside the server (the `reconcile` command). With the embedded
 * database the server must be stopped first: PGlite's data directory has one owner at a time.
 * Beside a running deployment on the emulator it uses that deployment's emulator (recorded in
 * DATA_DIR, or on STRIPE_EMULATOR_PORT) rather than starting a second one on the same port.
 */
export async function reconcileOnce(config: Config): Promise<ReconcileReport> {
  const log = createLogger(config.logLevel);
  const database = await openMigratedDatabase(config);
  const stripe = await connectStripe(config, log, { shareRunningEmulator: true }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const built = createServices(config, database.db, { gateway: stripe.gateway, log, exclusive: database.exclusive });
  try {
    return await built.services.reconciler.reconcile();
  } finally {
    await built.close();
    await stripe.close();
    await database.close();
  }
}

/** Periodic reconciliation in-process; runs never overlap, and several instances may run it. */
// The first pass soon after start: what a crash left unsettled (Stripe events that were lost while
// the instance was down, calls whose answers never arrived) is due now, not an interval later.
const FIRST_PASS_AFTER_MS = 1000;

function scheduleReconciliation(ctx: AppContext, app: FastifyInstance): () => void {
  const seconds = ctx.config.payments.reconcileIntervalSeconds;
  if (seconds === 0) return () => undefined;
  let running = false;
  const pass = () => {
    if (running) return;
    running = true;
    ctx.services.reconciler
      .reconcile()
      .catch((error: unknown) => app.log.error({ err: error }, 'reconciliation run failed'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(pass, FIRST_PASS_AFTER_MS);
  const timer = setInterval(pass, seconds * 1000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
