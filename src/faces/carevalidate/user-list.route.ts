import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../http/app-context.js';
import type { UserDirectory } from '../../core/users/user-directory.js';
import { authOf } from '../../http/auth.js';
import { success } from './envelope.js';
import { CvApiKeyHeader, DEFAULT_PAGE_SIZE, failureResponses, ListQuery, tags, UserListResponse } from './schemas.js';
import { toCareValidateUser } from './user-view.js';

/** GET /api/v1/users: the organisation's users, oldest first, a page at a time. */
export const userListRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; directory: UserDirectory }> = async (app, { ctx, directory }) => {
  app.get('/', {
    schema: {
      tags,
      summary: "List the organisation's users",
      description:
        'Cursor pagination: pass `meta.cursor` as `after` for the next page while `meta.hasMore` is true. ' +
        '`emailPrefix` keeps only users whose email starts with it. Each user carries its shipping address and the brand, ' +
        'last four digits and expiry of its default card; never a token.',
      headers: CvApiKeyHeader,
      querystring: ListQuery,
      response: { 200: UserListResponse, ...failureResponses(400) },
    },
  }, async (request) => {
    const { limit = DEFAULT_PAGE_SIZE, after, emailPrefix } = request.query;
    const page = await directory.listUsers(authOf(request).principal.organisationId, { limit, after, emailPrefix });
    const data = page.rows.map(({ user, profile }) => toCareValidateUser(user, ctx.services.profiles.toView(profile)));
    return { ...success(200, data), meta: { hasMore: page.hasMore, cursor: page.cursor } };
  });
};
