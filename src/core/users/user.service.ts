import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../../db/client.js';
import type { AccessTokenService } from '../auth/access-token.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { assertAcceptablePassword, type PasswordHasher } from '../auth/password.js';
import { canAccessUser, isAdmin, type Principal } from '../auth/principal.js';
import {
  ConflictError,
  EmailTakenError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import { newId } from '../ids.js';
import type { PaymentProfileRepository } from '../payment-profiles/payment-profile.repository.js';
import type { UserRole, Vehicle } from '../../db/schema.js';
import { normaliseEmail } from './email.js';
import type { UserRecord, UserRepository } from './user.repository.js';

export interface NewUser {
  userName: string;
  email: string;
  password?: string | undefined;
  role?: UserRole | undefined;
  isTest?: boolean;
  externalUid?: string | undefined;
  profile?: Record<string, string>;
}

export interface UserPatch {
  userName?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  currentPassword?: string | undefined;
  customerId?: string | undefined;
  role?: UserRole | undefined;
}

/** Told after a user's name or email changed, so other modules (the Stripe customer) can follow. */
export type UserChangeListener = (user: UserRecord) => Promise<void>;

export interface UserStores {
  users: UserRepository;
  profiles: PaymentProfileRepository;
}

export interface UserServiceDeps extends UserStores {
  /** Runs fn with stores bound to one database transaction. */
  transaction<T>(fn: (stores: UserStores) => Promise<T>): Promise<T>;
  hasher: PasswordHasher;
  tokens: AccessTokenService;
  throttle: LoginThrottle;
}

export function createUserService(deps: UserServiceDeps) {
  const { users, hasher, tokens } = deps;
  const listeners: UserChangeListener[] = [];
  // Verified against when the email is unknown, so a miss costs what a hit costs.
  let dummyHash: Promise<string> | undefined;
  const timingDecoy = () => (dummyHash ??= hasher.hash(randomBytes(16).toString('hex')));

  async function startSession(user: UserRecord): Promise<{ access_token: string }> {
    const sessionId = newId();
    const { token, expiresAt } = tokens.issue({ sub: user.id, sid: sessionId, org: user.organisationId });
    await users.insertSession({ id: sessionId, userId: user.id, expiresAt });
    return { access_token: token };
  }

  async function insertUser(organisationId: string, input: NewUser): Promise<UserRecord> {
    // Hash before looking at the email, so a taken email answers no faster than a free one.
    const passwordHash = input.password === undefined ? null : await hasher.hash(input.password);
    return translateConflicts(() =>
      users.insert({
        id: newId(),
        organisationId,
        email: normaliseEmail(input.email),
        userName: input.userName.trim(),
        passwordHash,
        role: input.role ?? 'user',
        isTest: input.isTest ?? false,
        externalUid: input.externalUid ?? null,
        profile: input.profile ?? {},
      }),
    );
  }

  async function findAccessibleUser(principal: Principal, id: string): Promise<UserRecord> {
    const user = await users.findById(principal.organisationId, id);
    if (!user || !canAccessUser(principal, user)) throw new NotFoundError('No such user');
    return user;
  }

  async function notifyChanged(user: UserRecord): Promise<void> {
    for (const listener of listeners) await listener(user);
  }

  return {
    onUserChanged(listener: UserChangeListener): void {
      listeners.push(listener);
    },

    /**
     * The organisation a public register or login is for: the default one, or the organisation of
     * an API key sent with it. A user's token must not choose: it would let anyone who holds one
     * (a partner's end user, a test user) create password accounts inside that organisation.
     */
    organisationForSignIn(principal: Principal | undefined, defaultOrganisationId: string): string {
      if (!principal) return defaultOrganisationId;
      if (principal.kind !== 'apiKey') {
        throw new ForbiddenError('Only an organisation API key may choose the organisation to register or sign in with', [
          { path: '/headers/authorization', message: 'must be an API key, or absent' },
        ]);
      }
      return principal.organisationId;
    },

    async register(organisationId: string, input: { userName: string; email: string; password: string }) {
      assertAcceptablePassword(input.password);
      const user = await insertUser(organisationId, input);
      return startSession(user);
    },

    async login(organisationId: string, input: { email: string; password: string }, clientAddress: string) {
      const email = normaliseEmail(input.email);
      await deps.throttle.beginAttempt(organisationId, email, clientAddress);
      const found = await users.findCredentials(organisationId, email);
      const hash = found?.passwordHash ?? null;
      const valid = await hasher.verify(hash ?? (await timingDecoy()), input.password);
      const user = found?.user;
      if (!user || !hash || !valid) throw new InvalidCredentialsError();
      await deps.throttle.recordSuccess(organisationId, email, clientAddress);
      return startSession(user);
    },

    /** Issues a session for a user the caller has already authenticated (partner JWT exchange). */
    startSession,

    async createUser(principal: Principal, input: NewUser): Promise<UserRecord> {
      if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can create users');
      if (input.password !== undefined) assertAcceptablePassword(input.password);
      return insertUser(principal.organisationId, input);
    },

    /** For the faces that provision users themselves (partner JWTs, CareValidate), scoped to one organisation. */
    provisionUser: insertUser,

    async listUsers(principal: Principal, page: { limit: number; startingAfter?: string | undefined }): Promise<UserRecord[]> {
      if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can list users');
      return users.list(principal.organisationId, page);
    },

    async getUser(principal: Principal, id: string, self?: UserRecord): Promise<UserRecord> {
      if (self && principal.kind === 'user' && self.id === id) return self;
      return findAccessibleUser(principal, id);
    },

    findUserByEmail: (organisationId: string, email: string, isTest = false) => users.findByEmail(organisationId, normaliseEmail(email), isTest),
    findUserByExternalUid: (organisationId: string, uid: string, isTest = false) => users.findByExternalUid(organisationId, uid, isTest),

    /** For faces that change a user on the organisation's behalf (vehicle, profile); no authorisation here. */
    async updateUserFields(user: UserRecord, changes: { vehicle?: Vehicle; profile?: Record<string, string>; email?: string; userName?: string; externalUid?: string }): Promise<UserRecord> {
      const patch = { ...changes, ...(changes.email !== undefined ? { email: normaliseEmail(changes.email) } : {}) };
      const updated = await translateConflicts(async () => users.update(user.organisationId, user.id, patch));
      if (!updated) throw new NotFoundError('No such user');
      if (changes.email !== undefined || changes.userName !== undefined) await notifyChanged(updated);
      return updated;
    },
    findUserById: (organisationId: string, id: string) => users.findById(organisationId, id),

    async updateUser(principal: Principal, id: string, patch: UserPatch): Promise<UserRecord> {
      const user = await findAccessibleUser(principal, id);
      const admin = isAdmin(principal);
      if (patch.customerId !== undefined && !admin) {
        throw new ForbiddenError('Only an administrator or an API key can change customerId', [{ path: '/customerId', message: 'cannot be set by the user' }]);
      }
      if (patch.role !== undefined && !admin) {
        throw new ForbiddenError('Only an administrator or an API key can change a role', [{ path: '/role', message: 'cannot be set by the user' }]);
      }
      const changes: Parameters<UserRepository['update']>[2] = {};
      if (patch.userName !== undefined) changes.userName = patch.userName.trim();
      if (patch.email !== undefined) changes.email = normaliseEmail(patch.email);
      if (patch.role !== undefined) changes.role = patch.role;
      if (patch.password !== undefined) changes.passwordHash = await newPasswordHash(principal, user, patch);
      // One transaction: a taken email or customer leaves nothing half-applied.
      const updated = await translateConflicts(() =>
        deps.transaction(async (tx) => {
          if (patch.customerId !== undefined) await tx.profiles.upsert(user.id, user.organisationId, { stripeCustomerId: patch.customerId });
          const row = await tx.users.update(user.organisationId, user.id, changes);
          if (!row) throw new NotFoundError('No such user');
          // A password change ends every other session; the caller's own stays signed in.
          if (patch.password !== undefined) await tx.users.revokeSessions(user.id, ownSession(principal, user));
          return row;
        }),
      );
      if (changes.userName !== undefined || changes.email !== undefined) await notifyChanged(updated);
      return updated;
    },

    async deleteUser(principal: Principal, id: string): Promise<UserRecord> {
      const user = await findAccessibleUser(principal, id);
      await users.softDelete(user.organisationId, user.id);
      await users.revokeSessions(user.id);
      return user;
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.kind !== 'user') throw new ForbiddenError('Only a signed-in user can log out');
      await users.revokeSessions(principal.userId);
    },
  };

  async function newPasswordHash(principal: Principal, user: UserRecord, patch: UserPatch): Promise<string> {
    const password = patch.password!;
    assertAcceptablePassword(password);
    const changingOwn = principal.kind === 'user' && principal.userId === user.id;
    if (changingOwn) {
      if (patch.currentPassword === undefined) {
        throw new ValidationError('The current password is required to set a new one', [{ path: '/currentPassword', message: 'is required with password' }]);
      }
      const hash = await users.findPasswordHash(user.id);
      if (!hash || !(await hasher.verify(hash, patch.currentPassword))) {
        throw new InvalidCredentialsError('The current password is wrong', [{ path: '/currentPassword', message: 'does not match' }]);
      }
    }
    return hasher.hash(password);
  }

  function ownSession(principal: Principal, user: UserRecord): string | undefined {
    return principal.kind === 'user' && principal.userId === user.id ? principal.sessionId : undefined;
  }
}

async function translateConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_per_organisation')) throw new EmailTakenError(undefined, [{ path: '/email', message: 'is already registered' }]);
    if (isUniqueViolation(error, 'payment_profiles_stripe_customer')) {
      throw new ConflictError('That Stripe customer belongs to another user', [{ path: '/customerId', message: 'is already assigned' }]);
    }
    throw error;
  }
}

export type UserService = ReturnType<typeof createUserService>;
