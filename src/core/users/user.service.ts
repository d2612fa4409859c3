import { randomBytes } from 'node:crypto';
import type { AccessTokenService } from '../auth/access-token.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { assertAcceptablePassword, type PasswordHasher } from '../auth/password.js';
import { canAccessUser, isAdmin, type Principal } from '../auth/principal.js';
import { CustomerTakenError, EmailTakenError, ForbiddenError, InvalidCredentialsError, NotFoundError, RegistrationClosedError } from '../errors.js';
import { newId } from '../ids.js';
import { cursorNotInList } from '../pagination.js';
import { UniquenessViolation } from '../uniqueness.js';
import type { PaymentProfileRepository } from '../payment-profiles/payment-profile.repository.js';
import type { Vehicle } from '../vehicles/vehicle.js';
import type { UserRole } from './user.types.js';
import type { EventRecorder } from '../events/outbox.js';
import { normaliseEmail } from './email.js';
import { changesUserView, toUserView } from './user.views.js';
import type { UserRecord, UserRepository } from './user.repository.js';
import { planUserUpdate, type UserPatch } from './user-update.js';
import { assertMayActFor } from './user-authority.js';

export type { UserPatch } from './user-update.js';

export interface NewUser {
  userName: string;
  email: string;
  password?: string | undefined;
  role?: UserRole | undefined;
  isTest?: boolean;
  externalUid?: string | undefined;
  profile?: Record<string, string>;
}

/** Told after a user's name or email changed, so other modules (the Stripe customer) can follow. */
export type UserChangeListener = (user: UserRecord) => Promise<void>;

/** Told after a user was deleted (committed), so other modules can settle what the user leaves behind. */
export type UserDeletionListener = (user: UserRecord) => void;

export interface UserStores {
  users: UserRepository;
  profiles: PaymentProfileRepository;
  /** Announces a change to the organisation's webhook endpoints, in the change's transaction. */
  recordEvent: EventRecorder;
}

export interface UserServiceDeps extends Omit<UserStores, 'recordEvent'> {
  /** Runs fn with stores bound to one database transaction. */
  transaction<T>(fn: (stores: UserStores) => Promise<T>): Promise<T>;
  hasher: PasswordHasher;
  tokens: AccessTokenService;
  throttle: LoginThrottle;
  /** Whether anonymous self-registration is open in an organisation (its settings). */
  registrationOpen(organisationId: string): Promise<boolean>;
  /** Checks with Stripe that a customer exists and is not another user's, before an admin binds it. */
  verifyCustomerBinding(customerId: string, user: UserRecord): Promise<void>;
}

export function createUserService(deps: UserServiceDeps) {
  const { users, hasher, tokens } = deps;
  const listeners: UserChangeListener[] = [];
  const deletionListeners: UserDeletionListener[] = [];
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
      deps.transaction(async (tx) => {
        const user = await tx.users.insert({
          id: newId(),
          organisationId,
          email: normaliseEmail(input.email),
          userName: input.userName.trim(),
          passwordHash,
          // A user made with a password vouches for itself; one made without, by its partner side.
          authority: passwordHash === null ? 'partner' : 'password',
          role: input.role ?? 'user',
          isTest: input.isTest ?? false,
          externalUid: input.externalUid ?? null,
          profile: input.profile ?? {},
        });
        await tx.recordEvent(organisationId, 'user.created', toUserView(user));
        return user;
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

    onUserDeleted(listener: UserDeletionListener): void {
      deletionListeners.push(listener);
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

    /** Anonymous registrations (no API key) are limited per address and need the organisation's consent. */
    async register(organisationId: string, input: { userName: string; email: string; password: string }, anonymous?: { clientAddress: string }) {
      if (anonymous) {
        if (!(await deps.registrationOpen(organisationId))) {
          throw new RegistrationClosedError('Public registration is closed for this organisation; ask its administrator for an account');
        }
        await deps.throttle.beginRegistration(anonymous.clientAddress);
      }
      assertAcceptablePassword(input.password);
      const user = await insertUser(organisationId, input);
      if (anonymous) await deps.throttle.rememberNetwork(user.id, anonymous.clientAddress);
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
      await deps.throttle.recordSuccess(organisationId, email, clientAddress, user.id);
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

    /** The users the caller may see: all of its organisation for administrators and keys, itself for a user. */
    async listUsers(principal: Principal, page: { limit: number; startingAfter?: string | undefined }): Promise<UserRecord[]> {
      if (isAdmin(principal)) {
        const rows = await users.list(principal.organisationId, page);
        if (!rows) throw cursorNotInList('user');
        return rows;
      }
      const self = principal.kind === 'user' ? await users.findById(principal.organisationId, principal.userId) : undefined;
      if (!page.startingAfter) return self ? [self] : [];
      // A user's list is itself alone: the one cursor it can hold is its own id, after which nothing follows.
      if (page.startingAfter !== self?.id) throw cursorNotInList('user');
      return [];
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
      const updated = await translateConflicts(() =>
        deps.transaction(async (tx) => {
          const row = await tx.users.update(user.organisationId, user.id, patch);
          if (row && changesUserView(user, row)) await tx.recordEvent(row.organisationId, 'user.updated', toUserView(row));
          return row;
        }),
      );
      if (!updated) throw new NotFoundError('No such user');
      if (changes.email !== undefined || changes.userName !== undefined) await notifyChanged(updated);
      return updated;
    },
    findUserById: (organisationId: string, id: string) => users.findById(organisationId, id),

    async updateUser(principal: Principal, id: string, patch: UserPatch, clientAddress: string): Promise<UserRecord> {
      const user = await findAccessibleUser(principal, id);
      const attempts = {
        begin: (target: UserRecord) => deps.throttle.beginAttempt(target.organisationId, target.email, clientAddress),
        succeeded: (target: UserRecord) => deps.throttle.recordSuccess(target.organisationId, target.email, clientAddress, target.id),
      };
      const plan = await planUserUpdate(principal, user, patch, { hasher, passwordHashOf: (userId) => users.findPasswordHash(userId), attempts });
      if (plan.customerId === undefined && Object.keys(plan.row).length === 0) return user;
      if (plan.customerId !== undefined) await deps.verifyCustomerBinding(plan.customerId, user);
      // One transaction: a taken email or customer leaves nothing half-applied.
      const updated = await translateConflicts(() =>
        deps.transaction(async (tx) => {
          if (plan.customerId !== undefined) await tx.profiles.upsert(user.id, user.organisationId, { stripeCustomerId: plan.customerId });
          const row = await tx.users.update(user.organisationId, user.id, plan.row);
          if (!row) throw new NotFoundError('No such user');
          // A new password or email ends every other session; the caller's own stays signed in.
          if (plan.endSessions) await tx.users.revokeSessions(user.id, ownSession(principal, user));
          if (changesUserView(user, row)) await tx.recordEvent(row.organisationId, 'user.updated', toUserView(row));
          return row;
        }),
      );
      if (plan.row.userName !== undefined || plan.row.email !== undefined) await notifyChanged(updated);
      return updated;
    },

    async deleteUser(principal: Principal, id: string): Promise<UserRecord> {
      const user = await findAccessibleUser(principal, id);
      assertMayActFor(principal, user, { what: 'delete it', path: '/userId' });
      const deleted = await deps.transaction(async (tx) => {
        const done = await tx.users.softDelete(user.organisationId, user.id);
        if (done) await tx.recordEvent(user.organisationId, 'user.deleted', toUserView(user));
        await tx.users.revokeSessions(user.id);
        return done;
      });
      if (deleted) for (const listener of deletionListeners) listener(user);
      return user;
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.kind !== 'user') throw new ForbiddenError('Only a signed-in user can log out');
      await users.revokeSessions(principal.userId);
    },
  };

  function ownSession(principal: Principal, user: UserRecord): string | undefined {
    return principal.kind === 'user' && principal.userId === user.id ? principal.sessionId : undefined;
  }
}

async function translateConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const rule = error instanceof UniquenessViolation ? error.rule : undefined;
    if (rule === 'email-per-organisation') throw new EmailTakenError(undefined, [{ path: '/email', message: 'is already registered' }]);
    if (rule === 'stripe-customer') {
      throw new CustomerTakenError(undefined, [{ path: '/customerId', message: 'is already assigned' }]);
    }
    throw error;
  }
}

export type UserService = ReturnType<typeof createUserService>;
