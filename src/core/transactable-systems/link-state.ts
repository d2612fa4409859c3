import { createHmac } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { InvalidLinkStateError } from '../errors.js';
import { newStateId } from './link-proof.js';

/**
 * What a browser carries through an account-linking flow: 'consent' from the demo permission
 * page to its form post, 'link' from a live system back to our callback.
 */
export interface LinkState {
  purpose: 'consent' | 'link';
  userId: string;
  organisationId: string;
  systemId: string;
  /** The partner's registered redirect_uri the outcome goes to. */
  redirectUri: string;
  /** The partner's own opaque state, handed back with the outcome. */
  partnerState?: string | undefined;
  /** A live flow's browser: the digest of the link cookie its start set (see linkBrowserCookie). */
  browser?: string | undefined;
}

/** A state as read back: with its id and expiry, so it can be used once. */
export interface DecodedLinkState extends LinkState {
  stateId: string;
  expiresAt: Date;
}

const AUDIENCE = 'paybridge-link-state';

/** How long a flow's state (and the cookie that binds a live flow to its browser) lasts. */
export const LINK_STATE_TTL_SECONDS = 600;

/**
 * Signed, expiring link states (HS256, algorithm pinned). The key is derived from the JWT secret
 * for this one use, so a state can never pass for an access token, nor an access token for a state.
 */
export function createLinkStateCodec(options: { secret: string; issuer: string; ttlSeconds: number }) {
  const key = createHmac('sha256', options.secret).update('paybridge/account-link-state/v1').digest();
  const sign = createSigner({ key, algorithm: 'HS256', iss: options.issuer, aud: AUDIENCE, expiresIn: options.ttlSeconds * 1000 });
  const verify = createVerifier({
    key,
    algorithms: ['HS256'],
    allowedIss: options.issuer,
    allowedAud: AUDIENCE,
    requiredClaims: ['iss', 'aud', 'exp', 'sub', 'org', 'sys', 'ruri', 'pur', 'jti'],
  });

  return {
    encode(state: LinkState): string {
      return sign({
        sub: state.userId,
        org: state.organisationId,
        sys: state.systemId,
        ruri: state.redirectUri,
        pur: state.purpose,
        jti: newStateId(),
        ...(state.partnerState !== undefined ? { pst: state.partnerState } : {}),
        ...(state.browser !== undefined ? { bws: state.browser } : {}),
      });
    },

    /** The state, if it is ours, unexpired and meant for this step of the flow. */
    decode(token: string, purpose: LinkState['purpose']): DecodedLinkState {
      let claims: Record<string, unknown>;
      try {
        claims = verify(token) as Record<string, unknown>;
      } catch (error) {
        throw new InvalidLinkStateError(undefined, undefined, { cause: error });
      }
      const { sub, org, sys, ruri, pur, pst, bws, jti, exp } = claims;
      if (pur !== purpose || typeof sub !== 'string' || typeof org !== 'string' || typeof sys !== 'string' || typeof ruri !== 'string') {
        throw new InvalidLinkStateError();
      }
      if (typeof jti !== 'string' || typeof exp !== 'number') throw new InvalidLinkStateError();
      const partnerState = typeof pst === 'string' ? pst : undefined;
      const browser = typeof bws === 'string' ? bws : undefined;
      return { purpose, userId: sub, organisationId: org, systemId: sys, redirectUri: ruri, partnerState, browser, stateId: jti, expiresAt: new Date(exp * 1000) };
    },
  };
}

export type LinkStateCodec = ReturnType<typeof createLinkStateCodec>;
