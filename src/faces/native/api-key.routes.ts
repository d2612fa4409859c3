import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toApiKeyView } from '../../core/organisations/organisation.service.js';
import { authOf, requireBearer } from '../../http/auth.js';
import type { AppContext } from '../../http/app-context.js';
import { bearerSecurity, errorResponses, IdParams } from './common.schemas.js';
import { DISPLAY_NAME_FORMAT } from '../../core/users/display-name.js';

const ApiKeyView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, for recognising it' }),
    createdAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false, title: 'ApiKey' },
);

const CreatedApiKey = Type.Object(
  { ...ApiKeyView.properties, key: Type.String({ description: 'The key itself. Shown this once; only a digest is stored.' }) },
  { additionalProperties: false, title: 'CreatedApiKey' },
);

const tags = ['API keys'];

/** Organisation API keys: administrators and API keys list and revoke them; only an API key makes one. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { organisations, authentication } = ctx.services;
  app.addHook('onRequest', requireBearer(authentication));

  app.post('/admin/api-keys', {
    schema: {
      tags,
      summary: 'Create an API key for the caller\'s organisation',
      description: "Only with an API key: a key acts for the organisation's partner users, which an administrator's session may not (403 PARTNER_CREDENTIAL_REQUIRED).",
      security: bearerSecurity,
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, format: DISPLAY_NAME_FORMAT }) }, { additionalProperties: false }),
      response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { key, record } = await organisations.createApiKey(authOf(request).principal, request.body.name);
    return reply.code(201).send({ ...toApiKeyView(record), key });
  });

  app.get('/admin/api-keys', {
    schema: { tags, summary: "List the organisation's API keys", security: bearerSecurity, response: { 200: Type.Array(ApiKeyView), ...errorResponses(401, 403) } },
  }, async (request) => (await organisations.listApiKeys(authOf(request).principal)).map(toApiKeyView));

  app.delete('/admin/api-keys/:id', {
    schema: { tags, summary: 'Revoke an API key', security: bearerSecurity, params: IdParams, response: { 200: ApiKeyView, ...errorResponses(401, 403, 404) } },
  }, async (request) => toApiKeyView(await organisations.revokeApiKey(authOf(request).principal, request.params.id)));
};
