import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import type { ReconcileReport } from './core/payments/reconcile.js';
import { createServices } from './services.js';
import { connectStripe } from './stripe-connection.js';
import { loadTransactableSystemsFile } from './transactable-systems-file.js';
import { createLogger } from './http/logging.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') });
}

/** The composition root: config → database → Stripe → core services → HTTP app → listen. */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const stripe = await connectStripe(config, log);
  await stripe.registerWebhookEndpoint(`${config.publicUrl}/webhooks/stripe`);
  const built = createServices(config, database.db, { gateway: stripe.gateway, log: log });
  const { organisations } = built.services;
  const { organisation, created } = await organisations.ensureDefaultOrganisation();
  const ctx: AppContext = { config, database, services: built.services, defaultOrganisationId: organisation.id };
  if (config.transactableSystemsFile) {
    const count = await loadTransactableSystemsFile(config.transactableSystemsFile, organisation.id, built.services);
    log.info({ file: config.transactableSystemsFile, systems: count }, 'transactable systems loaded');
  }
  const app = await buildApp(ctx, { logger: log });

  if (config.bootstrapApiKey) {
    await organisations.registerApiKey(organisation.id, config.bootstrapApiKey, 'bootstrap');
    app.log.info('BOOTSTRAP_API_KEY is registered for the default organisation');
  } else if (created) {
    const { key } = await organisations.issueApiKey(organisation.id, 'first start');
    // Printed once, outside the structured log, because no copy of it is kept anywhere.
    process.stderr.write(`\n  paybridge created the default organisation. Its API key (shown only now):\n\n    ${key}\n\n`);
  }

  const url = await app.listen({ host: config.host, port: config.port });
  app.log.info({ database: database.kind, url }, 'paybridge is listening');
  const stopReconciling = scheduleReconciliation(ctx, app);
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () =>
      (closing ??= (async () => {
        stopReconciling();
        await app.close();
        await built.close();
        await stripe.close();
        await database.close();
      })()),
  };
}

/**
 * One reconciliation pass outside the server (the `reconcile` command). With the embedded
 * database the server must be stopped first: PGlite's data directory has one owner at a time.
 */
export async function reconcileOnce(config: Config): Promise<ReconcileReport> {
  const log = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config);
  const stripe = await connectStripe(config, log).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const built = createServices(config, database.db, { gateway: stripe.gateway, log });
  try {
    await database.migrate();
    return await built.services.reconciler.reconcile();
  } finally {
    await built.close();
    await stripe.close();
    await database.close();
  }
}

/** Periodic reconciliation in-process; runs never overlap, and several instances may run it. */
function scheduleReconciliation(ctx: AppContext, app: FastifyInstance): () => void {
  const seconds = ctx.config.payments.reconcileIntervalSeconds;
  if (seconds === 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    ctx.services.reconciler
      .reconcile()
      .catch((error: unknown) => app.log.error({ err: error }, 'reconciliation run failed'))
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
