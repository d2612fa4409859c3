import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { authOf, bearerCredential, requireBearer } from '../../http/auth.js';
import { isOperatorKey } from '../ops/operator.routes.js';
import { bearerSecurity, errorResponses } from './common.schemas.js';

export const reconcileRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const requireOrganisation = requireBearer(ctx.services.authentication);
  // The operator key reconciles every organisation; an organisation's credential only its own payments.
  const isOperator = (request: Parameters<typeof bearerCredential>[0]) => isOperatorKey(ctx.config.operatorApiKey, bearerCredential(request));
  app.addHook('onRequest', async (request) => {
    if (!isOperator(request)) await requireOrganisation(request);
  });
  app.post('/admin/reconcile', {
    schema: {
      tags: ['Payments'],
      summary: "Bring the payments due for a check into agreement with Stripe now (the caller's organisation; the operator key: all)",
      description: 'Looks only at payments whose next check is due (backing off while nothing changes); with another instance reconciling, this pass does nothing.',
      security: bearerSecurity,
      response: {
        200: Type.Object({
          examined: Type.Integer({ description: 'Payments due for a check, looked at' }),
          changed: Type.Integer({ description: 'Whose state at Stripe had changed, now stored' }),
          deferred: Type.Integer({ description: 'That brought no news (or could not be read): checked again later, backing off' }),
          cancelled: Type.Integer({ description: 'Left unpaid past PAYMENT_ABANDON_AFTER: cancelled at Stripe' }),
          completed: Type.Integer({ description: 'Creations a crash left half-done, finished or given up' }),
          failed: Type.Integer({ description: 'Checks that failed (Stripe unavailable); retried later' }),
          stripeCalls: Type.Integer({ description: 'Calls made to Stripe, paced under STRIPE_MAX_RPS' }),
        }),
        ...errorResponses(401, 403),
      },
    },
  }, async (request) => (isOperator(request) ? ctx.services.reconciler.reconcile() : ctx.services.reconciler.reconcileAs(authOf(request).principal)));
};
