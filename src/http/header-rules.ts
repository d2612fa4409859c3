import type { IncomingMessage } from 'node:http';
import { UnsupportedMediaTypeError, ValidationError, type AppError } from '../core/errors.js';

// Credentials a request may carry once: Node keeps the first of repeated ones and drops the rest,
// so two keys (of two organisations, say) would be served as whichever came first.
const ONCE = new Set(['authorization', 'cv-api-key', 'x-access-key']);

/**
 * What a request's headers must not do, whatever the route: carry a credential twice, or a body
 * in an encoding we do not decode (it would be parsed as if it were plain JSON, or fail as
 * malformed). Answers the fault, if any.
 */
export function headerFault(request: IncomingMessage): AppError | undefined {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return new UnsupportedMediaTypeError('Content-Encoding is not supported: send the body uncompressed', [{ path: '/headers/content-encoding', message: 'must be absent (or identity)' }]);
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
