import type { Config } from './config.js';
import type { Services } from './app-context.js';
import { createAccessTokenService } from './core/auth/access-token.js';
import { createAuthenticationService } from './core/auth/authentication.service.js';
import { createLoginThrottle } from './core/auth/login-throttle.js';
import { createArgon2Hasher, type PasswordHasher } from './core/auth/password.js';
import { createMemoryAttemptCounter, createRedisAttemptCounter, type AttemptCounter } from './core/auth/rate-limiter.js';
import { createSecretBox } from './core/crypto/secret-box.js';
import type { Logger } from './core/logger.js';
import { createOrganisationRepository } from './core/organisations/organisation.repository.js';
import { createOrganisationService } from './core/organisations/organisation.service.js';
import { createOrganisationSettingsRepository } from './core/partners/organisation-settings.repository.js';
import { createOrganisationSettingsService } from './core/partners/organisation-settings.service.js';
import { createPartnerIdentityService } from './core/partners/partner-identity.service.js';
import { createPartnerTokenVerifier } from './core/partners/partner-token.verifier.js';
import { createPartnerUserService } from './core/partners/partner-user.service.js';
import { createPaymentProfileRepository } from './core/payment-profiles/payment-profile.repository.js';
import { createPaymentProfileService } from './core/payment-profiles/payment-profile.service.js';
import { createPaymentCreation } from './core/payments/payment-creation.js';
import type { PaymentGateway } from './core/payments/payment-gateway.js';
import { createPaymentRepository } from './core/payments/payment.repository.js';
import { createPaymentService } from './core/payments/payment.service.js';
import { createReconciler } from './core/payments/reconcile.js';
import { createStripeEventRepository } from './core/payments/stripe-event.repository.js';
import { createStripeEventService } from './core/payments/stripe-event.service.js';
import { createAccountLinkRepository } from './core/transactable-systems/account-link.repository.js';
import { createAccountLinkingService } from './core/transactable-systems/account-linking.service.js';
import { createLinkStateCodec } from './core/transactable-systems/link-state.js';
import { createTransactableSystemRepository } from './core/transactable-systems/transactable-system.repository.js';
import { createTransactableSystemService } from './core/transactable-systems/transactable-system.service.js';
import { createUserRepository } from './core/users/user.repository.js';
import { createUserDirectory } from './core/users/user-directory.js';
import { createUserService } from './core/users/user.service.js';
import type { Database } from './db/client.js';

export interface ServiceOptions {
  gateway: PaymentGateway;
  log: Logger;
  hasher?: PasswordHasher;
}

export interface BuiltServices {
  services: Services;
  close(): Promise<void>;
}

/** Wires repositories and core services; no HTTP here. */
export function createServices(config: Config, db: Database, options: ServiceOptions): BuiltServices {
  const { gateway, log } = options;
  const attemptCounter: AttemptCounter = config.redisUrl ? createRedisAttemptCounter(config.redisUrl) : createMemoryAttemptCounter();
  const tokens = createAccessTokenService({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
  });
  const userRepository = createUserRepository(db);
  const profileRepository = createPaymentProfileRepository(db);
  const paymentRepository = createPaymentRepository(db);
  const organisations = createOrganisationService(createOrganisationRepository(db));
  const users = createUserService({
    users: userRepository,
    profiles: profileRepository,
    transaction: (fn) => db.transaction((tx) => fn({ users: createUserRepository(tx), profiles: createPaymentProfileRepository(tx) })),
    hasher: options.hasher ?? createArgon2Hasher(config.passwordHashConcurrency),
    tokens,
    throttle: createLoginThrottle(attemptCounter, config.login),
  });
  const authentication = createAuthenticationService({ tokens, users: userRepository, organisations });
  const secretBox = createSecretBox(config.encryptionKey);
  const profiles = createPaymentProfileService({ profiles: profileRepository, gateway, secretBox, log });
  users.onUserChanged((user) => profiles.syncCustomerDetails(user));

  const { leaseSeconds } = config.payments;
  const creation = createPaymentCreation({ payments: paymentRepository, profiles, gateway, leaseSeconds, maxWaitMs: 20_000 });
  const payments = createPaymentService({
    payments: paymentRepository,
    creation,
    profiles,
    gateway,
    defaults: { amount: config.payments.defaultAmount, currency: config.payments.defaultCurrency },
    returnUrl: config.payments.returnUrl,
  });
  const reconciler = createReconciler({ payments: paymentRepository, creation, paymentService: payments, users: userRepository, gateway, leaseSeconds, log });
  const stripeEvents = createStripeEventService({
    events: createStripeEventRepository(db),
    payments,
    reconciler,
    profiles: profileRepository,
    gateway,
    log,
  });
  const partners = createPartnerServices(config, db, { users, authentication, profiles, organisations });
  return {
    services: { organisations, users, userDirectory: createUserDirectory(db), authentication, profiles, payments, reconciler, stripeEvents, secretBox, ...partners },
    close: () => attemptCounter.close(),
  };
}

// Ten minutes to click Allow or to sign in at a system and come back.
const LINK_STATE_TTL_SECONDS = 600;

/** The partner faces' core (Coord): settings, partner identity, transactable systems and account linking. */
function createPartnerServices(config: Config, db: Database, core: Pick<Services, 'users' | 'authentication' | 'profiles' | 'organisations'>) {
  const partnerSettings = createOrganisationSettingsService(createOrganisationSettingsRepository(db));
  const partnerIdentity = createPartnerIdentityService({
    users: core.users,
    authentication: core.authentication,
    settings: partnerSettings,
    verifier: createPartnerTokenVerifier(),
    ownIssuer: config.jwtIssuer,
  });
  const transactableSystems = createTransactableSystemService({
    systems: createTransactableSystemRepository(db),
    links: createAccountLinkRepository(db),
    profiles: core.profiles,
  });
  const accountLinking = createAccountLinkingService({
    systems: transactableSystems,
    settings: partnerSettings,
    organisations: core.organisations,
    users: core.users,
    codec: createLinkStateCodec({ secret: config.jwtSecret, issuer: config.jwtIssuer, ttlSeconds: LINK_STATE_TTL_SECONDS }),
  });
  const partnerUsers = createPartnerUserService({ users: core.users, profiles: core.profiles, systems: transactableSystems });
  return { partnerSettings, partnerIdentity, transactableSystems, accountLinking, partnerUsers };
}
