import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { authOf, requireBearer } from '../../http/auth.js';
import { bearerSecurity, errorResponses, IdParams, PageQuery } from './common.schemas.js';
import { nextPageLink } from './pagination.js';
import {
  CreateWebhookEndpointDto,
  DeliveryAttemptDto,
  DeliveryParams,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointWithSecretDto,
} from './webhook-endpoint.schemas.js';

const tags = ['Webhook endpoints'];

/** Outbound events to the integrating app: endpoints, secrets and the delivery log. Administrators and API keys only. */
export const webhookEndpointRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { webhookEndpoints, authentication } = ctx.services;
  const principalOf = (request: Parameters<typeof authOf>[0]) => authOf(request).principal;
  app.addHook('onRequest', requireBearer(authentication));

  app.post('/admin/webhook-endpoints', {
    schema: {
      tags,
      summary: 'Register an endpoint that events are POSTed to',
      description: 'Each delivery is signed: `Paybridge-Signature: t=…,v1=…` (see the README for the check). The secret is in this answer only.',
      security: bearerSecurity,
      body: CreateWebhookEndpointDto,
      response: { 201: WebhookEndpointWithSecretDto, ...errorResponses(400, 401, 403, 409, 415) },
    },
  }, async (request, reply) => reply.code(201).send(await webhookEndpoints.createEndpoint(principalOf(request), request.body)));

  app.get('/admin/webhook-endpoints', {
    schema: { tags, summary: "List the organisation's webhook endpoints", security: bearerSecurity, response: { 200: Type.Array(WebhookEndpointDto), ...errorResponses(401, 403) } },
  }, async (request) => webhookEndpoints.listEndpoints(principalOf(request)));

  app.get('/admin/webhook-endpoints/:id', {
    schema: { tags, summary: 'Read a webhook endpoint', security: bearerSecurity, params: IdParams, response: { 200: WebhookEndpointDto, ...errorResponses(401, 403, 404) } },
  }, async (request) => webhookEndpoints.getEndpoint(principalOf(request), request.params.id));

  app.patch('/admin/webhook-endpoints/:id', {
    schema: {
      tags,
      summary: 'Change its URL, events or description, or disable / enable it',
      security: bearerSecurity,
      params: IdParams,
      body: UpdateWebhookEndpointDto,
      response: { 200: WebhookEndpointDto, ...errorResponses(400, 401, 403, 404, 415) },
    },
  }, async (request) => webhookEndpoints.updateEndpoint(principalOf(request), request.params.id, request.body));

  app.delete('/admin/webhook-endpoints/:id', {
    schema: { tags, summary: 'Remove an endpoint, with its pending deliveries and log', security: bearerSecurity, params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
  }, async (request, reply) => {
    await webhookEndpoints.deleteEndpoint(principalOf(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/admin/webhook-endpoints/:id/rotate-secret', {
    schema: {
      tags,
      summary: 'Replace the signing secret; the old one keeps signing for 24 hours',
      description: 'During those 24 hours each delivery carries two `v1` signatures, one per secret.',
      security: bearerSecurity,
      params: IdParams,
      response: { 200: WebhookEndpointWithSecretDto, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => webhookEndpoints.rotateSecret(principalOf(request), request.params.id));

  app.get('/admin/webhook-endpoints/:id/deliveries', {
    schema: {
      tags,
      summary: 'The delivery attempts to this endpoint, newest first',
      description: 'The next page, if any, is announced in a `Link: <…>; rel="next"` header.',
      security: bearerSecurity,
      params: IdParams,
      querystring: PageQuery,
      response: { 200: Type.Array(DeliveryAttemptDto), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { limit, starting_after: startingAfter } = request.query;
    const { id } = request.params;
    const page = await webhookEndpoints.listDeliveries(principalOf(request), id, { limit: limit + 1, startingAfter });
    const link = nextPageLink(ctx.config.publicUrl, `/admin/webhook-endpoints/${encodeURIComponent(id)}/deliveries`, page, limit);
    if (link) void reply.header('link', link);
    return page.slice(0, limit);
  });

  app.post('/admin/webhook-endpoints/:id/deliveries/:deliveryId/retry', {
    schema: {
      tags,
      summary: "Send a logged delivery's event again, now",
      description: 'Answers the new attempt. The event keeps its id, so a receiver that already handled it can tell.',
      security: bearerSecurity,
      params: DeliveryParams,
      response: { 201: DeliveryAttemptDto, ...errorResponses(401, 403, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await webhookEndpoints.retryDelivery(principalOf(request), request.params.id, request.params.deliveryId)));
};
