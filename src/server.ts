import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import { createServices } from './services.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') });
}

/** The composition root: config → database → core services → HTTP app → listen. */
export async function startServer(config: Config): Promise<RunningServer> {
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const built = createServices(config, database.db);
  const { organisations } = built.services;
  const { organisation, created } = await organisations.ensureDefaultOrganisation();
  const ctx: AppContext = { config, database, services: built.services, defaultOrganisationId: organisation.id };
  const app = await buildApp(ctx);

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
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await built.close();
        await database.close();
      })()),
  };
}
