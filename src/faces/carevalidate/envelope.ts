import { AppError, isClientFault, ProviderUnavailableError, ServiceUnavailableError, ValidationError, type ErrorDetail } from '../../core/errors.js';
import type { ErrorEnvelope } from '../../http/error-handler.js';

/**
 * CareValidate's envelopes. Success: {status, success: true, data}. Failure:
 * {status, success: false, message, error}, where `message` is the kind of failure and
 * `error` says what exactly; a bad key is the bare {status: 401, error: "Invalid API key"}.
 */
export function success<S extends number, T>(status: S, data: T): { status: S; success: true; data: T } {
  return { status, success: true, data };
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Request header fields too large',
  501: 'Not implemented',
  503: 'Service unavailable',
};

const PROVIDER_DOWN =
  'The payment provider is unavailable or did not answer in time; the update was not applied. Retry the same request shortly.';
const SERVER_FAULT = 'Something went wrong on our side; the request was not completed. Retry the same request shortly.';

/** "/data/shippingAddress/state" → "data.shippingAddress.state" (the body itself is "body"). */
export function fieldName(pointer: string): string {
  if (pointer === '' || pointer === '/') return 'body';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** "data.city is required; data.state must be a US state code": what a client reads in `error`. */
export function describeDetails(details: readonly ErrorDetail[]): string {
  return details.map((d) => `${fieldName(d.path)} ${d.message}`).join('; ');
}

function describe(error: AppError): string {
  if (error instanceof ProviderUnavailableError) return PROVIDER_DOWN;
  if (error instanceof ServiceUnavailableError) return error.message;
  // Our own faults say nothing more; the client's say what to change.
  if (!isClientFault(error)) return SERVER_FAULT;
  if (error instanceof ValidationError && error.details?.length) return describeDetails(error.details);
  return error.message;
}

export const careValidateEnvelope: ErrorEnvelope = (error) => {
  if (error.statusCode === 401) return { status: 401, error: 'Invalid API key' };
  const title = TITLES[error.statusCode] ?? (error.statusCode >= 500 ? 'Internal error' : 'Invalid request');
  return { status: error.statusCode, success: false, message: title, error: describe(error) };
};

// Refusals a CareValidate client tells apart by status; every other one is its 400.
const KEPT_CLIENT_STATUSES = new Set([400, 401, 413, 415, 429]);

/**
 * CareValidate answers every refusal of a well-formed request (unknown user, taken email,
 * unknown or unusable SetupIntent) as 400 "Invalid request". The core's error, with its code
 * for the log, is kept as the cause; only the status changes.
 */
export function asInvalidRequest(error: unknown): unknown {
  if (!(error instanceof AppError) || error.statusCode >= 500 || KEPT_CLIENT_STATUSES.has(error.statusCode)) return error;
  return new AppError(error.code, 400, error.message, error.details, { headers: error.headers, cause: error });
}
