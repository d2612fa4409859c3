import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ServiceUnavailableError } from '../../core/errors.js';
import type { AppContext } from '../../http/app-context.js';
import { errorResponses } from '../native/common.schemas.js';

const tags = ['Operations'];

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/healthz', {
    logLevel: 'warn',
    schema: { tags, summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses() } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    logLevel: 'warn',
    schema: {
      tags,
      summary: 'The database answers',
      response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), ...errorResponses(503) },
    },
  }, async () => {
    try {
      await ctx.database.ping();
    } catch (error) {
      throw new ServiceUnavailableError('The database is not reachable', undefined, { cause: error });
    }
    return { status: 'ready' as const, database: ctx.database.kind };
  });
};
