import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { createServices } from '../../src/services.js';
import { LogCapture } from './log-capture.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  database: DatabaseHandle;
  logs: LogCapture;
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
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
}

/**
 * A full app on a real database. Each test app gets an organisation of its own, so test
 * files can share one PostgreSQL database without seeing each other's data.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl });
  await database.migrate();
  const built = createServices(config, database.db);
  const { organisations } = built.services;
  const { organisation: defaultOrganisation } = await organisations.ensureDefaultOrganisation();
  const organisation = await organisations.createOrganisation(`test ${randomUUID()}`);
  const logs = new LogCapture();
  const { key } = await organisations.issueApiKey(organisation.id, 'test');
  logs.secret(key);
  const ctx: AppContext = { config, database, services: built.services, defaultOrganisationId: defaultOrganisation.id };
  const app = await buildApp(ctx, { logStream: logs });
  await app.ready();
  return {
    app,
    ctx,
    config,
    database,
    logs,
    apiKey: key,
    organisationId: organisation.id,
    inject: (options) => app.inject(options),
    async close() {
      await app.close();
      await built.close();
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
