import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { authOf, requireBearer } from '../../http/auth.js';
import { bearerSecurity, errorResponses } from './common.schemas.js';

export const reconcileRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('preHandler', requireBearer(ctx.services.authentication));
  app.post('/admin/reconcile', {
    schema: {
      tags: ['Payments'],
      summary: 'Bring unsettled payments into agreement with Stripe now (administrators and API keys)',
      security: bearerSecurity,
      response: {
        200: Type.Object({ examined: Type.Integer(), completed: Type.Integer(), refreshed: Type.Integer(), failed: Type.Integer() }),
        ...errorResponses(401, 403),
      },
    },
  }, async (request) => ctx.services.reconciler.reconcileAs(authOf(request).principal));
};
