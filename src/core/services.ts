import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { createAccessTokenService } from './auth/access-token.js';
import { createAuthenticationService, type AuthenticationService } from './auth/authentication.service.js';
import { createKnownNetworksRepository } from './auth/known-networks.repository.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import type { PasswordHasher } from './auth/password.js';
import type { AttemptCounter } from './auth/rate-limiter.js';
import { createCustomerBindingCheck } from './users/customer-binding.js';
import { createSecretBox } from './crypto/secret-box.js';
import type { Logger } from './logger.js';
import { createOrganisationRepository } from './organisations/organisation.repository.js';
import { createOrganisationService, type OrganisationService } from './organisations/organisation.service.js';
import { createOrganisationSettingsRepository } from './partners/organisation-settings.repository.js';
import { createOrganisationSettingsService } from './partners/organisation-settings.service.js';
import { createPartnerIdentityService } from './partners/partner-identity.service.js';
import { createPartnerTokenVerifier } from './partners/partner-token.verifier.js';
import { createPartnerUserService } from './partners/partner-user.service.js';
import { createPaymentProfileRepository } from './payment-profiles/payment-profile.repository.js';
import { createPaymentProfileService } from './payment-profiles/payment-profile.service.js';
import { createOperations } from './payments/operation.js';
import { createPacer, pacedGateway } from './payments/pacer.js';
import { createPaymentCapture, type CaptureDeps } from './payments/payment-capture.js';
import { createPaymentConfirmation } from './payments/payment-confirmation.js';
import { createPaymentRefunds } from './payments/payment-refunds.js';
import { createRefundRepository, type RefundRepository } from './payments/refund.repository.js';
import { createPaymentCreation } from './payments/payment-creation.js';
import type { PaymentGateway } from './payments/payment-gateway.js';
import { createPaymentRepository } from './payments/payment.repository.js';
import { createPaymentService } from './payments/payment.service.js';
import { createReconciler } from './payments/reconcile.js';
import { createStripeEventRepository } from './payments/stripe-event.repository.js';
import { createStripeEventService } from './payments/stripe-event.service.js';
import { createEventWorker } from './payments/stripe-event.worker.js';
import { createAccountLinkRepository } from './transactable-systems/account-link.repository.js';
import { createAccountLinkingService } from './transactable-systems/account-linking.service.js';
import { createLinkStateCodec, LINK_STATE_TTL_SECONDS } from './transactable-systems/link-state.js';
import { createLinkProof, createLinkStateUses } from './transactable-systems/link-proof.js';
import { createTransactableSystemRepository } from './transactable-systems/transactable-system.repository.js';
import { createTransactableSystemService } from './transactable-systems/transactable-system.service.js';
import { createUserRepository } from './users/user.repository.js';
import { createUserDirectory } from './users/user-directory.js';
import { createUserService, type UserService } from './users/user.service.js';
import type { Database } from '../db/client.js';
import { createDeliveryWorker, type DeliveryWorker } from './events/delivery-worker.js';
import { eventRecorder } from './events/outbox.js';
import { createWebhookDeliveryRepository } from './events/webhook-delivery.repository.js';
import { createWebhookEndpointRepository } from './events/webhook-endpoint.repository.js';
import { createWebhookEndpointService } from './events/webhook-endpoint.service.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Gauges } from './gauges.js';
import type { WebhookSender } from './events/webhook-sender.js';
import type { PaymentProfileService } from './payment-profiles/payment-profile.service.js';

/** What the core needs from outside; the composition root (src/bootstrap/) chooses each. */
export interface ServiceOptions {
  gateway: PaymentGateway;
  log: Logger;
  hasher: PasswordHasher;
  /** The login and registration limits' counters (memory, or Redis shared by every instance). */
  attemptCounter: AttemptCounter;
  /** Delivers outbound webhooks. */
  webhookSender: WebhookSender;
  /** Cross-instance exclusion for reconciliation (DatabaseHandle.exclusive); default: none. */
  exclusive?: <T>(lockId: number, fn: () => Promise<T>) => Promise<T | undefined>;
  /** Where the core's gauges (the reconciliation backlog, the event queues' backlog and lag) are published. */
  metrics?: Gauges;
}

// Any constant: the same for every instance sharing a database.
const RECONCILE_LOCK_ID = 7_236_114_502;
const EVENT_POLL_MS = 1000;

/** One lock for a pass over all payments, one per organisation for its own (they never wait on each other's). */
function reconcileLockId(organisationId: string | undefined): number {
  if (organisationId === undefined) return RECONCILE_LOCK_ID;
  return RECONCILE_LOCK_ID + 1 + (createHash('sha256').update(organisationId).digest().readUInt32BE(0) % 1_000_000_000);
}

/** The core's services, as createCoreServices builds them: what every face is given. */
export type Services = CoreServices['services'];

export interface CoreServices {
  services: ReturnType<typeof assembleServices>['services'];
  /** Delivers the outbox; the composition root starts it, close() stops it. */
  webhookWorker: DeliveryWorker;
  /** Stops the workers (the adapters passed in are their owner's to close). */
  close(): Promise<void>;
}

/** Wires repositories and core services from the adapters given; no HTTP and no driver here. */
export function createCoreServices(config: Config, db: Database, options: ServiceOptions): CoreServices {
  const { services, webhookWorker } = assembleServices(config, db, options);
  return {
    services,
    webhookWorker,
    close: async () => {
      await services.reconciler.stop();
      await webhookWorker.stop();
      await services.eventWorker.stop();
    },
  };
}

function assembleServices(config: Config, db: Database, options: ServiceOptions) {
  const { gateway, log, attemptCounter } = options;
  const tokens = createAccessTokenService({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
  });
  const userRepository = createUserRepository(db);
  const profileRepository = createPaymentProfileRepository(db);
  const organisations = createOrganisationService(createOrganisationRepository(db));
  const settingsRepository = createOrganisationSettingsRepository(db);
  const users = createUserService({
    users: userRepository,
    profiles: profileRepository,
    transaction: (fn) => db.transaction((tx) => fn({ users: createUserRepository(tx), profiles: createPaymentProfileRepository(tx), recordEvent: eventRecorder(tx) })),
    hasher: options.hasher,
    tokens,
    throttle: createLoginThrottle(attemptCounter, createKnownNetworksRepository(db), config.login, config.registration),
    registrationOpen: async (organisationId) => (await settingsRepository.find(organisationId))?.publicRegistration ?? true,
    verifyCustomerBinding: createCustomerBindingCheck(gateway, async (organisationId) => (await organisations.findOrganisation(organisationId))?.isDefault === true),
  });
  const authentication = createAuthenticationService({ tokens, users: userRepository, organisations });
  const secretBox = createSecretBox(config.encryptionKey);
  const profiles = createPaymentProfileService({ profiles: profileRepository, gateway, secretBox, log });
  users.onUserChanged((user) => profiles.syncCustomerDetails(user));

  const { payments, reconciler, stripeEvents, eventWorker } = createPaymentServices(config, db, { ...options, profiles, users: userRepository, profileRepository });
  // In the background: the deletion is answered at once, and a payment not settled now stays due for the passes.
  users.onUserDeleted((user) => {
    reconciler.settleDeletedUser(user.organisationId, user.id).catch((error: unknown) => log.warn({ err: error, userId: user.id }, "settling a deleted user's payments failed; reconciliation will"));
  });
  const partners = createPartnerServices(config, db, { users, authentication, profiles, organisations });
  const { webhookWorker, webhookEndpoints } = createWebhookServices(config, db, { secretBox, log, sender: options.webhookSender, metrics: options.metrics });
  return {
    services: { organisations, users, userDirectory: createUserDirectory(db), authentication, profiles, payments, reconciler, stripeEvents, eventWorker, secretBox, webhookEndpoints, ...partners },
    webhookWorker,
  };
}

/** Payments: the operation primitive, creation and confirmation on it, reconciliation, and the event queue. */
function createPaymentServices(
  config: Config,
  db: Database,
  deps: ServiceOptions & { profiles: PaymentProfileService; users: ReturnType<typeof createUserRepository>; profileRepository: ReturnType<typeof createPaymentProfileRepository> },
) {
  const { gateway, log, profiles } = deps;
  const { leaseSeconds } = config.payments;
  const paymentRepository = createPaymentRepository(db);
  const operations = createOperations({ db, leaseSeconds, maxWaitMs: 20_000 });
  const creationWith = (g: typeof gateway) => createPaymentCreation({ db, payments: paymentRepository, operations, profiles, gateway: g, leaseSeconds, log });
  const creation = creationWith(gateway);
  const refundRepository = createRefundRepository(db);
  const confirmation = createPaymentConfirmation({ payments: paymentRepository, operations, gateway, refunds: refundRepository, returnUrl: config.payments.returnUrl });
  const payments = createPaymentService({
    payments: paymentRepository,
    creation,
    confirmation,
    ...createLifecycleServices({ payments: paymentRepository, operations, gateway, refundRepository }),
    profiles,
    gateway,
    defaults: { amount: config.payments.defaultAmount, currency: config.payments.defaultCurrency },
  });
  const pacer = createPacer(config.stripe.maxRps);
  const paced = pacedGateway(gateway, pacer);
  const exclusive = deps.exclusive ?? (<T>(_lockId: number, fn: () => Promise<T>) => fn());
  const reconciler = createReconciler({
    payments: paymentRepository,
    creation: creationWith(paced),
    users: deps.users,
    gateway: paced,
    pacer,
    exclusive: (fn, organisationId) => exclusive(reconcileLockId(organisationId), fn),
    abandonAfterSeconds: config.payments.abandonAfterSeconds,
    log,
  });
  const eventRepository = createStripeEventRepository(db);
  let onQueued = (_eventId: string): void => undefined;
  const stripeEvents = createStripeEventService({
    events: eventRepository,
    payments,
    paymentRecords: paymentRepository,
    reconciler,
    profiles: deps.profileRepository,
    gateway,
    log,
    onQueued: (eventId) => onQueued(eventId),
  });
  const eventWorker = createEventWorker({
    events: eventRepository,
    operations: operations.repository,
    service: stripeEvents,
    log,
    maxAttempts: config.events.maxAttempts,
    retentionDays: config.events.retentionDays,
    pollMs: EVENT_POLL_MS,
  });
  onQueued = (eventId) => void eventWorker.processNow(eventId);
  deps.metrics?.gaugeOnScrape('paybridge_reconciliation_backlog_intents', 'Payments whose Stripe intent is not final yet (reconciliation refreshes them)', () =>
    paymentRepository.countUnsettled('intents'),
  );
  deps.metrics?.gaugeOnScrape('paybridge_reconciliation_backlog_creations', 'Payment creations a crash left unfinished (reconciliation completes them)', () =>
    paymentRepository.countUnsettled('creations'),
  );
  deps.metrics?.queueOnScrape('paybridge_stripe_events', 'Stripe events received and not yet applied (nor dead-lettered)', () => eventRepository.backlog());
  return { payments, reconciler, stripeEvents, eventWorker };
}

/** The money lifecycle after confirmation (capture, cancel, refunds), on the same operation primitive. */
function createLifecycleServices(deps: CaptureDeps & { refundRepository: RefundRepository }) {
  return { capture: createPaymentCapture(deps), refunds: createPaymentRefunds(deps), refundRecords: deps.refundRepository };
}

/** Outbound events: the endpoints API and the worker that delivers the outbox. */
function createWebhookServices(config: Config, db: Database, deps: { secretBox: SecretBox; log: Logger; sender: WebhookSender; metrics: Gauges | undefined }) {
  const { allowPrivateUrls, requireHttps, retryBaseSeconds, maxAttempts } = config.webhooks;
  const { secretBox, log, sender, metrics } = deps;
  const deliveries = createWebhookDeliveryRepository(db);
  const webhookWorker = createDeliveryWorker({ deliveries, sender, secretBox, log, retryBaseSeconds, maxAttempts });
  metrics?.queueOnScrape('paybridge_webhook_deliveries', 'Event deliveries owed to enabled webhook endpoints', () => deliveries.backlog());
  const webhookEndpoints = createWebhookEndpointService({
    endpoints: createWebhookEndpointRepository(db),
    deliveries,
    worker: webhookWorker,
    sender,
    secretBox,
    urlPolicy: { allowPrivate: allowPrivateUrls, requireHttps },
  });
  return { webhookWorker, webhookEndpoints };
}

// Ten minutes to click Allow or to sign in at a system and come back.

/** The partner faces' core (Coord): settings, partner identity, transactable systems and account linking. */
function createPartnerServices(
  config: Config,
  db: Database,
  core: { users: UserService; authentication: AuthenticationService; profiles: PaymentProfileService; organisations: OrganisationService },
) {
  const partnerSettings = createOrganisationSettingsService(createOrganisationSettingsRepository(db), config.jwtIssuer);
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
    proof: createLinkProof(config.jwtSecret),
    uses: createLinkStateUses(db),
  });
  const partnerUsers = createPartnerUserService({ users: core.users, profiles: core.profiles, systems: transactableSystems });
  return { partnerSettings, partnerIdentity, transactableSystems, accountLinking, partnerUsers };
}
