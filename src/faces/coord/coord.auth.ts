import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../http/app-context.js';
import { looksLikeJwt } from '../../core/auth/access-token.js';
import { OrganisationMismatchError, UnauthenticatedError } from '../../core/errors.js';
import type { PartnerUser } from '../../core/partners/partner-identity.service.js';
import { bearerCredential, challenge, withChallenge } from '../../http/auth.js';

/** Who called a Coord route: always an organisation; a user too on the user routes. */
export interface CoordCaller {
  organisationId: string;
  partnerUser?: PartnerUser;
}

declare module 'fastify' {
  interface FastifyRequest {
    coord: CoordCaller | undefined;
  }
}

type Services = AppContext['services'];

const queryValue = (request: FastifyRequest, name: string): string | undefined => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** 401s carry an RFC 6750 challenge, as on the native face. */
async function challenged<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw withChallenge(error);
  }
}

/** The partner's API keys, wherever sent: access_key, X-Access-Key, or a bearer that is not a JWT (Coord's server token). */
function partnerKeysOf(request: FastifyRequest, bearer: string | undefined): string[] {
  const header = request.headers['x-access-key'];
  const keys = [queryValue(request, 'access_key'), typeof header === 'string' ? header : undefined, bearer && !looksLikeJwt(bearer) ? bearer : undefined];
  return [...new Set(keys.filter((key): key is string => key !== undefined))];
}

/** The organisation of the keys sent, if any: every key must be valid, and all of one organisation. */
async function partnerOrganisation(services: Services, request: FastifyRequest, bearer: string | undefined): Promise<string | undefined> {
  const keys = partnerKeysOf(request, bearer);
  if (keys.length === 0) return undefined;
  const organisations = new Set<string>();
  for (const key of keys) organisations.add((await challenged(() => services.authentication.authenticateApiKey(key))).principal.organisationId);
  if (organisations.size > 1) throw new OrganisationMismatchError('The access keys sent belong to different organisations');
  return [...organisations][0];
}

const missingKey = () =>
  new UnauthenticatedError('An organisation API key is required: the access_key query parameter, an X-Access-Key header, or Authorization: Bearer <key>', undefined, {
    headers: challenge(),
  });

const missingJwt = () =>
  new UnauthenticatedError('A user JWT is required: Authorization: Bearer <jwt_token> (from create_jwt, or your identity provider)', undefined, {
    headers: challenge(),
  });

/** onRequest hook (before the body is read or judged, so a missing key is a 401, never a 400 or 413 about the body): an organisation API key (Coord's access_key or server token). */
export function requirePartner(services: Services) {
  return async (request: FastifyRequest): Promise<void> => {
    const organisationId = await partnerOrganisation(services, request, bearerCredential(request));
    if (organisationId === undefined) throw missingKey();
    request.coord = { organisationId };
  };
}

/**
 * onRequest hook: a user JWT in Authorization (or, for browser routes, the `jwt` query parameter).
 * An access_key, when also sent, must be valid and of the user's organisation.
 */
export function requireUser(services: Services, options: { jwtInQuery?: boolean } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const bearer = bearerCredential(request);
    const organisationId = await partnerOrganisation(services, request, bearer);
    const jwt = bearer && looksLikeJwt(bearer) ? bearer : options.jwtInQuery ? queryValue(request, 'jwt') : undefined;
    if (jwt === undefined) throw missingJwt();
    const partnerUser = await challenged(() => services.partnerIdentity.authenticateUserJwt(jwt, organisationId));
    request.coord = { organisationId: partnerUser.user.organisationId, partnerUser };
  };
}

/** onRequest hook: a user JWT when one is sent, else an organisation API key. */
export function requireUserOrPartner(services: Services) {
  const user = requireUser(services);
  const partner = requirePartner(services);
  return async (request: FastifyRequest): Promise<void> => {
    const bearer = bearerCredential(request);
    await (bearer && looksLikeJwt(bearer) ? user(request) : partner(request));
  };
}

export function callerOf(request: FastifyRequest): CoordCaller {
  if (!request.coord) throw missingKey();
  return request.coord;
}

export function partnerUserOf(request: FastifyRequest): PartnerUser {
  const user = request.coord?.partnerUser;
  if (!user) throw missingJwt();
  return user;
}
