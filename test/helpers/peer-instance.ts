import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { startServer } from '../../src/bootstrap/server.js';
import { createLogger } from '../../src/http/logging.js';
import { databaseUrl, fastHasher, testConfig, type TestApp } from './test-app.js';

export interface PeerInstance {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * A second instance of the service beside t, started through the same composition root: its own
 * services, app, SDK client and (on PostgreSQL) connection pool, on t's database and t's Stripe
 * emulator, with t's secrets, so a token or key t issued works on both. Stripe's webhooks go to t.
 */
export async function startPeerInstance(t: TestApp): Promise<PeerInstance> {
  const config = testConfig({ STRIPE_API_BASE: t.stripeUrl, JWT_SECRET: t.config.jwtSecret, ENCRYPTION_KEY: t.config.encryptionKey.toString('hex') });
  const server = await startServer(config, {
    logger: createLogger(config.logLevel, t.logs),
    hasher: fastHasher,
    // PGlite lives in one process: the peer shares t's handle. PostgreSQL: a pool of its own, as another process would have.
    ...(databaseUrl ? {} : { sharedDatabase: t.database }),
    deliverWebhooks: false,
  });
  return { inject: (options) => server.app.inject(options), close: () => server.close() };
}
