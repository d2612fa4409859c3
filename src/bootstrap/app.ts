import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../http/app-context.js';
import { careValidateFace } from '../faces/carevalidate/carevalidate.plugin.js';
import { coordFace } from '../faces/coord/coord.plugin.js';
import { apiKeyRoutes } from '../faces/native/api-key.routes.js';
import { coordAdminRoutes } from '../faces/admin/coord-admin.routes.js';
import { ErrorBody } from '../faces/native/common.schemas.js';
import { paymentReturnRoutes } from '../faces/native/payment-return.routes.js';
import { paymentRoutes } from '../faces/native/payment.routes.js';
import { reconcileRoutes } from '../faces/native/reconcile.routes.js';
import { userRoutes } from '../faces/native/user.routes.js';
import { webhookEndpointRoutes } from '../faces/native/webhook-endpoint.routes.js';
import { stripeWebhookRoutes } from '../faces/stripe-webhooks/webhook.routes.js';
import { healthRoutes } from '../faces/ops/health.routes.js';
import { measureHttpRequests, metricsRoutes } from '../faces/ops/metrics.routes.js';
import { registerCors } from '../http/cors.js';
import { operatorRoutes } from '../faces/ops/operator.routes.js';
import { nativeEnvelope, sendError, useErrorEnvelope, type ErrorEnvelope } from '../http/error-handler.js';
import type { PinoLogger } from '../http/logging.js';
import { registerOpenApi } from '../http/openapi.js';
import { clientErrorHandler, connectRefusedHandler, expectationFailedHandler } from '../http/client-errors.js';
import { continueWhenBodyIsRead } from '../http/expect-continue.js';
import { enforceTextRule } from '../http/text-rule.js';
import { bodyFault, headerFault } from '../http/header-rules.js';
import { trackRouteMethods } from '../http/method-not-allowed.js';
import { closeAfterEarlyAnswers } from '../http/early-answers.js';
import { useGracefulClose } from '../http/graceful-close.js';
import { validatorCompiler } from '../http/validation.js';
import { careValidateEnvelope } from '../faces/carevalidate/envelope.js';
import { coordEnvelope } from '../faces/coord/coord.envelope.js';

export interface BuildAppOptions {
  /** The process's logger (see createLogger); the app's request logs go through it. */
  logger: PinoLogger;
}

// Unique across instances (random per process) and cheap per request (a counter), unlike a
// fresh random value per request.
const requestIdPrefix = `req_${randomBytes(6).toString('base64url')}`;
let requestCounter = 0;
const nextRequestId = () => `${requestIdPrefix}${(++requestCounter).toString(36)}`;

const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 1000 };

/** Whether a URL's path is the prefix itself or under it, as the router scopes a face ("/v1/usersX" is not under "/v1/users"). */
const isUnder = (url: string, prefix: string) => url.startsWith(prefix) && (url.length === prefix.length || '/?#'.includes(url[prefix.length]!));

/** A request target's path: an absolute-form target ("http://host/v1/users/…", which the router serves by its path) without its origin. */
const pathOf = (target: string) => target.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '');

/** The envelope of the face a URL belongs to, for errors raised before routing. */
function envelopeForUrl(target: string): ErrorEnvelope {
  const url = pathOf(target);
  if (isUnder(url, '/api/v1/users')) return careValidateEnvelope;
  if (isUnder(url, '/v1/users')) return coordEnvelope;
  return nativeEnvelope;
}

/** The HTTP application as a plugin tree, separate from listen(): tests call it through inject(). */
export async function buildApp(ctx: AppContext, options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only drops pino's extra typing.
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Fastify's overloads cannot pick a server type from a union-typed trustProxy.
    trustProxy: ctx.config.trustProxy as string,
    // Our own ids only: a client-chosen id could forge or pollute log correlation.
    genReqId: nextRequestId,
    requestIdHeader: false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Requests that reach a closing server get a SHUTTING_DOWN 503 in their face's envelope (below), not Fastify's bare one.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: ROUTER_OPTIONS,
    // A client trickling its headers or body is cut off, so slow connections cannot pile up.
    requestTimeout: ctx.config.requestTimeoutMs,
    // A Host-less HTTP/1.1 request is refused in its face's envelope (src/http/header-rules.ts), not with Node's bare 400.
    http: { headersTimeout: ctx.config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, ctx.config.requestTimeoutMs), requireHostHeader: false },
    // A URL the router cannot decode never reaches a face's scope; it still gets the face's envelope.
    frameworkErrors: (error, request, reply) => void sendError(error, request, reply, envelopeForUrl(request.url)),
    clientErrorHandler: clientErrorHandler(envelopeForUrl, nextRequestId),
  }).withTypeProvider<TypeBoxTypeProvider>();

  continueWhenBodyIsRead(app, expectationFailedHandler(envelopeForUrl, nextRequestId));
  app.server.on('connect', connectRefusedHandler(envelopeForUrl, nextRequestId));
  trackRouteMethods(app, ROUTER_OPTIONS);
  app.setValidatorCompiler(validatorCompiler);
  enforceTextRule(app);
  // Only JSON is accepted (the README documents 415 for anything else); Fastify's text/plain parser would let it in.
  app.removeContentTypeParser('text/plain');
  // A POST to a route that takes no body (logout, delete, reconcile) sent with an empty body and
  // `content-type: application/json`, as many HTTP clients do, is a request with no body; where a
  // body is expected, an empty one stays MALFORMED_BODY.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // A request no route answers (a 404, or a 405 for the method) is told so, whatever its body holds.
    if (request.is404 || (body === '' && request.routeOptions.schema?.body === undefined)) return done(null, undefined);
    void parseJson(request, body.toString(), done);
  });
  app.decorateRequest('auth', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done(headerFault(request.raw));
  });
  // After every onRequest hook (authentication among them): the caller learns of its body only once known.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const fault = bodyFault(request.raw);
    if (fault) done(fault);
    else done(null, payload);
  });
  useGracefulClose(app, ctx.config.shutdownGraceMs);
  closeAfterEarlyAnswers(app);
  measureHttpRequests(app, ctx.metrics);
  app.addSchema(ErrorBody);
  useErrorEnvelope(app, nativeEnvelope);

  await registerCors(app, ctx.config.corsOrigins);
  await registerOpenApi(app, ctx.config.publicUrl);
  await app.register(healthRoutes, { ctx });
  await app.register(operatorRoutes, { ctx });
  await app.register(metricsRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(apiKeyRoutes, { ctx });
  await app.register(paymentRoutes, { ctx });
  await app.register(paymentReturnRoutes, { ctx });
  await app.register(reconcileRoutes, { ctx });
  await app.register(coordAdminRoutes, { ctx });
  await app.register(webhookEndpointRoutes, { ctx });
  await app.register(stripeWebhookRoutes, { ctx });
  await app.register(coordFace, { ctx, prefix: '/v1/users' });
  await app.register(careValidateFace, { ctx, prefix: '/api/v1/users' });
  return app;
}
