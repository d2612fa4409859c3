import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Principal } from '../../core/auth/principal.js';
import { toUserView as toReturnUserDto } from '../../core/users/user.views.js';
import { authOf, optionalBearer, requireBearer } from '../../http/auth.js';
import type { AppContext } from '../../http/app-context.js';
import { bearerSecurity, errorResponses, IdParams, PageQuery } from './common.schemas.js';
import { nextPageLink } from './pagination.js';
import { AdminCreateUserDto, AuthGrantDto, CreateUserDto, LoginUserDto, ReturnUserDto, UpdateUserDto } from './user.schemas.js';

const tags = ['Users'];

/** Seed 003's users: register, login, CRUD. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { users, authentication } = ctx.services;
  const organisationOf = (auth: { principal: Principal } | undefined) => users.organisationForSignIn(auth?.principal, ctx.defaultOrganisationId);

  app.post('/user/register', {
    onRequest: optionalBearer(authentication),
    schema: {
      tags,
      summary: 'Register a user and sign it in',
      description:
        'Public. With an API key in Authorization the user joins that key\'s organisation, else the default one. ' +
        'Anonymous registrations are limited per client address (429 with Retry-After) and refused (403 REGISTRATION_CLOSED) where the organisation turned `publicRegistration` off.',
      body: CreateUserDto,
      response: { 201: AuthGrantDto, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
    },
  }, async (request, reply) => {
    const anonymous = request.auth ? undefined : { clientAddress: request.ip };
    const grant = await users.register(organisationOf(request.auth), request.body, anonymous);
    return reply.code(201).send(grant);
  });

  app.post('/user/login', {
    onRequest: optionalBearer(authentication),
    schema: {
      tags,
      summary: 'Sign in with email and password',
      body: LoginUserDto,
      response: { 201: AuthGrantDto, ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request, reply) => {
    const grant = await users.login(organisationOf(request.auth), request.body, request.ip);
    return reply.code(201).send(grant);
  });

  app.register(async (scope) => {
    const secured = scope.withTypeProvider<TypeBoxTypeProvider>();
    secured.addHook('onRequest', requireBearer(authentication));

    secured.post('/user/logout', {
      schema: { tags, summary: "End all of the caller's sessions", security: bearerSecurity, response: { 204: Type.Null(), ...errorResponses(401, 403) } },
    }, async (request, reply) => {
      await users.logout(authOf(request).principal);
      return reply.code(204).send(null);
    });

    secured.post('/user', {
      schema: {
        tags,
        summary: 'Create a user (administrators and API keys)',
        security: bearerSecurity,
        body: AdminCreateUserDto,
        response: { 201: ReturnUserDto, ...errorResponses(400, 401, 403, 409) },
      },
    }, async (request, reply) => {
      const user = await users.createUser(authOf(request).principal, request.body);
      return reply.code(201).send(toReturnUserDto(user));
    });

    secured.get('/user', {
      schema: {
        tags,
        summary: 'List the users the caller may see',
        description:
          'Administrators and API keys: the organisation\'s users, page by page; the next page, if any, is announced in a `Link: <…>; rel="next"` header. ' +
          'A user: a one-element array with itself (so a client learns its own `userId`).',
        security: bearerSecurity,
        querystring: PageQuery,
        response: { 200: Type.Array(ReturnUserDto), ...errorResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const { limit, starting_after: startingAfter } = request.query;
      const page = await users.listUsers(authOf(request).principal, { limit: limit + 1, startingAfter });
      const link = nextPageLink(ctx.config.publicUrl, '/user', page, limit);
      if (link) void reply.header('link', link);
      return page.slice(0, limit).map(toReturnUserDto);
    });

    secured.get('/user/:id', {
      schema: { tags, summary: 'Read a user', security: bearerSecurity, params: IdParams, response: { 200: ReturnUserDto, ...errorResponses(401, 404) } },
    }, async (request) => {
      const { principal, self } = authOf(request);
      return toReturnUserDto(await users.getUser(principal, request.params.id, self));
    });

    secured.patch('/user/:id', {
      schema: {
        tags,
        summary: 'Update a user',
        description:
          'Send back what you read: fields equal to their current value (and the object\'s own `userId`) are accepted and change nothing. ' +
          'Users may change their name, and their email and password with `currentPassword` (other sessions end); a user made by a partner (Coord, CareValidate) has its email changed by its partner only (403 PARTNER_MANAGED_USER). ' +
          'Only administrators and API keys may change `customerId` (it must exist at Stripe and be no other user\'s) or `role`.',
        security: bearerSecurity,
        params: IdParams,
        body: UpdateUserDto,
        response: { 200: ReturnUserDto, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    }, async (request) => toReturnUserDto(await users.updateUser(authOf(request).principal, request.params.id, request.body, request.ip)));

    secured.delete('/user/:id', {
      schema: { tags, summary: 'Delete a user and end its sessions', security: bearerSecurity, params: IdParams, response: { 200: ReturnUserDto, ...errorResponses(401, 404) } },
    }, async (request) => toReturnUserDto(await users.deleteUser(authOf(request).principal, request.params.id)));
  });
};
