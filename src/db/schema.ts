import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable(
  'organisations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
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

export type UserRole = 'user' | 'admin';

export interface Vehicle {
  license_plate: { text: string; country: string; subdivision: string };
}

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').notNull().references(() => organisations.id),
    email: text('email').notNull(),
    userName: text('user_name').notNull(),
    passwordHash: text('password_hash'),
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
 * One row per PaymentIntent, written before Stripe is called (status 'creating') and
 * completed after: a crash in between leaves a row that reconciliation can finish.
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
    paymentMethodId: text('payment_method_id'),
    lastErrorCode: text('last_error_code'),
    nextActionUrl: text('next_action_url'),
    // Minor units refunded so far (refunds happen outside paybridge; events bring them in).
    amountRefunded: integer('amount_refunded').notNull().default(0),
    // The exact first answer, replayed byte for byte to a retry with the same key.
    createResponse: text('create_response'),
    // Whoever holds an unexpired lease is creating the PaymentIntent; others wait or take over after it lapses.
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    // When the stored Stripe state was read; older reads never overwrite newer ones.
    stripeSyncedAt: timestamp('stripe_synced_at', { withTimezone: true, precision: 6 }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payments_idempotency_key_per_user').on(t.userId, t.idempotencyKey),
    uniqueIndex('payments_stripe_payment_intent').on(t.stripePaymentIntentId),
    index('payments_user').on(t.userId, t.id),
    index('payments_organisation').on(t.organisationId, t.id),
    index('payments_unsettled').on(t.status).where(sql`${t.status} not in ('succeeded', 'canceled')`),
  ],
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
  (t) => [primaryKey({ columns: [t.userId, t.scope, t.key] })],
);

/** Stripe events seen, so each is applied once however often it is delivered. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
});

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
  identityProvider: jsonb('identity_provider').$type<{ issuer: string; audience: string; pem?: string; jwks?: { keys: unknown[] } }>(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
