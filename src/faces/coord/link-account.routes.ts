import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../http/app-context.js';
import type { ErrorEnvelope } from '../../http/error-handler.js';
import { sendError } from '../../http/error-handler.js';
import { partnerUserOf, requireUser } from './coord.auth.js';
import { coordEnvelope, coordErrors } from './coord.envelope.js';
import { AccessKeyHeaders, tags } from './coord.schemas.js';
import { pageHeaders, renderConsentPage, renderErrorPage } from './link-account.page.js';
import { linkBrowserCookie, linkBrowserOf } from './link-browser.js';
import { CrossSiteFormError } from '../../core/errors.js';
import { LINK_STATE_TTL_SECONDS } from '../../core/transactable-systems/link-state.js';

const LinkAccountQuery = Type.Object({
  access_key: Type.Optional(Type.String({ maxLength: 200, description: "The organisation's API access key (optional)" })),
  jwt: Type.Optional(Type.String({ maxLength: 8192, description: "The user's JWT, for browsers that cannot send an Authorization header" })),
  system_id: Type.String({ minLength: 1, maxLength: 64, description: 'The system to link an account with' }),
  redirect_uri: Type.Optional(
    Type.String({ maxLength: 2048, description: "Where the browser returns with the outcome; one of the organisation's registered URIs (default: the only one)" }),
  ),
  state: Type.Optional(Type.String({ maxLength: 1024, description: 'Your own opaque value, handed back with the outcome' })),
});

const DecisionBody = Type.Object(
  {
    consent: Type.String({ minLength: 1, maxLength: 4096, description: 'The signed consent state from the page' }),
    decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  },
  { additionalProperties: false },
);

const CallbackQuery = Type.Object({
  state: Type.String({ minLength: 1, maxLength: 4096, description: 'The state paybridge sent to the system' }),
  error: Type.Optional(Type.String({ maxLength: 200, description: 'Set by the system when the user did not link (e.g. access_denied)' })),
  signature: Type.Optional(
    Type.String({ maxLength: 128, description: "The system's proof: hex HMAC-SHA256 of `state + \".\" + outcome` (outcome `linked` or the `error`) under the system's link secret" }),
  ),
});

const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } });
const redirect = (description: string) => ({ description, headers: { location: Type.String() }, content: { 'text/html': { schema: Type.Null() } } });
const outcome = 'To the partner\'s redirect_uri with `system_id`, `linked_account` (true/false), `error` on refusal, and your `state`.';

/**
 * The demo page's form comes back from our own page only: a browser names the page's origin
 * (Origin, or Sec-Fetch-Site; an older one, Referer) on a form post, so another site's
 * auto-submitted form is refused. A client that sends none (curl, a server) is not a browser,
 * and nothing is forged for it.
 */
function assertPostedFromOurPage(request: FastifyRequest, publicUrl: string): void {
  // Our page's origin: PUBLIC_URL's, or the one this request was addressed to (a browser cannot forge either for another site).
  const ours = new Set([new URL(publicUrl).origin, `${request.protocol}://${request.host}`]);
  const { origin, referer } = request.headers;
  const site = request.headers['sec-fetch-site'];
  const refererOrigin = (() => {
    try {
      return referer === undefined ? undefined : new URL(referer).origin;
    } catch {
      return 'unreadable';
    }
  })();
  // Sec-Fetch-Site, where a browser sends it, says it all; else Origin ("null" is an opaque origin:
  // a sandboxed frame or a data: page, never our page); else, from an older browser, Referer.
  const foreign =
    site !== undefined
      ? site !== 'same-origin' && site !== 'none'
      : origin !== undefined
        ? !ours.has(origin)
        : refererOrigin !== undefined && !ours.has(refererOrigin);
  if (foreign) throw new CrossSiteFormError();
}

/** Browsers get an HTML error page; API clients the usual Coord error body. */
const wantsHtml = (request: FastifyRequest) => /text\/html/.test(request.headers.accept ?? '');
const htmlEnvelope: ErrorEnvelope = (error, request) => renderErrorPage(error, request.id);

/** Coord's account linking, walked in the user's browser (or webview). */
export const linkAccountRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { accountLinking } = ctx.services;
  const callbackUrl = `${ctx.config.publicUrl}${app.prefix}/link-account/callback`;
  const decisionPath = `${app.prefix}/link-account/decision`;
  const browserCookie = { path: `${app.prefix}/link-account`, secure: ctx.config.publicUrl.startsWith('https:'), maxAgeSeconds: LINK_STATE_TTL_SECONDS };

  app.setErrorHandler((error, request, reply) => {
    if (!wantsHtml(request)) return sendError(error, request, reply, coordEnvelope);
    void reply.headers(pageHeaders());
    return sendError(error, request, reply, htmlEnvelope);
  });
  // The demo page posts an HTML form; nothing else in this scope takes one.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const startSchema = (summary: string) => ({
    tags,
    summary,
    description:
      'Send the user\'s browser here. With a test JWT it shows a demo permission page (Allow / Deny) that records the choice and redirects to `redirect_uri`. ' +
      'With a live JWT it redirects to the system\'s link page with a signed `state` (valid 10 minutes) and paybridge\'s callback as `redirect_uri`, ' +
      'and sets the `pb_link_browser` cookie: the callback finishes the flow only in the browser that started it.',
    security: [{ bearerAuth: [] }],
    querystring: LinkAccountQuery,
    headers: AccessKeyHeaders,
    response: { 200: htmlPage('The demo permission page (test users)'), 302: redirect("To the system's link page (live users)"), ...coordErrors(400, 401, 403) },
  });
  const startHandler = requireUser(ctx.services, { jwtInQuery: true });

  for (const [url, summary] of [
    ['/link-account', 'Link a user account with a transactable system (browser)'],
    ['/user/current/link_account', 'Link a user account with a transactable system (browser; the prose\'s spelling)'],
  ] as const) {
    app.get(url, { onRequest: startHandler, schema: startSchema(summary) }, async (request, reply) => {
      const { system_id: systemId, redirect_uri: redirectUri, state: partnerState } = request.query;
      const { setCookie, browser } = linkBrowserCookie(request, browserCookie);
      const start = await accountLinking.startLinking(partnerUserOf(request).user, { systemId, redirectUri, partnerState, callbackUrl, browser });
      if (start.kind === 'redirect') return reply.header('set-cookie', setCookie).redirect(start.location, 302);
      const html = renderConsentPage({ ...start, formAction: decisionPath });
      return reply.code(200).headers(pageHeaders(start.redirectUri)).send(html);
    });
  }

  app.post('/link-account/decision', {
    schema: {
      tags,
      summary: 'The Allow / Deny of the demo permission page (posted by the page)',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: DecisionBody,
      response: { 303: redirect(outcome), ...coordErrors(400, 403, 415) },
    },
    preHandler: async (request) => assertPostedFromOurPage(request, ctx.config.publicUrl),
  }, async (request, reply) => reply.redirect(await accountLinking.decideConsent(request.body.consent, request.body.decision === 'allow'), 303));

  // The signed state lets whoever holds it finish this flow for ten minutes; the logger redacts it from URLs.
  app.get('/link-account/callback', {
    schema: {
      tags,
      summary: "Where a live system's link page returns the browser",
      description:
        'Records the link unless the system reports an `error`, then redirects to the partner. The state is checked for signature, expiry and purpose, and is accepted once, ' +
        'only from the browser that started the flow (its `pb_link_browser` cookie; otherwise 400 LINK_BROWSER_MISMATCH, and the state stays usable there). ' +
        'The system must sign what it reports: `signature` = hex HMAC-SHA256(link secret, `state + "." + outcome`), outcome `linked` or the `error` value; ' +
        'administrators read the secret at GET /admin/transactable-systems/{systemId}/link-secret. Without a valid signature: 400 INVALID_LINK_PROOF.',
      querystring: CallbackQuery,
      response: { 303: redirect(outcome), ...coordErrors(400) },
    },
  }, async (request, reply) => reply.redirect(await accountLinking.completeLink(request.query.state, request.query.error, request.query.signature, linkBrowserOf(request)), 303));
};
