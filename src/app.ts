import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from './app-context.js';
import { careValidateFace } from './faces/carevalidate/carevalidate.plugin.js';
import { coordFace } from './faces/coord/coord.plugin.js';
import { apiKeyRoutes } from './faces/native/api-key.routes.js';
import { coordAdminRoutes } from './faces/native/coord-admin.routes.js';
import { ErrorBody } from './faces/native/common.schemas.js';
import { paymentReturnRoutes } from './faces/native/payment-return.routes.js';
import { paymentRoutes } from './faces/native/payment.routes.js';
import { reconcileRoutes } from './faces/native/reconcile.routes.js';
import { userRoutes } from './faces/native/user.routes.js';
import { stripeWebhookRoutes } from './faces/stripe-webhooks/webhook.routes.js';
import { healthRoutes } from './faces/ops/health.routes.js';
import { nativeEnvelope, useErrorEnvelope } from './http/error-handler.js';
import type { PinoLogger } from './http/logging.js';
import { registerOpenApi } from './http/openapi.js';
import { validatorCompiler } from './http/validation.js';

export interface BuildAppOptions {
  /** The process's logger (see createLogger); the app's request logs go through it. */
  logger: PinoLogger;
}

// Unique across instances (random per process) and cheap per request (a counter), unlike a
// fresh random value per request.
const requestIdPrefix = `req_${randomBytes(6).toString('base64url')}`;
let requestCounter = 0;
const nextRequestId = () => `${requestIdPrefix}${(++requestCounter).toString(36)}`;

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
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('auth', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  app.addSchema(ErrorBody);
  useErrorEnvelope(app, nativeEnvelope);

  await registerOpenApi(app, ctx.config.publicUrl);
  await app.register(healthRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(apiKeyRoutes, { ctx });
  await app.register(paymentRoutes, { ctx });
  await app.register(paymentReturnRoutes, { ctx });
  await app.register(reconcileRoutes, { ctx });
  await app.register(coordAdminRoutes, { ctx });
  await app.register(stripeWebhookRoutes, { ctx });
  await app.register(coordFace, { ctx, prefix: '/v1/users' });
  await app.register(careValidateFace, { ctx, prefix: '/api/v1/users' });
  return app;
}
