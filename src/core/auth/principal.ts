import { PartnerCredentialRequiredError } from '../errors.js';
import type { UserRole } from '../users/user.types.js';

/** Who is calling: a signed-in user, or an organisation's API key (which acts as its administrator). */
export type Principal =
  | { kind: 'user'; organisationId: string; userId: string; sessionId: string; role: UserRole; isTest: boolean }
  | { kind: 'apiKey'; organisationId: string; apiKeyId: string };

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'apiKey' || principal.role === 'admin';
}

/**
 * What vouches for partner users (a new API key, the identity provider whose tokens sign them in,
 * a live system's link secret) is made only with the partner's own server credential, an API key.
 * An administrator may not act for partner users (user-authority.ts), so it may not make what does.
 */
export function requirePartnerCredential(principal: Principal, what: string): void {
  if (principal.kind !== 'apiKey') throw new PartnerCredentialRequiredError(`Only an API key can ${what}; an administrator's session cannot`);
}

/**
 * The one authorisation rule for user-owned objects: the owner, an admin of the owner's
 * organisation, or one of its API keys. Callers answer "not found" otherwise, so existence
 * is never revealed.
 */
export function canAccessUser(principal: Principal, owner: { id: string; organisationId: string }): boolean {
  if (principal.organisationId !== owner.organisationId) return false;
  return isAdmin(principal) || (principal.kind === 'user' && principal.userId === owner.id);
}
