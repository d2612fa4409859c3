export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  setup_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

/** A Stripe error answer. Thrown by handlers; the server turns it into `{error: body}`. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalidRequest(message: string, code?: string, param?: string, status = 400): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) {
    body.code = code;
    body.doc_url = docUrl(code);
  }
  if (param) body.param = param;
  return new StripeApiError(status, body);
}

export const parameterUnknown = (param: string): StripeApiError =>
  invalidRequest(`Received unknown parameter: ${param}`, 'parameter_unknown', param);

export const parameterMissing = (param: string): StripeApiError =>
  invalidRequest(`Missing required param: ${param}.`, 'parameter_missing', param);

export const parameterInvalidInteger = (param: string, value: string): StripeApiError =>
  invalidRequest(`Invalid integer: ${value}`, 'parameter_invalid_integer', param);

export const parameterInvalidString = (param: string): StripeApiError =>
  invalidRequest(`Invalid string: expected a string for ${param}`, 'parameter_invalid_string', param);

export const parameterInvalidEmpty = (param: string): StripeApiError =>
  invalidRequest(`You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`, 'parameter_invalid_empty', param);

/** Stripe spells some resource names its own way in this message; callers rely on the exact text. */
export type ResourceName =
  | 'customer' | 'payment_intent' | 'setupintent' | 'PaymentMethod' | 'token' | 'charge'
  | 'refund' | 'event' | 'webhook_endpoint' | 'source' | 'dispute';

export const resourceMissing = (name: ResourceName, id: string, param = 'id'): StripeApiError =>
  invalidRequest(`No such ${name}: '${id}'`, 'resource_missing', param, 404);

export const unrecognizedUrl = (method: string, path: string): StripeApiError =>
  invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    'unrecognized_request_url', undefined, 404,
  );

export const missingApiKey = (): StripeApiError =>
  new StripeApiError(401, {
    type: 'invalid_request_error',
    message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
  });

/** Exactly Stripe's body: a message and a type, no code. */
export const invalidApiKey = (shown: string): StripeApiError =>
  new StripeApiError(401, {
    type: 'invalid_request_error',
    message: `Invalid API Key provided: ${shown}`,
  });

export const invalidApiVersion = (version: string): StripeApiError =>
  invalidRequest(`Invalid Stripe API version: ${version}`, undefined, undefined);

export const rateLimited = (): StripeApiError =>
  new StripeApiError(429, {
    type: 'invalid_request_error',
    code: 'rate_limit',
    message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
  });

export const apiError = (message = 'An unknown error occurred. Please try again (the emulator injected or hit an internal fault).'): StripeApiError =>
  new StripeApiError(500, { type: 'api_error', message });

export const idempotencyParamsMismatch = (key: string): StripeApiError =>
  new StripeApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });

export const idempotencyPathMismatch = (key: string, first: string, now: string): StripeApiError =>
  new StripeApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${first}' vs '${now}'). Try using a key other than '${key}' if you meant to execute a different request.`,
  });

export const idempotencyKeyInUse = (key: string): StripeApiError =>
  new StripeApiError(409, {
    type: 'idempotency_error',
    code: 'idempotency_key_in_use',
    message: `There is currently another in-progress request using this Stripe-Idempotency key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
  });

export const idempotencyKeyTooLong = (): StripeApiError =>
  invalidRequest('Idempotency-Key must be at most 255 characters long.', 'idempotency_key_too_long');

export const tokenAlreadyUsed = (id: string): StripeApiError =>
  invalidRequest(`You cannot use a Stripe token more than once: ${id}.`, 'token_already_used');

/**
 * `payment_intent_unexpected_state` / `setup_intent_unexpected_state`: as on Stripe, the body
 * embeds the intent as it is, so a client sees the status that refused it without another call.
 */
export function unexpectedState(intent: { id: string; object: 'payment_intent' | 'setup_intent' }, message: string): StripeApiError {
  const err = invalidRequest(message, `${intent.object}_unexpected_state`);
  err.body[intent.object] = structuredClone(intent);
  return err;
}

export interface CardErrorDetails {
  code: string;
  declineCode?: string;
  message: string;
  param?: string;
  charge?: string;
  paymentIntent?: unknown;
  setupIntent?: unknown;
  paymentMethod?: unknown;
}

export function cardError(d: CardErrorDetails): StripeApiError {
  const body: StripeErrorBody = { type: 'card_error', code: d.code, message: d.message, doc_url: docUrl(d.code) };
  if (d.declineCode) body.decline_code = d.declineCode;
  if (d.param) body.param = d.param;
  if (d.charge) body.charge = d.charge;
  if (d.paymentIntent) body.payment_intent = d.paymentIntent;
  if (d.setupIntent) body.setup_intent = d.setupIntent;
  if (d.paymentMethod) body.payment_method = d.paymentMethod;
  return new StripeApiError(402, body);
}

/**
 * `{error: body}`; with the request id, Stripe's `request_log_url` (the request's page in the
 * Dashboard's logs). Authentication failures carry none: there is no account to log them to.
 */
export function errorJson(err: StripeApiError, requestId?: string): string {
  if (!requestId || err.status === 401) return JSON.stringify({ error: err.body });
  return JSON.stringify({ error: { ...err.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}?t=${Math.floor(Date.now() / 1000)}` } });
}
