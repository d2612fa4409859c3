import { requirePartnerCredential, type Principal } from '../auth/principal.js';
import { InvalidLinkStateError, LinkBrowserMismatchError, NotFoundError, RedirectUriNotAllowedError, SystemNotLinkableError, TestUserRequiredError } from '../errors.js';
import type { OrganisationService } from '../organisations/organisation.service.js';
import type { OrganisationSettingsService } from '../partners/organisation-settings.service.js';
import type { UserRecord } from '../users/user.repository.js';
import type { UserService } from '../users/user.service.js';
import type { LinkProof, LinkStateUses } from './link-proof.js';
import type { LinkState, LinkStateCodec } from './link-state.js';
import type { TransactableSystemService } from './transactable-system.service.js';

/** How linking starts: test users see a demo permission page; live users go to the system's own link page. */
export type LinkingStart =
  | { kind: 'consent'; consentToken: string; systemName: string; organisationName: string; userEmail: string; redirectUri: string }
  | { kind: 'redirect'; location: string };

export interface LinkingRequest {
  systemId: string;
  redirectUri?: string | undefined;
  partnerState?: string | undefined;
  /** Where a live system sends the browser back to, with our state. */
  callbackUrl: string;
  /** The browser the flow starts in (the link cookie's digest): only it can finish a live flow. */
  browser: string;
}

// An error code a system reports is passed on to the partner only if it looks like one.
const SAFE_ERROR = /^[a-z0-9_]{1,64}$/;

/** The partner's redirect_uri with the outcome: system_id, linked_account, error on refusal, and its own state. */
function outcomeLocation(state: LinkState, linked: boolean, error?: string): string {
  const url = new URL(state.redirectUri);
  url.searchParams.set('system_id', state.systemId);
  url.searchParams.set('linked_account', String(linked));
  if (error) url.searchParams.set('error', error);
  if (state.partnerState !== undefined) url.searchParams.set('state', state.partnerState);
  return url.toString();
}

/** Coord's account linking in the user's browser, with the state signed and expiring at every hop. */
export function createAccountLinkingService(deps: {
  systems: TransactableSystemService;
  settings: OrganisationSettingsService;
  organisations: OrganisationService;
  users: UserService;
  codec: LinkStateCodec;
  proof: LinkProof;
  uses: LinkStateUses;
}) {
  const { systems, codec } = deps;

  /** Only registered URIs, matched exactly; with exactly one registered, it is the default. */
  async function allowedRedirectUri(organisationId: string, requested: string | undefined): Promise<string> {
    const registered = await deps.settings.redirectUrisOf(organisationId);
    if (requested === undefined && registered.length === 1) return registered[0]!;
    if (requested === undefined) {
      throw new RedirectUriNotAllowedError('redirect_uri is required (the organisation has not registered exactly one)', [{ path: '/redirect_uri', message: 'is required' }]);
    }
    if (!registered.includes(requested)) {
      throw new RedirectUriNotAllowedError(undefined, [{ path: '/redirect_uri', message: 'is not registered for this organisation' }]);
    }
    return requested;
  }

  /** The user and system a state names, checked again: either may have changed since the flow began. */
  async function resumeFlow(state: LinkState): Promise<UserRecord> {
    const organisation = await deps.organisations.findOrganisation(state.organisationId);
    // A disabled organisation's flows end with its keys and tokens.
    if (!organisation || organisation.disabledAt !== null) throw new InvalidLinkStateError('The organisation of this linking flow is disabled');
    const user = await deps.users.findUserById(state.organisationId, state.userId);
    if (!user) throw new InvalidLinkStateError('The user of this linking flow no longer exists');
    await systems.requireLinkableSystem(state.organisationId, state.systemId, '/system_id');
    await allowedRedirectUri(state.organisationId, state.redirectUri);
    return user;
  }

  return {
    async startLinking(user: UserRecord, request: LinkingRequest): Promise<LinkingStart> {
      const system = await systems.requireLinkableSystem(user.organisationId, request.systemId, '/system_id');
      const redirectUri = await allowedRedirectUri(user.organisationId, request.redirectUri);
      const state = { userId: user.id, organisationId: user.organisationId, systemId: system.systemId, redirectUri, partnerState: request.partnerState };
      if (user.isTest) {
        const organisation = await deps.organisations.findOrganisation(user.organisationId);
        const consentToken = codec.encode({ ...state, purpose: 'consent' });
        return { kind: 'consent', consentToken, systemName: system.name, organisationName: organisation?.name ?? 'Your app', userEmail: user.email, redirectUri };
      }
      if (system.linkUrl === null) {
        throw new SystemNotLinkableError(`The system "${system.systemId}" has no link URL for live users`, [{ path: '/system_id', message: 'has no link URL' }]);
      }
      const location = new URL(system.linkUrl);
      location.searchParams.set('state', codec.encode({ ...state, purpose: 'link', browser: request.browser }));
      location.searchParams.set('redirect_uri', request.callbackUrl);
      location.searchParams.set('system_id', system.systemId);
      return { kind: 'redirect', location: location.toString() };
    },

    /** The Allow / Deny of the demo permission page: recorded, then the partner hears the outcome. */
    async decideConsent(consentToken: string, allow: boolean): Promise<string> {
      const state = codec.decode(consentToken, 'consent');
      const user = await resumeFlow(state);
      if (!user.isTest) throw new TestUserRequiredError('The demo permission page is for test users only');
      await deps.uses.consume(state.stateId, state.expiresAt);
      await systems.recordLink(user, state.systemId, allow);
      return outcomeLocation(state, allow, allow ? undefined : 'access_denied');
    },

    /**
     * The secret one of the organisation's live systems signs its callbacks with. It vouches for
     * partner users' links, so only the partner's credential reads it (requirePartnerCredential).
     */
    async linkSecretFor(principal: Principal, systemId: string): Promise<{ systemId: string; secret: string }> {
      const listed = await systems.listForAdmin(principal);
      requirePartnerCredential(principal, "read a system's link secret");
      const system = listed.find((s) => s.systemId === systemId);
      if (!system) throw new NotFoundError('No such transactable system');
      return { systemId: system.systemId, secret: deps.proof.secretFor(principal.organisationId, system.systemId) };
    },

    /**
     * A live system sent the browser back: linked unless it reports an error (e.g. access_denied).
     * An error leaves an earlier link alone: a user who abandons re-linking stays linked. Only the
     * browser that started the flow finishes it (RFC 6749 §10.12): a state handed to someone else,
     * whose approval at the system would link their account to the starter's user, is refused
     * there without being used up. (States issued before the binding existed name no browser.)
     */
    async completeLink(stateToken: string, error: string | undefined, signature: string | undefined, browser: string | undefined): Promise<string> {
      const state = codec.decode(stateToken, 'link');
      // Proof first: a browser without the system's signature cannot even use the state up.
      deps.proof.assertSigned(state.organisationId, state.systemId, stateToken, error ?? 'linked', signature);
      if (state.browser !== undefined && state.browser !== browser) throw new LinkBrowserMismatchError();
      const user = await resumeFlow(state);
      await deps.uses.consume(state.stateId, state.expiresAt);
      if (error !== undefined) return outcomeLocation(state, false, SAFE_ERROR.test(error) ? error : 'link_failed');
      await systems.recordLink(user, state.systemId, true);
      return outcomeLocation(state, true);
    },
  };
}

export type AccountLinkingService = ReturnType<typeof createAccountLinkingService>;
