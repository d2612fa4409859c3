import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { authOf, requireBearer } from '../../http/auth.js';
import { bearerSecurity, errorResponses } from '../native/common.schemas.js';
import { Catalogue, SettingsDto, SettingsPatch, SystemIdParams, TransactableSystemDto, TransactableSystemInput } from './coord-admin.schemas.js';

const tags = ['Partner settings'];

/**
 * What an organisation configures for the Coord-compatible face: its transactable systems,
 * the redirect URIs account linking may return to, and its own identity provider.
 * Administrators and API keys only; the service's own admin API, so it answers in the native envelope
 * (URLs unchanged under /admin).
 */
export const coordAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { transactableSystems, partnerSettings, authentication, accountLinking } = ctx.services;
  app.addHook('onRequest', requireBearer(authentication));

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

  app.get('/admin/transactable-systems/:systemId/link-secret', {
    schema: {
      tags,
      summary: "The secret a live system signs its account-linking callbacks with",
      description:
        'Give it to the system\'s implementers. On returning the browser to the callback, the system adds `signature` = hex HMAC-SHA256(secret, `state + "." + outcome`), ' +
        'where `state` is the exact value it received and `outcome` is `linked` or the `error` it reports. Only with an API key (an administrator\'s session: 403 PARTNER_CREDENTIAL_REQUIRED).',
      security: bearerSecurity,
      params: SystemIdParams,
      response: { 200: Type.Object({ systemId: Type.String(), secret: Type.String() }), ...errorResponses(401, 403, 404) },
    },
  }, async (request) => accountLinking.linkSecretFor(authOf(request).principal, request.params.systemId));

  app.get('/admin/settings', {
    schema: { tags, summary: "The organisation's partner settings", security: bearerSecurity, response: { 200: SettingsDto, ...errorResponses(401, 403) } },
  }, async (request) => partnerSettings.getSettings(authOf(request).principal));

  app.patch('/admin/settings', {
    schema: {
      tags,
      summary: 'Change redirect URIs, the identity provider (null removes it) and/or public registration',
      description:
        'Keys are checked when set: PEM or JWKS public keys only, RSA ≥ 2048 bits (RS256) or P-256 (ES256). An issuer and audience can be trusted by one organisation only: another organisation\'s pair is 409 IDENTITY_PROVIDER_TAKEN (a token names its audience, so it lands in one organisation without access_key). Changing the identity provider needs an API key (an administrator\'s session: 403 PARTNER_CREDENTIAL_REQUIRED).',
      security: bearerSecurity,
      body: SettingsPatch,
      response: { 200: SettingsDto, ...errorResponses(400, 401, 403, 409, 415) },
    },
  }, async (request) => partnerSettings.updateSettings(authOf(request).principal, request.body));
};
