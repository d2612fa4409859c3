import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../http/app-context.js';
import { callerOf, requirePartner } from './coord.auth.js';
import { coordErrors } from './coord.envelope.js';
import { AccessKeyHeaders, AccessKeyQuery, JwtRequest, JwtResponse, tags } from './coord.schemas.js';

const partnerSecurity = [{ bearerAuth: [] }];

/** User JWTs for a partner's users: live ones with the server token, test ones with the access key. */
export const jwtRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { partnerIdentity } = ctx.services;
  app.addHook('onRequest', requirePartner(ctx.services));

  const schema = (summary: string, description: string) => ({
    tags,
    summary,
    description,
    security: partnerSecurity,
    querystring: AccessKeyQuery,
    headers: AccessKeyHeaders,
    body: JwtRequest,
    response: { 200: JwtResponse, ...coordErrors(400, 401, 403, 409, 415) },
  });

  const testDescription =
    'Test users live beside live users (the same email may be one of each) and are marked as tests everywhere: ' +
    'they cannot set stripe_info, never reach a live payment, and account linking shows them a demo permission page.';
  const endpoints = [
    {
      url: '/create_jwt',
      isTest: false,
      summary: 'Create a user JWT (server token)',
      description:
        'Send your server token (an organisation API key) as `Authorization: Bearer <key>` or `access_key`. ' +
        'The user is created on first sight, matched by `external_uid` when given, else by `email`; its email (and name) follow the latest call.',
    },
    { url: '/testing/create_jwt', isTest: true, summary: 'Create a test JWT for a test user', description: testDescription },
    // The overview prose of Coord's documentation calls the same endpoint POST /v1/users/testing/user.
    { url: '/testing/user', isTest: true, summary: 'Create a test JWT for a test user (the prose\'s spelling)', description: testDescription },
  ];

  for (const { url, isTest, summary, description } of endpoints) {
    app.post(url, { schema: schema(summary, description) }, async (request) => {
      const { email, external_uid: externalUid, name } = request.body;
      const { jwtToken } = await partnerIdentity.issueUserJwt(callerOf(request).organisationId, { email, externalUid, name }, isTest);
      return { jwt_token: jwtToken };
    });
  }
};
