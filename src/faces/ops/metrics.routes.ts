import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Metrics } from '../../adapters/metrics.js';
import type { AppContext } from '../../http/app-context.js';
import { UnauthenticatedError } from '../../core/errors.js';
import { bearerCredential, challenge } from '../../http/auth.js';

/** Times every request on the root instance, labelled by its route pattern (unmatched URLs share one label). */
export function measureHttpRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeHttpRequest({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode }, reply.elapsedTime / 1000);
  });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** GET /metrics in Prometheus text; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`. */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const token = ctx.config.metricsToken;
  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (request, reply) => {
    if (token) {
      const sent = bearerCredential(request);
      // Digests have equal lengths, so the comparison takes the same time whatever was sent.
      if (sent === undefined || !timingSafeEqual(digest(sent), digest(token))) {
        throw new UnauthenticatedError('GET /metrics requires Authorization: Bearer <METRICS_TOKEN>', undefined, { headers: challenge(sent ? 'invalid_token' : undefined) });
      }
    }
    return reply.type(ctx.metrics.contentType).send(await ctx.metrics.text());
  });
};
