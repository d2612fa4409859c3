/**
 * The one catalogue of errors the core raises. Each has a stable UPPER_SNAKE code and an
 * HTTP status; faces translate them into their own envelopes but never invent codes.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorOptions {
  /** extra response headers, e.g. Retry-After or WWW-Authenticate */
  headers?: Record<string, string> | undefined;
  /** the underlying reason: logged, never sent to the client */
  cause?: unknown;
}

export class AppError extends Error {
  readonly headers: Record<string, string> | undefined;
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: ErrorDetail[],
    options: ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options.headers;
    this.name = code;
  }
}

function defineError(code: string, statusCode: number, defaultMessage: string) {
  return class extends AppError {
    static readonly code = code;
    static readonly statusCode = statusCode;
    constructor(message: string = defaultMessage, details?: ErrorDetail[], options?: ErrorOptions) {
      super(code, statusCode, message, details, options);
    }
  };
}

export const ValidationError = defineError('VALIDATION_FAILED', 400, 'The request is invalid');
export const MalformedBodyError = defineError(
  'MALFORMED_BODY',
  400,
  'The request body is not valid JSON, or uses a forbidden key (__proto__, constructor.prototype)',
);
export const WeakPasswordError = defineError('WEAK_PASSWORD', 400, 'The password is too common or too short');
export const UnauthenticatedError = defineError('UNAUTHENTICATED', 401, 'Authentication is required');
export const InvalidCredentialsError = defineError('INVALID_CREDENTIALS', 401, 'Invalid email or password');
export const InvalidTokenError = defineError('INVALID_TOKEN', 401, 'The access token is invalid or expired');
export const InvalidApiKeyError = defineError('INVALID_API_KEY', 401, 'The API key is invalid or revoked');
export const ForbiddenError = defineError('FORBIDDEN', 403, 'You are not allowed to do this');
export const NotFoundError = defineError('NOT_FOUND', 404, 'Not found');
export const RouteNotFoundError = defineError('ROUTE_NOT_FOUND', 404, 'No such route');
export const EmailTakenError = defineError('EMAIL_TAKEN', 409, 'That email is already registered');
export const ConflictError = defineError('CONFLICT', 409, 'The resource already exists');
export const IdempotencyConflictError = defineError(
  'IDEMPOTENCY_KEY_REUSED',
  409,
  'This idempotency key was already used with a different request body',
);
export const IdempotencyInProgressError = defineError(
  'IDEMPOTENCY_KEY_IN_USE',
  409,
  'A request with this idempotency key is still being processed; retry shortly',
);
export const PayloadTooLargeError = defineError('PAYLOAD_TOO_LARGE', 413, 'The request body is too large');
export const UnsupportedMediaTypeError = defineError('UNSUPPORTED_MEDIA_TYPE', 415, 'Send the body as application/json');
export const RateLimitedError = defineError('RATE_LIMITED', 429, 'Too many attempts; retry later');
export const InternalError = defineError('INTERNAL_ERROR', 500, 'Something went wrong on our side');
export const ServiceUnavailableError = defineError('SERVICE_UNAVAILABLE', 503, 'A dependency is unavailable; retry later');

/** A card was declined; declineCode is the processor's reason (e.g. insufficient_funds). */
export class PaymentDeclinedError extends AppError {
  static readonly code = 'CARD_DECLINED';
  constructor(
    message: string,
    readonly declineCode: string,
    readonly paymentIntentId?: string,
  ) {
    super('CARD_DECLINED', 402, message);
  }
}

/** The payment provider refused the request itself (unknown object, invalid parameter, used token). */
export const ProviderRejectedError = defineError('PROVIDER_REJECTED', 400, 'The payment provider refused the request');
export const ProviderUnavailableError = defineError(
  'PROVIDER_UNAVAILABLE',
  503,
  'The payment provider is unavailable; retry the same request (with the same idempotency key) shortly',
);
export const InvalidSignatureError = defineError('INVALID_SIGNATURE', 400, 'The webhook signature is invalid or too old');
export const TestUserError = defineError('TEST_USER_NOT_ALLOWED', 403, 'Test users cannot do this');

// The partner faces (Coord's Users API): what a partner or its users can get wrong.
export const TestUserRequiredError = defineError('TEST_USER_REQUIRED', 403, 'Only test users (test JWTs) can do this');
export const OrganisationMismatchError = defineError(
  'ORGANISATION_MISMATCH',
  403,
  'The credentials belong to different organisations (e.g. an access_key of one and a user JWT of another)',
);
export const InvalidCardTokenError = defineError('INVALID_CARD_TOKEN', 400, 'The card token is unknown, already used, or not a card');
export const SystemNotLinkableError = defineError('SYSTEM_NOT_LINKABLE', 400, 'This transactable system cannot be linked');
export const UnknownSystemError = defineError('UNKNOWN_SYSTEM', 400, 'No transactable system with this id');
export const RedirectUriNotAllowedError = defineError(
  'REDIRECT_URI_NOT_ALLOWED',
  400,
  'The redirect_uri is not registered for this organisation',
);
export const InvalidLinkStateError = defineError('INVALID_LINK_STATE', 400, 'The account-linking state is invalid or expired; start linking again');
