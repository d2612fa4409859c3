import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { errorResponses } from '../native/common.schemas.js';

const tags = ['Stripe'];

/**
 * Stripe's deliveries. The signature covers the exact bytes sent, so this scope alone parses
 * JSON bodies as raw buffers; every other route keeps the normal JSON parser.
 */
export const stripeWebhookRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/stripe', {
    schema: {
      tags,
      summary: 'Receive Stripe events (Stripe-Signature verified)',
      description:
        'A verified event is stored and acknowledged at once, then applied by a worker (retried with backoff, dead-lettered after EVENT_MAX_ATTEMPTS). ' +
        'Events are prompts to re-read the object, so late or repeated deliveries never roll state back. A signed body that is not a Stripe event is a 400; an event about no payment of ours is acknowledged.',
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), ...errorResponses(400) },
    },
  }, async (request) => {
    const signature = request.headers['stripe-signature'];
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const { eventId, outcome } = await ctx.services.stripeEvents.receive(raw, typeof signature === 'string' ? signature : undefined);
    request.log.info({ eventId, outcome }, 'stripe webhook');
    return { received: true, duplicate: outcome === 'duplicate' };
  });
};
