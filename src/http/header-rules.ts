import type { IncomingMessage } from 'node:http';
import { UnsupportedMediaTypeError, UnsupportedTransferCodingError, ValidationError, type AppError } from '../core/errors.js';

// Headers a request may carry once: Node keeps the first of repeated ones and drops the rest, so
// two keys (of two organisations, say) would be served as whichever came first; and two Hosts
// name two sites (RFC 9112 §3.2: a 400).
const ONCE = new Set(['authorization', 'cv-api-key', 'x-access-key', 'host']);

// RFC 9110 §7.2, RFC 3986 §3.2.2: a registered name (ASCII: an international one in punycode;
// underscores too, as container service names have them), an IPv4 address or a bracketed IPv6
// one, then an optional port of 0 to 65535.
const HOST_VALUE = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

function isHostValue(host: string): boolean {
  const match = HOST_VALUE.exec(host);
  return match !== null && (match[1] === undefined || Number(match[1]) <= 65_535);
}

/** Whether the body comes in a content encoding we do not decode (it would be parsed as if it were plain). */
export const isEncodedBody = (request: IncomingMessage) => {
  const encoding = request.headers['content-encoding'];
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
};

/**
 * What a body must not be, once the caller is known (preParsing, after authentication): in an
 * encoding we do not decode. Answers the fault, if any.
 */
export function bodyFault(request: IncomingMessage): AppError | undefined {
  if (!isEncodedBody(request)) return undefined;
  return new UnsupportedMediaTypeError('Content-Encoding is not supported: send the body uncompressed', [{ path: '/headers/content-encoding', message: 'must be absent (or identity)' }]);
}

/**
 * What a request's headers must not do, whatever the route and before anyone is authenticated:
 * lack a Host or carry it twice, carry a credential twice, or frame its body in a transfer coding we do not decode (it would be parsed as if it were plain JSON, or fail as
 * malformed). Answers the fault, if any.
 */
export function headerFault(request: IncomingMessage): AppError | undefined {
  // Node's own refusal of a Host-less HTTP/1.1 request is a bare 400 (requireHostHeader is off for this).
  const host = request.headers.host;
  if (host === undefined && request.httpVersion === '1.1') {
    return new ValidationError('An HTTP/1.1 request must carry a Host header', [{ path: '/headers/host', message: 'must be sent' }]);
  }
  if (host !== undefined && !isHostValue(host)) {
    return new ValidationError('The Host header is not a host name or address (with an optional port)', [{ path: '/headers/host', message: 'must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional port' }]);
  }
  // Node's parser takes a transfer coding it then does not decode ("gzip, chunked" is read as chunked only).
  const transfer = request.headers['transfer-encoding'];
  if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked') {
    return new UnsupportedTransferCodingError(undefined, [{ path: '/headers/transfer-encoding', message: 'must be chunked (or absent)' }]);
  }
  const seen = new Set<string>();
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    if (!ONCE.has(name)) continue;
    if (seen.has(name)) return new ValidationError(`The ${name} header was sent more than once`, [{ path: `/headers/${name}`, message: 'must be sent once' }]);
    seen.add(name);
  }
  return undefined;
}
