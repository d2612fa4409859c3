import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
// The domain's own types, defined in the core: the tables store them, they do not define them.
import type { DeliveryStatus } from '../core/events/delivery-status.js';
import type { CaptureMethod } from '../core/payments/capture-method.js';
import type { PaymentDispute } from '../core/payments/payment-dispute.js';
import type { UserAuthority, UserRole } from '../core/users/user.types.js';
import type { Vehicle } from '../core/vehicles/vehicle.js';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable(
  'organisations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    // A disabled organisation keeps its data; its keys and its users' tokens stop working.
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('organisations_one_default').on(t.isDefault).where(sql`${t.isDefault}`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    name: text('name').notNull(),
    displayPrefix: text('display_prefix').notNull(),
    // SHA-256 of the whole key: the key itself is shown once and never stored.
    digest: text('digest').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_digest').on(t.digest), index('api_keys_organisation').on(t.organisationId)],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    email: text('email').notNull(),
    userName: text('user_name').notNull(),
    passwordHash: text('password_hash'),
    authority: text('authority').$type<UserAuthority>().notNull(),
    role: text('role').$type<UserRole>().notNull().default('user'),
    isTest: boolean('is_test').notNull().default(false),
    externalUid: text('external_uid'),
    profile: jsonb('profile').$type<Record<string, string>>().notNull().default({}),
    vehicle: jsonb('vehicle').$type<Vehicle>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    // Test users (Coord's test JWTs) live beside live users: the same email may be one of each.
    uniqueIndex('users_email_per_organisation').on(t.organisationId, t.isTest, t.email).where(sql`${t.deletedAt} is null`),
    // Lists walk an organisation's users in id (creation) order.
    index('users_organisation_id').on(t.organisationId, t.id),
    uniqueIndex('users_external_uid_per_organisation')
      .on(t.organisationId, t.isTest, t.externalUid)
      .where(sql`${t.externalUid} is not null and ${t.deletedAt} is null`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** What a user pays with: its Stripe customer and default method, shipping address, other processors' tokens. */
export const paymentProfiles = pgTable(
  'payment_profiles',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    stripeCustomerId: text('stripe_customer_id'),
    // Bumped when the customer is deleted at Stripe, so the next one is made under a fresh idempotency key.
    stripeCustomerGeneration: integer('stripe_customer_generation').notNull().default(0),
    defaultPaymentMethodId: text('default_payment_method_id'),
    // Brand, last four and expiry of the default method, for display; never the number.
    defaultPaymentMethodCard: jsonb('default_payment_method_card').$type<{ brand: string; last4: string; expMonth: number; expYear: number }>(),
    shippingAddress: jsonb('shipping_address').$type<Record<string, string>>(),
    // AES-256-GCM ciphertexts of other processors' tokens (e.g. NMI), keyed by processor name.
    processorTokens: jsonb('processor_tokens').$type<Record<string, string>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payment_profiles_stripe_customer').on(t.stripeCustomerId)],
);

/**
 * One row per PaymentIntent, written before Stripe is called (status 'creating') together with
 * its 'create' operation, and completed after: a crash in between leaves rows that reconciliation
 * can finish.
 */
export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    userId: text('user_id').notNull().references(() => users.id),
    // The client's cuid (or Idempotency-Key), unique per user; requestHash detects reuse with another body.
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    description: text('description'),
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    stripeCustomerId: text('stripe_customer_id'),
    status: text('status').notNull(),
    // 'manual': a confirmed payment stops at requires_capture until it is captured (or expires at Stripe).
    captureMethod: text('capture_method').$type<CaptureMethod>().notNull().default('automatic'),
    paymentMethodId: text('payment_method_id'),
    lastErrorCode: text('last_error_code'),
    nextActionUrl: text('next_action_url'),
    // Minor units refunded, as Stripe's charge last said (a reversed refund lowers it again).
    amountRefunded: integer('amount_refunded').notNull().default(0),
    // Minor units Stripe took (all of it, or the part captured), as the intent last said.
    amountReceived: integer('amount_received').notNull().default(0),
    // When the stored Stripe state was read (the database's clock, shared by every instance).
    stripeSyncedAt: timestamp('stripe_synced_at', { withTimezone: true, precision: 6 }),
    // When reconciliation next looks at this payment; null once it is settled.
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }),
    // Checks in a row that found nothing new: the backoff grows with it.
    checks: integer('checks').notNull().default(0),
    dispute: jsonb('dispute').$type<PaymentDispute>(),
    // When the dispute recorded was read from Stripe (database clock; rows of before, the event's `created`):
    // a read that started earlier never overwrites a later one.
    disputeEventAt: timestamp('dispute_event_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payments_idempotency_key_per_user').on(t.userId, t.idempotencyKey),
    uniqueIndex('payments_stripe_payment_intent').on(t.stripePaymentIntentId),
    index('payments_user').on(t.userId, t.id),
    index('payments_organisation').on(t.organisationId, t.id),
    index('payments_due').on(t.nextCheckAt).where(sql`${t.nextCheckAt} is not null`),
  ],
);

/**
 * Every money operation on a payment (create, confirm; later capture, cancel, refund): the row
 * is written before Stripe is called, with the Stripe idempotency key it will always use, and
 * holds the answer given, which a repeat of the same attempt gets back byte for byte. Whoever
 * holds the lease token may write it; a holder whose lease lapsed is fenced out.
 */
export const paymentOperations = pgTable(
  'payment_operations',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    // What makes two requests the same attempt of this kind (e.g. confirm: cuid and payment method).
    attemptKey: text('attempt_key').notNull(),
    requestHash: text('request_hash').notNull(),
    stripeIdempotencyKey: text('stripe_idempotency_key').notNull(),
    state: text('state').$type<'pending' | 'done'>().notNull().default('pending'),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    leaseToken: text('lease_token'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    // How many holders have started it: a resumed operation looks for what an earlier one left at Stripe.
    attempts: integer('attempts').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payment_operations_attempt').on(t.paymentId, t.kind, t.attemptKey),
    index('payment_operations_finished').on(t.updatedAt).where(sql`${t.state} = 'done' and ${t.kind} <> 'create'`),
  ],
);

/**
 * A payment's refunds, as Stripe last showed them (refunds made through paybridge, and those made
 * at Stripe directly): upserted by Stripe's id, a later read never overwritten by an earlier one.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    // pending | requires_action | succeeded | failed | canceled (Stripe's)
    status: text('status').notNull(),
    reason: text('reason'),
    failureReason: text('failure_reason'),
    // Stripe's `created`.
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    // When this state was read from Stripe (the database's clock).
    stripeSyncedAt: timestamp('stripe_synced_at', { withTimezone: true, precision: 6 }).notNull(),
    // The order refunds were first recorded in: Stripe's `created` is in whole seconds, this breaks its ties.
    recordedOrder: bigint('recorded_order', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  },
  (t) => [index('refunds_payment').on(t.paymentId, t.createdAt)],
);

/** Idempotency keys of operations other than creation (e.g. confirm): first request body wins. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull().references(() => users.id),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.scope, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);

/** Stripe events: a queue, each stored on receipt and processed by a worker, retried, or dead-lettered. */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    // A worker that took the event holds it until then; if it dies, another takes it after.
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    deadAt: timestamp('dead_at', { withTimezone: true }),
  },
  (t) => [
    index('stripe_events_pending').on(t.nextAttemptAt).where(sql`${t.processedAt} is null and ${t.deadAt} is null`),
    index('stripe_events_processed').on(t.processedAt).where(sql`${t.processedAt} is not null`),
  ],
);

/** Systems a partner's users can transact with (Coord's "transactable systems"), per organisation. */
export const transactableSystems = pgTable(
  'transactable_systems',
  {
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    systemId: text('system_id').notNull(),
    name: text('name').notNull(),
    // Whether a user must link an account with the system before transacting.
    linkedAccountRequired: boolean('linked_account_required').notNull().default(false),
    // Where a live user's browser is sent to link an account (with a signed state).
    linkUrl: text('link_url'),
    jwtClaims: jsonb('jwt_claims').$type<string[]>().notNull().default([]),
    usersApiFields: jsonb('users_api_fields').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.systemId] })],
);

/** A user's account link with a transactable system. */
export const accountLinks = pgTable(
  'account_links',
  {
    userId: text('user_id').notNull().references(() => users.id),
    systemId: text('system_id').notNull(),
    linked: boolean('linked').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.systemId] })],
);

/** Per-organisation settings of the partner-facing faces. */
export const organisationSettings = pgTable('organisation_settings', {
  organisationId: text('organisation_id')
    .primaryKey()
    .references(() => organisations.id),
  // Where account linking may send the browser back to; any other redirect_uri is refused.
  redirectUris: jsonb('redirect_uris').$type<string[]>().notNull().default([]),
  // A partner's own identity provider: tokens it signs are accepted as user JWTs.
  identityProvider: jsonb('identity_provider').$type<{ issuer: string; audience: string; pem?: string; jwks?: { keys: unknown[] }; maxTokenLifetimeSeconds?: number }>(),
  // Whether anonymous POST /user/register may create password accounts in this organisation.
  publicRegistration: boolean('public_registration').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  // A token names its issuer and audience: one organisation at most may trust that pair, so no other can
  // claim (or make ambiguous) the tokens meant for the first.
  uniqueIndex('organisation_settings_identity_provider_audience')
    .on(sql`(${t.identityProvider} ->> 'issuer')`, sql`(${t.identityProvider} ->> 'audience')`)
    .where(sql`${t.identityProvider} is not null`),
]);

/**
 * Networks (an IPv4 address, an IPv6 /64) each account signed in from with its password: while an
 * account is under a wide attack only these may try, so they must outlive a restart and a flood.
 */
export const loginKnownNetworks = pgTable(
  'login_known_networks',
  {
    // The account, not its email: the networks follow an email change and go with the account.
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    network: text('network').notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.network] })],
);

/** The abuse limits' attempt counters when no Redis is configured (src/adapters/attempt-counter.database.ts). */
export const attemptWindows = pgTable(
  'attempt_windows',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: timestamp('reset_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('attempt_windows_reset').on(t.resetAt)],
);

/** Account-linking states already used: each is accepted once, until it would have expired anyway. */
export const linkStateUses = pgTable(
  'link_state_uses',
  {
    stateId: text('state_id').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('link_state_uses_expiry').on(t.expiresAt)],
);

/** Where an organisation wants its events pushed. Secrets are sealed (AES-256-GCM) at rest. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    url: text('url').notNull(),
    events: jsonb('events').$type<string[]>().notNull().default(['*']),
    description: text('description'),
    secret: text('secret').notNull(),
    // After a rotation the old secret keeps signing (a second v1) until it expires.
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    // Set by the first failed attempt after a success; an endpoint failing for long enough is disabled.
    failingSince: timestamp('failing_since', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_organisation').on(t.organisationId, t.id)],
);

/** The outbox: one row per event, written in the transaction of the change it announces. */
export const outboxEvents = pgTable('outbox_events', {
  id: text('id').primaryKey(),
  organisationId: text('organisation_id').notNull().references(() => organisations.id),
  type: text('type').notNull(),
  objectId: text('object_id').notNull(),
  // The exact JSON sent, so every attempt carries the same bytes.
  body: text('body').notNull(),
  createdAt: createdAt(),
});

/** One event owed to one endpoint; the worker claims due rows with FOR UPDATE SKIP LOCKED. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    // Insertion order, for delivering one object's events in order.
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    eventId: text('event_id').notNull().references(() => outboxEvents.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    objectId: text('object_id').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    // Who holds the current claim: a worker whose claim lapsed cannot record over its successor.
    claimToken: text('claim_token'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_endpoint').on(t.eventId, t.endpointId),
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_object').on(t.endpointId, t.objectId, t.seq).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_due').on(t.endpointId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_claimed').on(t.endpointId).where(sql`${t.status} = 'pending' and ${t.claimToken} is not null`),
  ],
);

/** The delivery log: every attempt, as GET /admin/webhook-endpoints/{id}/deliveries shows it. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id').notNull().references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status').$type<'succeeded' | 'failed'>().notNull(),
    responseStatus: integer('response_status'),
    // A short reason of ours (timeout, refused address); never the receiver's body.
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_attempts_endpoint').on(t.endpointId, t.id)],
);
