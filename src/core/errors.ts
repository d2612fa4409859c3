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
/** The path exists, under other methods (named in the Allow header). */
export const MethodNotAllowedError = defineError('METHOD_NOT_ALLOWED', 405, 'This method is not allowed on this path');
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
export const ShuttingDownError = defineError('SHUTTING_DOWN', 503, 'This instance is shutting down; retry (on a new connection)');

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

// The money lifecycle (capture, cancel, refunds): an operation the payment's state does not allow.
export const PaymentNotCapturableError = defineError('PAYMENT_NOT_CAPTURABLE', 409, 'Only an authorised payment (requires_capture) can be captured');
export const PaymentNotConfirmableError = defineError('PAYMENT_NOT_CONFIRMABLE', 409, 'This payment is canceled and can no longer be confirmed; create a new one');
export const PaymentNotCancelableError = defineError('PAYMENT_NOT_CANCELABLE', 409, 'A payment that succeeded cannot be canceled; refund it instead');
export const PaymentNotRefundableError = defineError('PAYMENT_NOT_REFUNDABLE', 409, 'Only a payment that succeeded can be refunded');

/** The payment provider refused the request itself (unknown object, invalid parameter, used token). */
export const ProviderRejectedError = defineError('PROVIDER_REJECTED', 400, 'The payment provider refused the request');
export const ProviderUnavailableError = defineError(
  'PROVIDER_UNAVAILABLE',
  503,
  'The payment provider is unavailable; retry the same request (with the same idempotency key) shortly',
);
export const UnsupportedTransferCodingError = defineError(
  'TRANSFER_CODING_NOT_SUPPORTED',
  501,
  'Only the chunked transfer coding is supported: send the body as it is, or chunked',
);
/** Whether an error is the client's to fix (every 4xx, and a 501 for what it sent): told as such, logged without alarm. */
export const isClientFault = (error: AppError): boolean => error.statusCode < 500 || error instanceof UnsupportedTransferCodingError;
export const InvalidSignatureError = defineError('INVALID_SIGNATURE', 400, 'The webhook signature is invalid or too old');
export const MalformedEventError = defineError(
  'MALFORMED_EVENT',
  400,
  'The signed body is not a Stripe event: id, type, created and data.object (with object and id) are required',
);
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
export const LinkBrowserMismatchError = defineError(
  'LINK_BROWSER_MISMATCH',
  400,
  'This account-linking flow was started in another browser; finish it in the browser that started it, or start linking again here',
);

export const CrossSiteFormError = defineError(
  'CROSS_SITE_FORM',
  403,
  'This form may only be posted from the page paybridge showed (another site sent it); go back to that page and choose again',
);

// Who may act on a user (src/core/users/user-authority.ts).
export const PartnerManagedUserError = defineError(
  'PARTNER_MANAGED_USER',
  403,
  "This user is managed by its organisation's partner side: its email and sign-in change only through the partner",
);
export const PasswordAccountError = defineError(
  'PASSWORD_ACCOUNT',
  409,
  'This email belongs to an account that signs in with a password; a partner credential cannot act on it',
);
export const RegistrationClosedError = defineError('REGISTRATION_CLOSED', 403, 'Public registration is closed for this organisation');
export const OrganisationDisabledError = defineError('ORGANISATION_DISABLED', 403, 'This organisation is disabled');
export const UnknownCustomerError = defineError('UNKNOWN_CUSTOMER', 404, 'Stripe has no customer with this id');
export const CustomerTakenError = defineError('CUSTOMER_TAKEN', 409, 'That Stripe customer belongs to another user');
export const PartnerCredentialRequiredError = defineError(
  'PARTNER_CREDENTIAL_REQUIRED',
  403,
  "Only an API key (the partner's server credential) can do this: what it makes vouches for partner users, which an administrator's session may not act for",
);
export const IdentityProviderTakenError = defineError(
  'IDENTITY_PROVIDER_TAKEN',
  409,
  'Another organisation already trusts this issuer for this audience; a token names one audience, so it can belong to one organisation only. If it is yours, the operator can release it (DELETE /operator/organisations/{id}/identity-provider)',
);
export const InvalidLinkProofError = defineError(
  'INVALID_LINK_PROOF',
  400,
  "The callback carries no valid signature from the system (HMAC-SHA256 of state and outcome under the system's link secret)",
);
