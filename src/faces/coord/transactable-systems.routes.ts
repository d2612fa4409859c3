import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import type { TransactableSystem } from '../../core/transactable-systems/transactability.js';
import { callerOf, partnerUserOf, requireUser, requireUserOrPartner } from './coord.auth.js';
import { coordErrors } from './coord.envelope.js';
import { AccessKeyHeaders, AccessKeyQuery, SystemIdBody, tags, TransactionInfo, userJwtSecurity } from './coord.schemas.js';

const SystemSummary = Type.Object(
  { system_id: Type.String(), name: Type.String(), transaction_info: TransactionInfo },
  { additionalProperties: false, title: 'TransactableSystem' },
);

const SystemForUser = Type.Object(
  {
    ...SystemSummary.properties,
    transactable: Type.Boolean({ description: 'Whether the current user can transact with the system now' }),
    linked_account: Type.Boolean({ description: 'Whether the current user has linked an account with it' }),
    missing: Type.Object(
      {
        jwt_claims: Type.Array(Type.String(), { description: "Required claims the user's JWT does not carry" }),
        users_api_fields: Type.Array(Type.String(), { description: 'Required user fields not set yet (test users never have stripe_info)' }),
        linked_account: Type.Boolean({ description: 'Linking is required and the user has not linked' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'TransactableSystemForUser' },
);

function toSummary(system: TransactableSystem) {
  return {
    system_id: system.systemId,
    name: system.name,
    transaction_info: { jwt_claims: system.jwtClaims, linked_account: system.linkedAccountRequired, users_api_fields: system.usersApiFields },
  };
}

/** The organisation's transactable systems, what each requires, and what the current user still lacks. */
export const transactableSystemRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { transactableSystems } = ctx.services;
  const common = { tags, querystring: AccessKeyQuery, headers: AccessKeyHeaders };

  app.get('/transactable_systems', {
    onRequest: requireUserOrPartner(ctx.services),
    schema: {
      ...common,
      summary: 'List the transactable systems and their requirements',
      description: 'With an access key, or a user JWT. Each system publishes its `transaction_info`.',
      security: [{ bearerAuth: [] }],
      response: { 200: Type.Object({ transactable_systems: Type.Array(SystemSummary) }), ...coordErrors(401, 403) },
    },
  }, async (request) => ({ transactable_systems: (await transactableSystems.listSystems(callerOf(request).organisationId)).map(toSummary) }));

  app.get('/user/current/transactable_systems', {
    onRequest: requireUser(ctx.services),
    schema: {
      ...common,
      summary: 'Which systems the current user can transact with now, and what is missing for the others',
      security: userJwtSecurity,
      response: { 200: Type.Object({ transactable_systems: Type.Array(SystemForUser) }), ...coordErrors(401, 403) },
    },
  }, async (request) => {
    const systems = await transactableSystems.transactabilityFor(partnerUserOf(request));
    return {
      transactable_systems: systems.map(({ system, transactability: t }) => ({
        ...toSummary(system),
        transactable: t.transactable,
        linked_account: t.linkedAccount,
        missing: { jwt_claims: t.missing.jwtClaims, users_api_fields: t.missing.usersApiFields, linked_account: t.missing.linkedAccount },
      })),
    };
  });

  app.post('/testing/user/current/transactable_systems', {
    onRequest: requireUser(ctx.services),
    schema: {
      ...common,
      summary: "Simulate linking or unlinking a test user's account (test JWTs only)",
      description: '400 UNKNOWN_SYSTEM or SYSTEM_NOT_LINKABLE for a system that does not exist or does not use linking; 403 TEST_USER_REQUIRED for a live user.',
      security: userJwtSecurity,
      body: SystemIdBody,
      response: { 200: SystemIdBody, ...coordErrors(400, 401, 403, 415) },
    },
  }, async (request) => {
    const { system_id: systemId, linked_account: linked } = request.body;
    await transactableSystems.setTestLink(partnerUserOf(request).user, systemId, linked);
    return { system_id: systemId, linked_account: linked };
  });
};
