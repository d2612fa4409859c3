import type { AuthenticationService } from '../auth/authentication.service.js';
import { cutName, isDisplayName } from '../users/display-name.js';
import { EmailTakenError, InvalidTokenError, OrganisationMismatchError } from '../errors.js';
import { UniquenessViolation } from '../uniqueness.js';
import { isUnsafeText } from '../text.js';
import { EMAIL_MAX_LENGTH, isEmailAddress, normaliseEmail } from '../users/email.js';
import { assertPartnerMayActOn } from '../users/user-authority.js';
import type { UserRecord } from '../users/user.repository.js';
import type { UserService } from '../users/user.service.js';
import type { OrganisationSettingsService } from './organisation-settings.service.js';
import { peekToken, type PartnerTokenVerifier } from './partner-token.verifier.js';

/** Who a partner says its user is: the claims of a JWT we issue, or of one its identity provider signed. */
export interface PartnerIdentity {
  email: string;
  externalUid?: string | undefined;
  name?: string | undefined;
}

/** Who an identity provider says its user is: keyed by its issuer and the token's sub. */
interface ProviderIdentity {
  email: string;
  externalUid: string;
  /** The provider's issuer, whose users these are. */
  issuer: string;
  name?: string | undefined;
}

/** The external_uid of a user an identity provider signs in: namespaced by the issuer, so no bare sub (nor an external_uid a partner's server sends) meets it by chance. */
const providerUserKey = (issuer: string, sub: string) => `idp\n${issuer}\n${sub}`;

/** A user authenticated by a user JWT, with the names of the claims that JWT carries. */
export interface PartnerUser {
  user: UserRecord;
  claimNames: string[];
}


export interface PartnerIdentityDeps {
  users: UserService;
  authentication: AuthenticationService;
  settings: OrganisationSettingsService;
  verifier: PartnerTokenVerifier;
  /** The `iss` of the JWTs we issue ourselves. */
  ownIssuer: string;
}

/**
 * Coord-style identity: partners exchange a user's email (and their own id for it) for a user
 * JWT, or bring JWTs from their own identity provider. Either way the user is provisioned on
 * first sight and its email and name follow the token's claims.
 */
export function createPartnerIdentityService(deps: PartnerIdentityDeps) {
  const { users } = deps;

  async function findExisting(organisationId: string, identity: PartnerIdentity, isTest: boolean): Promise<UserRecord | undefined> {
    if (identity.externalUid === undefined) return refusePasswordAccount(await users.findUserByEmail(organisationId, identity.email, isTest));
    const byUid = refusePasswordAccount(await users.findUserByExternalUid(organisationId, identity.externalUid, isTest));
    if (byUid) return byUid;
    const byEmail = refusePasswordAccount(await users.findUserByEmail(organisationId, identity.email, isTest));
    // A user first seen by email alone is adopted by the first external_uid that comes with it. The
    // same uid here means a concurrent first sight inserted the user between our two lookups.
    if (!byEmail || byEmail.externalUid === null || byEmail.externalUid === identity.externalUid) return byEmail;
    throw new EmailTakenError('This email belongs to a user with another external_uid', [{ path: '/email', message: 'belongs to another external_uid' }]);
  }

  /**
   * An account someone registered with a password is theirs: a partner's JWT for the same email
   * must not open it, or anyone could register a partner user's email first and read its data.
   */
  function refusePasswordAccount(user: UserRecord | undefined): UserRecord | undefined {
    if (user) assertPartnerMayActOn(user, 'coord');
    return user;
  }

  /** Email and name always follow the partner's latest claims; an adopted user gets its external_uid. */
  async function syncIdentity(user: UserRecord, identity: PartnerIdentity): Promise<UserRecord> {
    const changes: { email?: string; userName?: string; externalUid?: string } = {};
    if (normaliseEmail(identity.email) !== user.email) changes.email = identity.email;
    if (identity.name !== undefined && identity.name.trim() !== user.userName) changes.userName = identity.name.trim();
    if (identity.externalUid !== undefined && user.externalUid === null) changes.externalUid = identity.externalUid;
    return Object.keys(changes).length === 0 ? user : users.updateUserFields(user, changes);
  }

  /**
   * A user an identity provider signs in is its own: keyed by (issuer, sub), never one made by
   * create_jwt (whose external_uid may be the same string as the sub) nor adopted by email, so a
   * sub or an email someone can choose at the provider opens no other account. (A user a provider
   * signed in before keys were namespaced has the bare sub too, and nothing tells it from a
   * create_jwt user's: it is not taken over either; its email answers 409 until it is freed.)
   */
  async function findProviderUser(organisationId: string, identity: ProviderIdentity): Promise<UserRecord | undefined> {
    const byKey = await users.findUserByExternalUid(organisationId, identity.externalUid, false);
    if (byKey) return refusePasswordAccount(byKey);
    const byEmail = refusePasswordAccount(await users.findUserByEmail(organisationId, identity.email, false));
    if (!byEmail || byEmail.externalUid === identity.externalUid) return byEmail;
    throw new EmailTakenError('This email belongs to a user this identity provider did not sign in', [{ path: '/email', message: 'belongs to another user' }]);
  }

  async function findOrProvision(organisationId: string, identity: PartnerIdentity | ProviderIdentity, isTest: boolean): Promise<UserRecord> {
    for (let attempt = 0; ; attempt += 1) {
      const existing = 'issuer' in identity ? await findProviderUser(organisationId, identity) : await findExisting(organisationId, identity, isTest);
      if (existing) return syncIdentity(existing, identity);
      try {
        return await users.provisionUser(organisationId, {
          userName: identity.name?.trim() ?? '',
          email: identity.email,
          isTest,
          externalUid: identity.externalUid,
        });
      } catch (error) {
        // A concurrent first sight of the same user won the insert: use the user it made.
        const lostRace = error instanceof EmailTakenError || error instanceof UniquenessViolation;
        if (!lostRace || attempt > 0) throw error;
      }
    }
  }

  /** The identity a partner's token vouches for, held to the rules a face's request is held to. */
  function identityFromClaims(issuer: string, payload: Record<string, unknown>): ProviderIdentity {
    const { email, name, sub } = payload;
    for (const [claim, value] of Object.entries({ email, name, sub })) {
      if (typeof value === 'string' && isUnsafeText(value)) throw new InvalidTokenError(`The identity provider's token has a ${claim} claim that is not valid text`);
    }
    if (typeof email !== 'string' || email.length > EMAIL_MAX_LENGTH || !isEmailAddress(email)) {
      throw new InvalidTokenError("The identity provider's token has no valid email claim");
    }
    // The email becomes the user's, and its Stripe customer's: unless its provider says it verified it
    // (true, or "true" in any case) or says nothing, it is no one's to take ("False", 0 and null included).
    const verified = payload.email_verified;
    if (verified !== undefined && verified !== true && !(typeof verified === 'string' && verified.trim().toLowerCase() === 'true')) {
      throw new InvalidTokenError("The identity provider has not verified the token's email");
    }
    // An identifier is matched whole: cut short, two users' subs could become one.
    if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 255) throw new InvalidTokenError("The identity provider's token has no sub claim of 1 to 255 characters");
    return {
      email,
      // A name no face would take (blank; control, bidirectional-override or invisible characters) is not taken from a token either.
      name: typeof name === 'string' && name !== '' && isDisplayName(name) ? cutName(name, 100) : undefined,
      externalUid: providerUserKey(issuer, sub),
      issuer,
    };
  }

  /**
   * A token from a partner's identity provider: the organisation is the access key's, else the one
   * trusting its issuer for its audience (one organisation at most per issuer and audience). Only
   * a token naming several audiences, each trusted by another organisation, is ambiguous: the
   * caller must then send its access_key.
   */
  const audiencesOf = (aud: unknown): string[] =>
    typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string').slice(0, 10) : [];

  async function authenticatePartnerToken(token: string, issuer: string, audiences: string[], organisationId: string | undefined): Promise<PartnerUser> {
    // A token naming audiences that several organisations trust is meant for more than one of them:
    // no access_key makes it one organisation's alone (it would open an account in each).
    const trusting = audiences.length > 1 || !organisationId ? await deps.settings.identityProvidersFor(issuer, audiences) : [];
    if (new Set(trusting.map((t) => t.organisationId)).size > 1) {
      throw new InvalidTokenError("This token names audiences that several organisations trust: it belongs to none of them alone");
    }
    const candidates = organisationId ? [{ organisationId, provider: await deps.settings.identityProviderOf(organisationId) }] : trusting;
    const accepted: Array<{ organisationId: string; payload: Record<string, unknown> }> = [];
    let failure: unknown;
    for (const { organisationId: orgId, provider } of candidates) {
      if (!provider || provider.issuer !== issuer) continue;
      try {
        accepted.push({ organisationId: orgId, payload: deps.verifier.verify(token, provider) });
      } catch (error) {
        failure = error;
      }
    }
    const [match] = accepted;
    if (!match) throw failure instanceof InvalidTokenError ? failure : new InvalidTokenError(undefined, undefined, { cause: failure });
    const user = await findOrProvision(match.organisationId, identityFromClaims(issuer, match.payload), false);
    return { user, claimNames: Object.keys(match.payload) };
  }

  return {
    /** create_jwt and testing/create_jwt: the user (created on first sight) and a JWT for it. */
    async issueUserJwt(organisationId: string, identity: PartnerIdentity, isTest: boolean): Promise<{ jwtToken: string; user: UserRecord }> {
      const user = await findOrProvision(organisationId, identity, isTest);
      const { access_token: jwtToken } = await users.startSession(user);
      return { jwtToken, user };
    },

    /**
     * The user behind a user JWT: one we issued, or one the partner's identity provider signed.
     * With organisationId (from an access_key) the user must belong to that organisation.
     */
    async authenticateUserJwt(token: string, organisationId?: string): Promise<PartnerUser> {
      const { payload } = peekToken(token);
      const issuer = typeof payload.iss === 'string' ? payload.iss : undefined;
      if (issuer === undefined || issuer === deps.ownIssuer) {
        const { self } = await deps.authentication.authenticateAccessToken(token);
        if (!self) throw new InvalidTokenError();
        if (organisationId !== undefined && self.organisationId !== organisationId) {
          throw new OrganisationMismatchError('This user JWT belongs to another organisation than the access_key');
        }
        return { user: self, claimNames: ['iss', 'sub', 'aud', 'exp', 'iat', 'email', ...(self.userName ? ['name'] : [])] };
      }
      const audiences = audiencesOf(payload.aud);
      // Unverified text that is about to be looked up: text no record may hold matches no provider.
      if (isUnsafeText(issuer) || audiences.some(isUnsafeText)) throw new InvalidTokenError();
      return authenticatePartnerToken(token, issuer, audiences, organisationId);
    },
  };
}

export type PartnerIdentityService = ReturnType<typeof createPartnerIdentityService>;
