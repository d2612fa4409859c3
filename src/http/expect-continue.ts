import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** The one expectation HTTP defines, alone: "100-continue, foo" asks for more and is a 417. */
const ONLY_CONTINUE = /^[ \t]*100-continue[ \t]*$/i;

/**
 * `Expect: 100-continue` is answered with 100 Continue only once the body is about to be read
 * (preParsing). A request refused before that (a missing cv-api-key, a duplicated credential
 * header) gets its one final answer without the client first uploading a body that is thrown
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
    if (request.raw.headers.expect !== undefined && !reply.raw.headersSent) reply.raw.writeContinue();
    done(null, payload);
  });
}
