import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app-context.js';

/** The Coord-compatible Users API under /v1/users (seeds 000-002). */
export const coordFace: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async () => {};
