import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isEncodedBody } from './header-rules.js';

/** The one expectation HTTP defines, alone: "100-continue, foo" asks for more and is a 417. */
const ONLY_CONTINUE = /^[ \t]*100-continue[ \t]*$/i;

/**
 * `Expect: 100-continue` is answered with 100 Continue only once the body is about to be read
 * (preParsing, and bodyWillBeRead). A request refused before that (a missing cv-api-key, a
 * duplicated credential header, a body too large or of a type not taken) gets its one final answer without the client first uploading a body that is thrown
 * away; Node's default sends the 100 as soon as the headers arrive. An Expect that holds anything
 * else is refused by `expectationFailed`, as any other expectation is.
 */
export function continueWhenBodyIsRead(app: FastifyInstance, expectationFailed: (request: IncomingMessage, response: ServerResponse) => void): void {
  app.server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!ONLY_CONTINUE.test(request.headers.expect ?? '')) return expectationFailed(request, response);
    app.server.emit('request', request, response);
  });
  app.server.on('checkExpectation', expectationFailed);
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (request.raw.headers.expect !== undefined && !reply.raw.headersSent && bodyWillBeRead(request)) reply.raw.writeContinue();
    done(null, payload);
  });
}

// The media types the service parses (JSON everywhere; a form on the linking page's decision).
const PARSED_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

/**
 * Whether the body is going to be read: not when its size or type is refused from the headers
 * alone (413, 415), for a 100 would only invite an upload into a closing connection. (A path no
 * route answers still reads the body, then answers 404 or 405.)
 */
function bodyWillBeRead(request: FastifyRequest): boolean {
  if (Number(request.headers['content-length'] ?? 0) > request.routeOptions.bodyLimit || isEncodedBody(request.raw)) return false;
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === '' || PARSED_TYPES.has(mediaType);
}
