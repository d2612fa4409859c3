import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import { NotFoundError, UnauthenticatedError } from '../../core/errors.js';
import { ORGANISATION_NAME_MAX_LENGTH, toOrganisationView } from '../../core/organisations/organisation.service.js';
import { bearerCredential, challenge } from '../../http/auth.js';
import { errorResponses } from '../native/common.schemas.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

const OrganisationDto = Type.Object(
  { id: Type.String(), name: Type.String(), isDefault: Type.Boolean(), disabled: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false, title: 'Organisation' },
);
// The core checks the rule (the one for names); the schema says its shape for the docs.
const name = Type.String({ minLength: 1, maxLength: ORGANISATION_NAME_MAX_LENGTH, description: "The organisation's name: a visible character, and no control, bidirectional-override or invisible characters" });
const OrganisationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

/** Whether the bearer is the operator key; compared as digests, in constant time. An organisation key never is. */
export function isOperatorKey(operatorKey: string | undefined, credential: string | undefined): boolean {
  if (operatorKey === undefined || credential === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(operatorKey), digest(credential));
}

export function requireOperator(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    if (ctx.config.operatorApiKey === undefined) {
      throw new UnauthenticatedError('The operator API is off: set OPERATOR_API_KEY to use it', undefined, { headers: challenge() });
    }
    if (!isOperatorKey(ctx.config.operatorApiKey, bearerCredential(request))) {
      throw new UnauthenticatedError('The operator key is required (Authorization: Bearer <OPERATOR_API_KEY>)', undefined, { headers: challenge('invalid_token') });
    }
  };
}

/** The operator's API: organisations (each with its own keys, users and payments). */
export const operatorRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { organisations } = ctx.services;
  app.addHook('onRequest', requireOperator(ctx));

  app.post('/operator/organisations', {
    schema: {
      tags,
      summary: 'Create an organisation and its first API key (shown only in this answer)',
      security,
      body: Type.Object({ name }, { additionalProperties: false }),
      response: { 201: Type.Object({ id: Type.String(), name: Type.String(), apiKey: Type.String() }), ...errorResponses(400, 401, 415) },
    },
  }, async (request, reply) => {
    const { organisation, apiKey } = await organisations.createOrganisationWithKey(request.body.name);
    return reply.code(201).header('cache-control', 'no-store').send({ id: organisation.id, name: organisation.name, apiKey });
  });

  app.get('/operator/organisations', {
    schema: { tags, summary: 'List every organisation', security, response: { 200: Type.Array(OrganisationDto), ...errorResponses(401) } },
  }, async () => (await organisations.listOrganisations()).map(toOrganisationView));

  app.patch('/operator/organisations/:id', {
    schema: {
      tags,
      summary: 'Rename, disable or re-enable an organisation',
      security,
      params: OrganisationParams,
      body: Type.Object({ name: Type.Optional(name), disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: OrganisationDto, ...errorResponses(400, 401, 404, 409, 415) },
    },
  }, async (request) => toOrganisationView(await organisations.updateOrganisation(request.params.id, request.body)));

  app.delete('/operator/organisations/:id/identity-provider', {
    schema: {
      tags,
      summary: "Release an organisation's identity provider, so another organisation may trust that issuer and audience",
      description: 'An issuer and audience are trusted by one organisation only; the first to claim a pair holds it (disabled or not) until it removes it or the operator releases it here.',
      security,
      params: OrganisationParams,
      response: { 204: Type.Null(), ...errorResponses(401, 404) },
    },
  }, async (request, reply) => {
    if (!(await organisations.findOrganisation(request.params.id))) throw new NotFoundError('No such organisation');
    if (!(await ctx.services.partnerSettings.releaseIdentityProvider(request.params.id))) throw new NotFoundError('This organisation has no identity provider');
    return reply.code(204).send(null);
  });

  app.delete('/operator/organisations/:id', {
    schema: {
      tags,
      summary: 'Disable an organisation: its keys and tokens stop working; nothing is deleted',
      security,
      params: OrganisationParams,
      response: { 200: OrganisationDto, ...errorResponses(401, 404, 409) },
    },
  }, async (request) => toOrganisationView(await organisations.updateOrganisation(request.params.id, { disabled: true })));
};
