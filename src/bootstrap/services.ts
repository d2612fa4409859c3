import type { Config } from '../config.js';
import { createDatabaseAttemptCounter } from '../adapters/attempt-counter.database.js';
import { createMemoryAttemptCounter } from '../adapters/attempt-counter.memory.js';
import { createRedisAttemptCounter } from '../adapters/attempt-counter.redis.js';
import { createHttpWebhookSender } from '../adapters/http-webhook-sender.js';
import { createArgon2Hasher } from '../adapters/password-hasher.argon2.js';
import type { PasswordHasher } from '../core/auth/password.js';
import { createCoreServices, type CoreServices, type ServiceOptions } from '../core/services.js';
import type { Database } from '../db/client.js';

export interface ServiceOverrides extends Pick<ServiceOptions, 'gateway' | 'log' | 'exclusive' | 'metrics'> {
  /** Default: argon2id at OWASP's parameters. Tests pass a cheap one where hashing is not what they test. */
  hasher?: PasswordHasher | undefined;
}

/**
 * The core's services on the adapters the configuration names: argon2, HTTP webhooks, and attempt
 * counters shared as widely as the deployment is: in Redis when configured, else in PostgreSQL (every
 * instance on it shares them), else (PGlite: one process owns the data) in that process's memory.
 */
export function createServices(config: Config, db: Database, options: ServiceOverrides): CoreServices {
  const attemptCounter = config.redisUrl
    ? createRedisAttemptCounter(config.redisUrl)
    : config.databaseUrl
      ? createDatabaseAttemptCounter(db)
      : createMemoryAttemptCounter();
  const core = createCoreServices(config, db, {
    ...options,
    hasher: options.hasher ?? createArgon2Hasher(config.passwordHashConcurrency),
    attemptCounter,
    webhookSender: createHttpWebhookSender({ allowPrivate: config.webhooks.allowPrivateUrls }),
  });
  return {
    ...core,
    close: async () => {
      await core.close();
      await attemptCounter.close();
    },
  };
}
