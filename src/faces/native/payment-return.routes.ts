import helmet from '@fastify/helmet';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { errorResponses } from './common.schemas.js';

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><p>${text}</p></body></html>`;

const TITLES: Record<string, string> = {
  succeeded: 'Payment complete',
  processing: 'Payment processing',
  requires_capture: 'Payment authorised',
  requires_payment_method: 'Payment not completed',
  canceled: 'Payment canceled',
};

/** Where the browser lands after a 3-D Secure step (PAYMENT_RETURN_URL's default). Always a page, never JSON. */
export const paymentReturnRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // In this plugin's scope only (the docs page keeps its own policy). The URL carries a client
  // secret: no referrer, no caching, no framing, nothing runs.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    hsts: false,
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  app.get('/payment/return', {
    schema: {
      tags: ['Payments'],
      summary: 'Where the browser lands after a 3-D Secure step',
      description: 'Stripe appends `payment_intent` and `payment_intent_client_secret`; a payment of ours whose secret matches is refreshed from Stripe, and a short page says the outcome.',
      querystring: Type.Object({
        payment_intent: Type.Optional(Type.String({ maxLength: 255 })),
        payment_intent_client_secret: Type.Optional(Type.String({ maxLength: 512 })),
        redirect_status: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      response: { 200: Type.String({ description: 'An HTML page' }), ...errorResponses(400) },
    },
  }, async (request, reply) => {
    const { payment_intent: intentId, payment_intent_client_secret: secret } = request.query;
    const payment = intentId && secret ? await ctx.services.payments.refreshReturningIntent(intentId, secret) : undefined;
    const title = payment ? (TITLES[payment.status] ?? 'Payment pending') : 'Payment status unknown';
    return reply.type('text/html; charset=utf-8').send(page(title, 'You can close this window and return to the app.'));
  });
};
