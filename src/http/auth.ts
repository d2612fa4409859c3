import type { FastifyRequest } from 'fastify';
import type { Authenticated, AuthenticationService } from '../core/auth/authentication.service.js';
import { AppError, UnauthenticatedError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authenticated | undefined;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function bearerCredential(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match) throw new UnauthenticatedError('Send credentials as "Authorization: Bearer <token>"', undefined, { headers: challenge('invalid_request') });
  return match[1];
}

/** RFC 6750 challenge; the reason for a refusal stays in the log, not in the header or body. */
export function challenge(error?: 'invalid_token' | 'invalid_request'): Record<string, string> {
  return { 'www-authenticate': error ? `Bearer realm="paybridge", error="${error}"` : 'Bearer realm="paybridge"' };
}

/** 401s carry an RFC 6750 challenge on every face. */
export function withChallenge(error: unknown): unknown {
  if (error instanceof AppError && error.statusCode === 401 && !error.headers) {
    return new AppError(error.code, 401, error.message, error.details, { headers: challenge('invalid_token'), cause: error.cause });
  }
  return error;
}

/** onRequest hook (before the body is read or judged: no credential is a 401, never a 400, 413 or 415 about the body) for routes that need a caller: a user JWT or an organisation API key. */
export function requireBearer(authn: AuthenticationService) {
  return async (request: FastifyRequest): Promise<void> => {
    const credential = bearerCredential(request);
    if (credential === undefined) throw new UnauthenticatedError(undefined, undefined, { headers: challenge() });
    try {
      request.auth = await authn.authenticateBearer(credential);
    } catch (error) {
      throw withChallenge(error);
    }
  };
}

/** Like requireBearer, but a request without credentials passes through anonymous. */
export function optionalBearer(authn: AuthenticationService) {
  const required = requireBearer(authn);
  return async (request: FastifyRequest): Promise<void> => {
    if (request.headers.authorization !== undefined) await required(request);
  };
}

export function authOf(request: FastifyRequest): Authenticated {
  if (!request.auth) throw new UnauthenticatedError(undefined, undefined, { headers: challenge() });
  return request.auth;
}
