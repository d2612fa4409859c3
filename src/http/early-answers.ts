import type { FastifyInstance } from 'fastify';

/**
 * An answer sent before its request's body has fully arrived (a refusal in an onRequest hook,
 * such as a missing cv-api-key; a body over BODY_LIMIT) closes the connection after it. Node
 * would keep the connection open and read the rest of the body away; if that rest never comes,
 * the request timeout answers 408 on the same connection, which a client reusing it would read as
 * the answer to its next request. One answer per request.
 */
export function closeAfterEarlyAnswers(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    // (Requests made with inject() have no `complete`: they arrive whole.)
    if (request.raw.complete === false) void reply.header('connection', 'close');
    done(null, payload);
  });
}
