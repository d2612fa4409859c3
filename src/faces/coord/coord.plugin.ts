import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../http/app-context.js';
import { useErrorEnvelope } from '../../http/error-handler.js';
import { CoordError, coordEnvelope } from './coord.envelope.js';
import { currentUserRoutes } from './current-user.routes.js';
import { jwtRoutes } from './jwt.routes.js';
import { linkAccountRoutes } from './link-account.routes.js';
import { transactableSystemRoutes } from './transactable-systems.routes.js';

/**
 * The Coord-compatible Users API under /v1/users (seeds 000-002): a client written against
 * Coord's Users API works by changing only its base URL. It only translates; the rules
 * (identity, vehicles, stripe_info, transactable systems, linking) live in the core.
 */
export const coordFace: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.decorateRequest('coord', undefined);
  app.addSchema(CoordError);
  useErrorEnvelope(app, coordEnvelope);

  await app.register(jwtRoutes, { ctx });
  await app.register(currentUserRoutes, { ctx });
  await app.register(transactableSystemRoutes, { ctx });
  await app.register(linkAccountRoutes, { ctx });
};
