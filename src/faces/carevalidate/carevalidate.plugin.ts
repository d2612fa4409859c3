import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../http/app-context.js';
import { useErrorEnvelope } from '../../http/error-handler.js';
import { requireCvApiKey } from './auth.js';
import { careValidateEnvelope } from './envelope.js';
import { userActionRoutes } from './user-actions.route.js';
import { userListRoutes } from './user-list.route.js';
import { careValidateValidatorCompiler } from './validation.js';

/**
 * The CareValidate-compatible API under /api/v1/users (seed 004): a client written for
 * CareValidate works by changing its base URL. Everything answered from this scope, including
 * validation errors, malformed JSON and unknown routes, is in CareValidate's envelope.
 */
export const careValidateFace: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireCvApiKey(ctx.services.authentication));
  app.setValidatorCompiler(careValidateValidatorCompiler);
  useErrorEnvelope(app as unknown as FastifyInstance, careValidateEnvelope);
  await app.register(userActionRoutes, { ctx });
  await app.register(userListRoutes, { ctx, directory: ctx.services.userDirectory });
};
