import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_email_per_organisation').on(t.organisationId, t.email).where(sql`${t.deletedAt} is null`),
    uniqueIndex('users_external_uid_per_organisation')
      .on(t.organisationId, t.externalUid)
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
