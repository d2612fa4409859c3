import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isClientFault, MethodNotAllowedError, PaymentDeclinedError, RouteNotFoundError, ShuttingDownError, type AppError } from '../core/errors.js';
import { toAppError } from './error-mapping.js';
import { redactUrl, withoutQueryValues } from './logging.js';

/** How a face writes an error: each face has its own documented envelope. */
export type ErrorEnvelope = (error: AppError, request: FastifyRequest) => unknown;

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, envelope: ErrorEnvelope) {
  const appError = toAppError(error);
  const context = { err: error, code: appError.code, statusCode: appError.statusCode };
  // The client's faults are its business (warn, no stack); the rest are ours (error, with the cause),
  // but for a request that reached an instance shutting down, which is no fault.
  if (!isClientFault(appError) && !(appError instanceof ShuttingDownError)) request.log.error(context, 'request failed');
  else request.log.warn({ code: appError.code, statusCode: appError.statusCode, reason: reasonOf(error) }, appError.message);
  if (appError.headers) void reply.headers(appError.headers);
  return reply.code(appError.statusCode).send(envelope(appError, request));
}

function reasonOf(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? withoutQueryValues(cause).message : undefined;
}

/** Installs a face's envelope for thrown errors and unknown routes within its scope. */
export function useErrorEnvelope(app: FastifyInstance, envelope: ErrorEnvelope): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, envelope));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // The path as logged (a token or client secret in it withheld): the message is logged and answered.
    const shown = redactUrl(path);
    const allowed = app.allowedMethods(path);
    const error = allowed.length
      ? new MethodNotAllowedError(`${request.method} is not allowed on ${shown}; it answers ${allowed.join(', ')}`, undefined, { headers: { allow: allowed.join(', ') } })
      : new RouteNotFoundError(`No route ${request.method} ${shown}`);
    return sendError(error, request, reply, envelope);
  });
}

/** The native envelope: {statusCode, code, message, requestId, declineCode?, details?}. */
export const nativeEnvelope: ErrorEnvelope = (error, request) => ({
  statusCode: error.statusCode,
  code: error.code,
  message: error.message,
  requestId: request.id,
  ...(error instanceof PaymentDeclinedError ? { declineCode: error.declineCode } : {}),
  ...(error.details ? { details: error.details } : {}),
});
