import { InvalidApiKeyError, InvalidTokenError } from '../errors.js';
import type { OrganisationService } from '../organisations/organisation.service.js';
import type { UserRecord, UserRepository } from '../users/user.repository.js';
import { looksLikeJwt, type AccessTokenService } from './access-token.js';
import type { Principal } from './principal.js';

export interface Authenticated {
  principal: Principal;
  /** The signed-in user's own record, loaded with the session in the same query. */
  self?: UserRecord;
}

export function createAuthenticationService(deps: {
  tokens: AccessTokenService;
  users: UserRepository;
  organisations: OrganisationService;
}) {
  return {
    /** Resolves a bearer credential: a JWT of ours, or an organisation API key. */
    async authenticateBearer(credential: string): Promise<Authenticated> {
      return looksLikeJwt(credential) ? this.authenticateAccessToken(credential) : this.authenticateApiKey(credential);
    },

    async authenticateAccessToken(token: string): Promise<Authenticated> {
      const claims = deps.tokens.verify(token);
      const user = await deps.users.findBySession(claims.sid);
      // A revoked or expired session, a deleted user, or claims that disagree with the session all look alike.
      if (!user || user.id !== claims.sub || user.organisationId !== claims.org) throw new InvalidTokenError();
      return {
        principal: {
          kind: 'user',
          organisationId: user.organisationId,
          userId: user.id,
          sessionId: claims.sid,
          role: user.role,
          isTest: user.isTest,
        },
        self: user,
      };
    },

    async authenticateApiKey(key: string): Promise<Authenticated> {
      const record = await deps.organisations.authenticateApiKey(key);
      if (!record) throw new InvalidApiKeyError();
      return { principal: { kind: 'apiKey', organisationId: record.organisationId, apiKeyId: record.id } };
    },
  };
}

export type AuthenticationService = ReturnType<typeof createAuthenticationService>;
