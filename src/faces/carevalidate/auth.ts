import type { FastifyRequest } from 'fastify';
import type { AuthenticationService } from '../../core/auth/authentication.service.js';
import { InvalidApiKeyError } from '../../core/errors.js';

// Far longer than any key we issue; a longer header is refused before it costs a lookup.
const MAX_KEY_LENGTH = 256;

/**
 * onRequest hook: every call carries `cv-api-key`, an organisation API key. It runs before the
 * body is even parsed, so a caller without a key learns nothing about what it sent. The reason
 * for a refusal goes to the log; the client sees only "Invalid API key". A request no route
 * answers is a 404 (or a 405 naming the methods the path answers) with or without a key, as on
 * the other faces: the routes are documented, and nothing of the body is read.
 */
export function requireCvApiKey(authentication: AuthenticationService) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.is404) return;
    const header = request.headers['cv-api-key'];
    if (typeof header !== 'string' || header.trim() === '') throw new InvalidApiKeyError('The cv-api-key header is missing or sent twice');
    const key = header.trim();
    if (key.length > MAX_KEY_LENGTH) throw new InvalidApiKeyError('The cv-api-key header is too long to be a key');
    request.auth = await authentication.authenticateApiKey(key);
  };
}
