import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { authOf } from '../../http/auth.js';
import { sendSerializedJson } from '../../http/raw-json.js';
import { bearerSecurity, errorResponses } from './common.schemas.js';
import { CancelPaymentDto, CapturePaymentDto, CreateRefundDto, PaymentIdParams, RefundDto, ReturnPaymentDto } from './payment.schemas.js';

const tags = ['Payments'];

/** Capture and cancel take only optional fields: a request without a body is an empty one. */
async function noBodyIsEmpty(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * What follows a confirmation: capture, cancel and refunds. Registered inside the payment routes,
 * whose bearer check it inherits. Answers are the operation's stored JSON, replayed byte for byte.
 */
export const paymentLifecycleRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { payments } = ctx.services;

  app.post('/payment/:id/capture', {
    preValidation: noBodyIsEmpty,
    schema: {
      tags,
      summary: 'Capture an authorised payment (captureMethod manual), all of it or part',
      description:
        'The organisation only (an API key or an administrator; a plain user gets 403). Capturing part releases the rest. The same body again answers the first result again; ' +
        'more than authorised is a 400 on `/amount`; a payment not in `requires_capture` is a 409 `PAYMENT_NOT_CAPTURABLE` (an authorisation that expired at Stripe shows `canceled`).',
      security: bearerSecurity,
      params: PaymentIdParams,
      body: CapturePaymentDto,
      response: { 200: ReturnPaymentDto, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request, reply) => {
    const body = await payments.capturePayment(authOf(request).principal, request.params.id, request.body.amount);
    return sendSerializedJson(reply as unknown as FastifyReply, 200, body);
  });

  app.post('/payment/:id/cancel', {
    preValidation: noBodyIsEmpty,
    schema: {
      tags,
      summary: 'Cancel a payment that has not succeeded (an authorisation is released)',
      description:
        "The payment's user or the organisation. Canceling a canceled payment answers it as it is. A payment that succeeded cannot be canceled: 409 `PAYMENT_NOT_CANCELABLE`, refund it instead.",
      security: bearerSecurity,
      params: PaymentIdParams,
      body: CancelPaymentDto,
      response: { 200: ReturnPaymentDto, ...errorResponses(400, 401, 404, 409, 503) },
    },
  }, async (request, reply) => {
    const body = await payments.cancelPayment(authOf(request).principal, request.params.id, request.body.reason);
    return sendSerializedJson(reply as unknown as FastifyReply, 200, body);
  });

  app.post('/payment/:id/refunds', {
    schema: {
      tags,
      summary: 'Refund a payment, all that is left or part, exactly once per cuid',
      description:
        'The organisation only (an API key or an administrator; a plain user gets 403). Several partial refunds may add up to the amount received; more than is left is a 400 on `/amount`. ' +
        'The same cuid with the same body answers the first result again, byte for byte, and refunds once; with another body it is a 409 `IDEMPOTENCY_KEY_REUSED`. ' +
        'A refund can still fail at Stripe after this answer (its status then shows `failed` in `GET /payment/{id}/refunds`, and the amount counts as not refunded).',
      security: bearerSecurity,
      params: PaymentIdParams,
      body: CreateRefundDto,
      response: { 201: RefundDto, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request, reply) => {
    const { cuid, amount, reason } = request.body;
    const body = await payments.refundPayment(authOf(request).principal, request.params.id, { cuid, amount, reason });
    return sendSerializedJson(reply as unknown as FastifyReply, 201, body);
  });

  app.get('/payment/:id/refunds', {
    schema: {
      tags,
      summary: "List a payment's refunds, oldest first",
      description: 'Those made through paybridge and those made at Stripe directly (learnt from its events), with their current status.',
      security: bearerSecurity,
      params: PaymentIdParams,
      response: { 200: Type.Array(RefundDto), ...errorResponses(401, 404) },
    },
  }, async (request) => payments.listRefunds(authOf(request).principal, request.params.id));
};
