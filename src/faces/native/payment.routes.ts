import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../../core/errors.js';
import type { AppContext } from '../../http/app-context.js';
import { authOf, requireBearer } from '../../http/auth.js';
import { sendSerializedJson } from '../../http/raw-json.js';
import { bearerSecurity, errorResponses, PageQuery } from './common.schemas.js';
import { nextPageLink } from './pagination.js';
import { paymentLifecycleRoutes } from './payment-lifecycle.routes.js';
import { ConfirmPaymentDto, CreatePaymentDto, PaymentCreatedDto, PaymentIdParams, ReturnPaymentDto } from './payment.schemas.js';

const tags = ['Payments'];

function idempotencyKeyOf(bodyKey: string | undefined, headerKey: string | string[] | undefined): string {
  const header = Array.isArray(headerKey) ? headerKey[0] : headerKey;
  if (bodyKey !== undefined && header !== undefined && bodyKey !== header) {
    throw new ValidationError('cuid and the Idempotency-Key header differ', [{ path: '/cuid', message: 'must equal the Idempotency-Key header' }]);
  }
  const key = bodyKey ?? header;
  if (key === undefined) throw new ValidationError('A cuid (or an Idempotency-Key header) is required', [{ path: '/cuid', message: 'is required' }]);
  if (!/^[\x21-\x7E]{1,255}$/.test(key)) {
    const path = bodyKey === undefined ? '/headers/idempotency-key' : '/cuid';
    throw new ValidationError('The idempotency key must be 1 to 255 printable ASCII characters, without spaces', [{ path, message: 'must be 1 to 255 printable ASCII characters, without spaces' }]);
  }
  return key;
}

/** Seed 003's payments: create (idempotent by cuid), list, read, confirm; then capture, cancel and refunds. */
export const paymentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { payments, users, authentication } = ctx.services;
  app.addHook('onRequest', requireBearer(authentication));
  await app.register(paymentLifecycleRoutes, { ctx });

  app.post('/payment', {
    schema: {
      tags,
      summary: 'Create a PaymentIntent, exactly once per cuid',
      description:
        'The same cuid with the same body answers the first result again, byte for byte, without a second PaymentIntent; with another body it is a 409. The caller\'s Stripe customer is created on first use.',
      security: bearerSecurity,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
      body: CreatePaymentDto,
      response: { 201: PaymentCreatedDto, ...errorResponses(400, 401, 403, 409, 503) },
    },
  }, async (request, reply) => {
    const { principal, self } = authOf(request);
    const key = idempotencyKeyOf(request.body.cuid, request.headers['idempotency-key']);
    const body = await payments.createPayment(principal, self, { ...request.body, idempotencyKey: key });
    return sendSerializedJson(reply as unknown as FastifyReply, 201, body);
  });

  app.get('/payment', {
    schema: {
      tags,
      summary: "List the caller's payments (an API key: its organisation's)",
      description: 'From the database, kept current by Stripe events. The next page is announced in a `Link: <…>; rel="next"` header; a `starting_after` that is not one of the listed payments is a 400.',
      security: bearerSecurity,
      querystring: PageQuery,
      response: { 200: Type.Array(ReturnPaymentDto), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const { limit, starting_after: startingAfter } = request.query;
    const views = await payments.listPayments(authOf(request).principal, { limit: limit + 1, startingAfter });
    const link = nextPageLink(ctx.config.publicUrl, '/payment', views, limit);
    if (link) void reply.header('link', link);
    return views.slice(0, limit);
  });

  app.get('/payment/:id', {
    schema: { tags, summary: 'Read a payment', security: bearerSecurity, params: PaymentIdParams, response: { 200: ReturnPaymentDto, ...errorResponses(401, 404) } },
  }, async (request) => payments.getPayment(authOf(request).principal, request.params.id));

  app.post('/payment/confirm', {
    schema: {
      tags,
      summary: 'Confirm a PaymentIntent with a payment method',
      description:
        'An attempt is (payment, cuid, payment method): repeating it answers its first result again, byte for byte, and charges once. ' +
        'A decline answers 402 CARD_DECLINED with the declineCode and leaves the payment in requires_payment_method; another payment method with the same cuid is then a new attempt. ' +
        'An authentication step answers the payment in requires_action with nextActionUrl. Once a payment succeeded, every confirm answers that success; a canceled payment answers 409 PAYMENT_NOT_CONFIRMABLE.',
      security: bearerSecurity,
      body: ConfirmPaymentDto,
      response: { 201: ReturnPaymentDto, ...errorResponses(400, 401, 402, 403, 404, 409, 503) },
    },
  }, async (request, reply) => {
    const { principal } = authOf(request);
    const { cuid, paymentId, paymentMethodId } = request.body;
    const owner = (userId: string) => users.findUserById(principal.organisationId, userId);
    const body = await payments.confirmPayment(principal, owner, { idempotencyKey: cuid, paymentIntentId: paymentId, paymentMethodId });
    return sendSerializedJson(reply as unknown as FastifyReply, 201, body);
  });
};
