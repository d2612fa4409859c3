import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError, type ErrorDetail } from '../core/errors.js';
import { findUnsafeText } from '../core/text.js';

/**
 * The one input rule every face shares: no text may carry a NUL character or an unpaired
 * UTF-16 surrogate, and no value may nest deeper than the check reads (MAX_DEPTH). PostgreSQL cannot store either (`invalid byte sequence for encoding
 * "UTF8"`), so letting one through turns a client's mistake into a 500 half-way through a
 * request. The rule runs as a root preValidation hook, before any face's schema, auth or
 * handler, on the path parameters, query string and parsed body of every route, so a new
 * route cannot forget it; each face's error handler words the 400 in its own envelope.
 */

function unsafeTextInRequest(request: FastifyRequest): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  findUnsafeText(request.params, '/params', found);
  findUnsafeText(request.query, '/query', found);
  findUnsafeText(request.body, '', found);
  return found;
}

/** Installs the rule on the root instance, before any face is registered, so every route inherits it. */
export function enforceTextRule(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const details = unsafeTextInRequest(request);
    if (details.length > 0) throw new ValidationError('The request is invalid', details);
  });
}
