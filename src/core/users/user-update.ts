import type { UserRole } from './user.types.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import { assertAcceptablePassword, type PasswordHasher } from '../auth/password.js';
import { ForbiddenError, InvalidCredentialsError, ValidationError } from '../errors.js';
import { normaliseEmail } from './email.js';
import { assertMayActFor, assertMayChangeEmail, assertMaySetPassword } from './user-authority.js';
import type { UserRecord, UserRepository } from './user.repository.js';

export interface UserPatch {
  /** The object's own id, as a client that PATCHes what it read sends it back; any other is refused. */
  userId?: string | undefined;
  userName?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  currentPassword?: string | undefined;
  customerId?: string | undefined;
  role?: UserRole | undefined;
}

/** What a PATCH really changes: fields equal to their current value are no change and need no right. */
export interface PlannedUpdate {
  row: Parameters<UserRepository['update']>[2];
  customerId: string | undefined;
  /** Sessions of the user to end (a new password or email), all but the caller's own. */
  endSessions: boolean;
}

const adminOnly = (field: string, what: string) =>
  new ForbiddenError(`Only an administrator or an API key can change ${what}`, [{ path: `/${field}`, message: 'cannot be changed by the user' }]);

/** Checks every real change against who is asking, and prepares it; nothing is written here. */
export async function planUserUpdate(
  principal: Principal,
  user: UserRecord,
  patch: UserPatch,
  deps: PasswordCheckDeps,
): Promise<PlannedUpdate> {
  if (patch.userId !== undefined && patch.userId !== user.id) {
    throw new ValidationError('userId cannot be changed', [{ path: '/userId', message: "must be the user's own id" }]);
  }
  const admin = isAdmin(principal);
  const bySelf = principal.kind === 'user' && principal.userId === user.id;
  const row: PlannedUpdate['row'] = {};
  const userName = patch.userName?.trim();
  if (userName !== undefined && userName !== user.userName) row.userName = userName;
  const email = patch.email === undefined ? undefined : normaliseEmail(patch.email);
  if (email !== undefined && email !== user.email) {
    assertMayChangeEmail(principal, user, { bySelf, currentPassword: patch.currentPassword });
    row.email = email;
  }
  if (patch.role !== undefined && patch.role !== user.role) {
    if (!admin) throw adminOnly('role', 'a role');
    assertMayActFor(principal, user, { what: 'change its role', path: '/role' });
    row.role = patch.role;
  }
  const customerId = patch.customerId !== undefined && patch.customerId !== user.customerId ? patch.customerId : undefined;
  if (customerId !== undefined && !admin) throw adminOnly('customerId', 'customerId');
  if (customerId !== undefined) assertMayActFor(principal, user, { what: 'bind its Stripe customer', path: '/customerId' });
  if (patch.password !== undefined) {
    assertMaySetPassword(user);
    assertAcceptablePassword(patch.password);
    if (bySelf && patch.currentPassword === undefined) {
      throw new ValidationError('The current password is required to set a new one', [{ path: '/currentPassword', message: 'is required with password' }]);
    }
  }
  // The owner proves itself for a new password or email: a stolen session alone moves nothing.
  if (bySelf && (patch.password !== undefined || row.email !== undefined)) await verifyCurrentPassword(user, patch.currentPassword!, deps);
  if (patch.password !== undefined) row.passwordHash = await deps.hasher.hash(patch.password);
  return { row, customerId, endSessions: row.passwordHash !== undefined || row.email !== undefined };
}

export interface PasswordCheckDeps {
  hasher: PasswordHasher;
  passwordHashOf: (userId: string) => Promise<string | null>;
  /**
   * The login limits guard every password guess, not only logins: a stolen session must not
   * become an unlimited oracle for the password (begin counts the attempt, refusing past the limit).
   */
  attempts: { begin(user: UserRecord): Promise<void>; succeeded(user: UserRecord): Promise<void> };
}

async function verifyCurrentPassword(user: UserRecord, currentPassword: string, deps: PasswordCheckDeps) {
  await deps.attempts.begin(user);
  const hash = await deps.passwordHashOf(user.id);
  if (!hash || !(await deps.hasher.verify(hash, currentPassword))) {
    throw new InvalidCredentialsError('The current password is wrong', [{ path: '/currentPassword', message: 'does not match' }]);
  }
  await deps.attempts.succeeded(user);
}
