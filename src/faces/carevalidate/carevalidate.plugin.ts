import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app-context.js';

/** The CareValidate-compatible API under /api/v1/users (seed 004). */
export const careValidateFace: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async () => {};
