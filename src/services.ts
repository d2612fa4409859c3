import type { Config } from './config.js';
import type { Services } from './app-context.js';
import { createAccessTokenService } from './core/auth/access-token.js';
import { createAuthenticationService } from './core/auth/authentication.service.js';
import { createLoginThrottle } from './core/auth/login-throttle.js';
import { createArgon2Hasher, type PasswordHasher } from './core/auth/password.js';
import { createMemoryFailureCounter, createRedisFailureCounter, type FailureCounter } from './core/auth/rate-limiter.js';
import { createOrganisationRepository } from './core/organisations/organisation.repository.js';
import { createOrganisationService } from './core/organisations/organisation.service.js';
import { createPaymentProfileRepository } from './core/payment-profiles/payment-profile.repository.js';
import { createUserRepository } from './core/users/user.repository.js';
import { createUserService } from './core/users/user.service.js';
import type { Database } from './db/client.js';

export interface ServiceOptions {
  hasher?: PasswordHasher;
}

export interface BuiltServices {
  services: Services;
  close(): Promise<void>;
}

/** Wires repositories and core services; no HTTP here. */
export function createServices(config: Config, db: Database, options: ServiceOptions = {}): BuiltServices {
  const failureCounter: FailureCounter = config.redisUrl ? createRedisFailureCounter(config.redisUrl) : createMemoryFailureCounter();
  const tokens = createAccessTokenService({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
  });
  const userRepository = createUserRepository(db);
  const organisations = createOrganisationService(createOrganisationRepository(db));
  const users = createUserService({
    users: userRepository,
    profiles: createPaymentProfileRepository(db),
    transaction: (fn) => db.transaction((tx) => fn({ users: createUserRepository(tx), profiles: createPaymentProfileRepository(tx) })),
    hasher: options.hasher ?? createArgon2Hasher(),
    tokens,
    throttle: createLoginThrottle(failureCounter, config.login),
  });
  const authentication = createAuthenticationService({ tokens, users: userRepository, organisations });
  return {
    services: { organisations, users, authentication },
    close: () => failureCounter.close(),
  };
}
