import { sample } from './samples.js';
import type { ErrorOverride, ResponseDocs } from './types.js';

export type Face = 'native' | 'coord' | 'carevalidate';

type ErrorCase = { description: string; code: string; message: string; field?: string };

/** What each error status means on every face; a face's envelope wraps the same code and message. */
const ERROR_CASES: Record<string, ErrorCase> = {
  400: { description: 'The request is malformed or a field is invalid; the body names each field at fault', code: 'VALIDATION_FAILED', message: 'The request is invalid', field: '/email' },
  401: { description: 'No credential, or one that is invalid, revoked or expired (see the WWW-Authenticate header)', code: 'UNAUTHENTICATED', message: 'Authentication is required' },
  402: { description: 'The card was declined; try another payment method', code: 'CARD_DECLINED', message: 'Your card was declined.' },
  403: { description: 'The caller is authenticated but may not do this', code: 'FORBIDDEN', message: 'You may not do this' },
  404: { description: 'No such object, or one the caller may not see', code: 'NOT_FOUND', message: 'No such object' },
  409: { description: 'The request conflicts with what is stored', code: 'CONFLICT', message: 'The request conflicts with the current state' },
  408: { description: 'The request was not sent in full within REQUEST_TIMEOUT_MS; the connection is closed', code: 'REQUEST_TIMEOUT', message: 'The request was not sent in time' },
  413: { description: 'The body is larger than the configured BODY_LIMIT', code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  415: { description: 'The body is not in a content type this route accepts (send application/json)', code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json' },
  431: { description: "The request headers are larger than Node's limit (16 KiB); answered before routing, and the connection is closed", code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
  429: { description: 'Too many failed attempts; retry after the Retry-After header', code: 'RATE_LIMITED', message: 'Too many failed logins; try again later' },
  501: { description: 'A Transfer-Encoding other than chunked (e.g. gzip, chunked); answered before routing', code: 'TRANSFER_CODING_NOT_SUPPORTED', message: 'Only the chunked transfer coding is supported: send the body as it is, or chunked' },
  503: { description: 'A dependency (Stripe or the database) is unavailable; retrying the same request is safe', code: 'PROVIDER_UNAVAILABLE', message: 'The payment provider is unavailable; retry later' },
};

/** Where a face's usual case of a status is its own. */
const FACE_CASES: Partial<Record<Face, Record<string, ErrorCase>>> = {
  coord: {
    403: {
      description: 'The caller may not do this; ORGANISATION_MISMATCH: the access keys, or an access_key and the user JWT, belong to different organisations',
      code: 'ORGANISATION_MISMATCH',
      message: 'This user JWT belongs to another organisation than the access_key',
    },
  },
};

export function errorDocs(face: Face, status: string, override?: ErrorOverride): ResponseDocs | undefined {
  const base = FACE_CASES[face]?.[status] ?? ERROR_CASES[status];
  if (!base) return undefined;
  const error = { ...base, ...override };
  return { description: error.description, example: envelope(face, Number(status), error) };
}

function envelope(face: Face, status: number, error: ErrorCase): unknown {
  const fields = status === 400 && error.field ? [{ path: error.field, message: 'must match format "email"' }] : undefined;
  if (face === 'native') {
    return { statusCode: status, code: error.code, message: error.message, requestId: sample.requestId, ...(fields ? { details: fields } : {}) };
  }
  if (face === 'coord') {
    const coordFields = fields?.map((f) => ({ field: f.path.replace(/^\//, ''), message: f.message }));
    return { status, code: error.code, message: error.message, request_id: sample.requestId, ...(coordFields ? { fields: coordFields } : {}) };
  }
  // CareValidate's own envelope (seed 004): 401 is a bare { status, error }.
  if (status === 401) return { status, error: 'Invalid API key' };
  return { status, success: false, message: status === 400 ? 'Invalid request' : error.message, error: status === 400 ? 'User john@example.com does not exist' : error.message };
}
