import type { UserRole } from '../../db/schema.js';

/** Who is calling: a signed-in user, or an organisation's API key (which acts as its administrator). */
export type Principal =
  | { kind: 'user'; organisationId: string; userId: string; sessionId: string; role: UserRole; isTest: boolean }
  | { kind: 'apiKey'; organisationId: string; apiKeyId: string };

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'apiKey' || principal.role === 'admin';
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
