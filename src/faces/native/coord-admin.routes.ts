import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { authOf, requireBearer } from '../../http/auth.js';
import { bearerSecurity, errorResponses } from './common.schemas.js';
import { Catalogue, SettingsDto, SettingsPatch, SystemIdParams, TransactableSystemDto, TransactableSystemInput } from './coord-admin.schemas.js';

const tags = ['Partner settings'];

/**
 * What an organisation configures for the Coord-compatible face: its transactable systems,
 * the redirect URIs account linking may return to, and its own identity provider.
 * Administrators and API keys only.
 */
export const coordAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { transactableSystems, partnerSettings, authentication } = ctx.services;
  app.addHook('preHandler', requireBearer(authentication));

  app.get('/admin/transactable-systems', {
    schema: { tags, summary: "List the organisation's transactable systems", security: bearerSecurity, response: { 200: Catalogue, ...errorResponses(401, 403) } },
  }, async (request) => transactableSystems.listForAdmin(authOf(request).principal));

  app.put('/admin/transactable-systems', {
    schema: {
      tags,
      summary: 'Replace the whole catalogue (e.g. from a file: `curl -T systems.json`)',
      description: 'Atomic: readers see the old catalogue or the new one. Systems left out are removed, with users\' links to them.',
      security: bearerSecurity,
      body: Catalogue,
      response: { 200: Catalogue, ...errorResponses(400, 401, 403, 415) },
    },
  }, async (request) => transactableSystems.replaceCatalogue(authOf(request).principal, request.body));

  app.put('/admin/transactable-systems/:systemId', {
    schema: {
      tags,
      summary: 'Create or replace one transactable system',
      security: bearerSecurity,
      params: SystemIdParams,
      body: TransactableSystemInput,
      response: { 200: TransactableSystemDto, ...errorResponses(400, 401, 403, 415) },
    },
  }, async (request) => transactableSystems.upsertSystem(authOf(request).principal, { systemId: request.params.systemId, ...request.body }));

  app.delete('/admin/transactable-systems/:systemId', {
    schema: {
      tags,
      summary: 'Remove a transactable system and the links to it',
      security: bearerSecurity,
      params: SystemIdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    await transactableSystems.deleteSystem(authOf(request).principal, request.params.systemId);
    return reply.code(204).send(null);
  });

  app.get('/admin/settings', {
    schema: { tags, summary: "The organisation's partner settings", security: bearerSecurity, response: { 200: SettingsDto, ...errorResponses(401, 403) } },
  }, async (request) => partnerSettings.getSettings(authOf(request).principal));

  app.patch('/admin/settings', {
    schema: {
      tags,
      summary: 'Change redirect URIs and/or the identity provider (null removes it)',
      description: 'Keys are checked when set: PEM or JWKS public keys only, RSA ≥ 2048 bits (RS256) or P-256 (ES256).',
      security: bearerSecurity,
      body: SettingsPatch,
      response: { 200: SettingsDto, ...errorResponses(400, 401, 403, 415) },
    },
  }, async (request) => partnerSettings.updateSettings(authOf(request).principal, request.body));
};
