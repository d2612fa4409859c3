import type { UserAuthority } from './user.types.js';
import type { Principal } from '../auth/principal.js';
import { EmailTakenError, PartnerManagedUserError, PasswordAccountError, ValidationError } from '../errors.js';

/**
 * Who may act on a user: the one rule, called by every face.
 *
 * Every user has an authority that vouches for it, fixed when the user is made:
 * - `password`: the user proves itself with its password (POST /user/register, admin POST /user).
 * - `partner`: its organisation's partner side vouches for it with a server credential
 *   (Coord create_jwt / testing/create_jwt, the partner's identity provider, CareValidate CREATE_USER).
 *
 * A face hands out or changes a user only through that user's own authority, and an email alone
 * never moves a user from one authority to another:
 *
 * | action                                         | password account                            | partner user                           |
 * |------------------------------------------------|---------------------------------------------|----------------------------------------|
 * | sign in (POST /user/login)                     | with its password                           | never (it has none)                    |
 * | Coord create_jwt / identity-provider JWT       | refused (EMAIL_TAKEN)                       | yes, own organisation only             |
 * | CareValidate UPDATE_EMAIL, UPDATE_PAYMENT_INFO | refused (400, "signs in with a password")   | yes, own organisation only             |
 * | CareValidate CREATE_USER on a taken email      | refused (400, "already exists")             | refused (400, "already exists")        |
 * | change email: the user itself (PATCH /user)    | with currentPassword; other sessions end    | refused (403 PARTNER_MANAGED_USER)     |
 * | change email: admin user / API key (PATCH)     | yes; every session of the user ends         | API key only (the partner's credential)|
 * | change email: the partner (claims, UPDATE_EMAIL)| refused                                    | yes                                    |
 * | set password (PATCH /user)                     | self with currentPassword, or an admin      | refused (403 PARTNER_MANAGED_USER)     |
 * | role, customerId, confirm its payment, delete  | admin user or API key                       | API key only (the partner's credential)|
 */
export interface AuthoritySubject {
  id: string;
  email: string;
  authority: UserAuthority;
}

/** A partner face (Coord, CareValidate) may act on this user only if its partner side made it. */
export function assertPartnerMayActOn(user: AuthoritySubject, face: 'coord' | 'carevalidate'): void {
  if (user.authority === 'partner') return;
  if (face === 'coord') {
    throw new EmailTakenError('This email belongs to an account that signs in with a password; a partner JWT cannot be issued for it', [
      { path: '/email', message: 'belongs to a password account' },
    ]);
  }
  throw new PasswordAccountError(`User ${user.email} signs in with a password; CareValidate cannot change it`, [
    { path: '/email', message: 'belongs to a password account' },
  ]);
}

export interface EmailChange {
  /** The caller is the user itself (a user token of that user). */
  bySelf: boolean;
  currentPassword: string | undefined;
}

/**
 * Whether a native-face caller may change a user's email. A partner user's email follows its
 * partner; only the organisation's API key (the partner's server credential) may set it here.
 * A password account's owner must prove itself again: a stolen session alone cannot move the account.
 */
export function assertMayChangeEmail(principal: Principal, user: AuthoritySubject, change: EmailChange): void {
  if (user.authority === 'partner') {
    if (principal.kind === 'apiKey') return;
    throw new PartnerManagedUserError("This user's email is managed by its partner (JWT claims or CareValidate UPDATE_EMAIL); it cannot be changed here", [
      { path: '/email', message: 'is managed by the partner' },
    ]);
  }
  if (change.bySelf && change.currentPassword === undefined) {
    throw new ValidationError('The current password is required to change the email', [{ path: '/currentPassword', message: 'is required with email' }]);
  }
}

/**
 * An administrator's session does not act for a partner user: its partner vouches for it, with
 * the organisation's API key. The user itself and API keys may; reading is not acting.
 */
export function assertMayActFor(principal: Principal, user: AuthoritySubject, action: { what: string; path: string }): void {
  if (user.authority !== 'partner' || principal.kind === 'apiKey' || principal.userId === user.id) return;
  throw new PartnerManagedUserError(`This user is managed by its partner; an administrator's session cannot ${action.what} (use the organisation's API key)`, [
    { path: action.path, message: 'is managed by the partner' },
  ]);
}

/** A partner user has no password: giving it one would make it a password account by the back door. */
export function assertMaySetPassword(user: AuthoritySubject): void {
  if (user.authority === 'partner') {
    throw new PartnerManagedUserError("This user signs in through its partner; it cannot be given a password", [
      { path: '/password', message: 'is managed by the partner' },
    ]);
  }
}
