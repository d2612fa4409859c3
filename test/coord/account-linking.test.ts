import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { createLinkStateCodec } from '../../src/core/transactable-systems/link-state.js';
import { tokenSubject } from '../helpers/users.js';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, patchSettings, putCatalogue, systemsOf, userJwt } from './helpers.js';

const REDIRECT = 'https://partner.example/linked?from=paybridge';
const CITIBIKE_LINK = 'https://citibike.example/oauth/link';

const t = useTestApp({}, async () => {
  assert.equal((await patchSettings(t, { redirectUris: [REDIRECT, 'myapp://linked'] })).statusCode, 200);
  await putCatalogue(t, [
    { systemId: 'CitiBike', name: 'Citi <Bike>', linkedAccountRequired: true, linkUrl: CITIBIKE_LINK },
    { systemId: 'DemoOnly', linkedAccountRequired: true },
    { systemId: 'Plain' },
  ]);
});

const startLink = (jwt: string, query: Record<string, string>, headers: Record<string, string> = {}, path = '/v1/users/link-account') =>
  t.inject({ method: 'GET', url: `${path}?${new URLSearchParams({ jwt, ...query }).toString()}`, headers });

const consentOf = (html: string) => {
  const match = /name="consent" value="([^"]+)"/.exec(html);
  assert.ok(match, 'the page carries a consent state');
  return match[1]!;
};

const decide = (consent: string, decision: string, browser: Record<string, string> = {}) =>
  t.inject({
    method: 'POST',
    url: '/v1/users/link-account/decision',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...browser },
    payload: new URLSearchParams({ consent, decision }).toString(),
  });

describe('account linking with a test JWT: the demo permission page', () => {
  test('shows a real HTML page that records Allow and returns to the redirect_uri with the outcome', async () => {
    const email = uniqueEmail('demo');
    const jwt = await userJwt(t, { email }, 'test');
    const page = await startLink(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT, state: 'partner-state-1' });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.match(page.headers['content-security-policy'] as string, /form-action 'self' https:\/\/partner\.example/);
    assert.equal(page.headers['referrer-policy'], 'strict-origin');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.body, /Citi &lt;Bike&gt;/, 'names are escaped');
    assert.ok(page.body.includes(email));
    assert.match(page.body, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(page.body, /value="deny">Deny</);

    const decided = await decide(consentOf(page.body), 'allow');
    assert.equal(decided.statusCode, 303, decided.body);
    const location = new URL(decided.headers.location as string);
    assert.equal(`${location.origin}${location.pathname}`, 'https://partner.example/linked');
    assert.deepEqual(Object.fromEntries(location.searchParams), { from: 'paybridge', system_id: 'CitiBike', linked_account: 'true', state: 'partner-state-1' });
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.transactable, true);
    // A consent is used once: replaying it (e.g. Deny after Allow) changes nothing.
    const replay = await decide(consentOf(page.body), 'deny');
    assert.equal(replay.statusCode, 400, replay.body);
    assert.equal(replay.json().code, 'INVALID_LINK_STATE');
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, true);
  });

  test("another site's form cannot post the decision; the page's own origin can, and the consent stays usable after a refusal", async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('csrf') }, 'test');
    const page = await startLink(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT });
    const consent = consentOf(page.body);
    const crossSite: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }, { referer: 'https://evil.example/page' }];
    for (const browser of crossSite) {
      const refused = await decide(consent, 'allow', browser);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().code, 'CROSS_SITE_FORM');
    }
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
    const own = await decide(consent, 'allow', { origin: new URL(t.config.publicUrl).origin, 'sec-fetch-site': 'same-origin' });
    assert.equal(own.statusCode, 303, own.body);
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, true);
  });

  test('Deny is recorded too, and the partner hears access_denied', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('deny') }, 'test');
    await coord(t, { method: 'POST', path: '/testing/user/current/transactable_systems', jwt, payload: { system_id: 'DemoOnly', linked_account: true } });
    const page = await startLink(jwt, { system_id: 'DemoOnly', redirect_uri: 'myapp://linked' }, {}, '/v1/users/user/current/link_account');
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.headers['content-security-policy'] as string, /form-action 'self' myapp:/);
    const decided = await decide(consentOf(page.body), 'deny');
    assert.equal(decided.statusCode, 303);
    assert.equal(decided.headers.location, 'myapp://linked?system_id=DemoOnly&linked_account=false&error=access_denied');
    assert.equal((await systemsOf(t, jwt)).get('DemoOnly')!.linked_account, false);
  });

  test('the JWT may come in Authorization instead of the query; a bad decision or a forged consent is a 400', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('header') }, 'test');
    const page = await t.inject({ method: 'GET', url: `/v1/users/link-account?system_id=CitiBike&redirect_uri=${encodeURIComponent(REDIRECT)}`, headers: bearer(jwt) });
    assert.equal(page.statusCode, 200, page.body);
    const consent = consentOf(page.body);
    assert.equal((await decide(consent, 'maybe')).statusCode, 400);
    const forged = await decide(`${consent.slice(0, -3)}abc`, 'allow');
    assert.equal(forged.statusCode, 400);
    assert.equal(forged.json().code, 'INVALID_LINK_STATE');
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
  });
});

describe('refusals before any redirect', () => {
  test('an unregistered or missing redirect_uri is refused, as JSON for clients and as a page for browsers', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('evil') }, 'test');
    const evil = await startLink(jwt, { system_id: 'CitiBike', redirect_uri: 'https://evil.example/steal' });
    assert.equal(evil.statusCode, 400);
    assert.equal(evil.json().code, 'REDIRECT_URI_NOT_ALLOWED');
    assert.equal(evil.headers.location, undefined);
    const prefix = await startLink(jwt, { system_id: 'CitiBike', redirect_uri: `${REDIRECT}&x=1` });
    assert.equal(prefix.statusCode, 400, 'only an exact match counts');
    const missing = await startLink(jwt, { system_id: 'CitiBike' });
    assert.equal(missing.json().code, 'REDIRECT_URI_NOT_ALLOWED', 'with two registered, redirect_uri is required');

    const browser = await startLink(jwt, { system_id: 'CitiBike', redirect_uri: 'https://evil.example/' }, { accept: 'text/html,application/xhtml+xml' });
    assert.equal(browser.statusCode, 400);
    assert.match(browser.headers['content-type'] as string, /^text\/html/);
    assert.match(browser.body, /Account linking failed[\s\S]*REDIRECT_URI_NOT_ALLOWED/);
  });

  test('unknown or unlinkable systems, and missing or bad JWTs', async () => {
    const testJwt = await userJwt(t, { email: uniqueEmail('sys') }, 'test');
    const liveJwt = await userJwt(t, { email: uniqueEmail('sys-live') });
    const cases: Array<[Promise<{ statusCode: number; json(): { code: string } }>, number, string]> = [
      [startLink(testJwt, { system_id: 'Nope', redirect_uri: REDIRECT }), 400, 'UNKNOWN_SYSTEM'],
      [startLink(testJwt, { system_id: 'Plain', redirect_uri: REDIRECT }), 400, 'SYSTEM_NOT_LINKABLE'],
      [startLink(liveJwt, { system_id: 'DemoOnly', redirect_uri: REDIRECT }), 400, 'SYSTEM_NOT_LINKABLE'],
      [startLink('not.a.jwt', { system_id: 'CitiBike', redirect_uri: REDIRECT }), 401, 'INVALID_TOKEN'],
      [t.inject({ method: 'GET', url: '/v1/users/link-account?system_id=CitiBike' }), 401, 'UNAUTHENTICATED'],
      [startLink(testJwt, { system_id: 'CitiBike', redirect_uri: REDIRECT, access_key: 'pbk_wrong' }), 401, 'INVALID_API_KEY'],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      assert.equal(response.statusCode, status, code);
      assert.equal(response.json().code, code);
    }
  });
});

describe('account linking with a live JWT: the system\'s link page and our callback', () => {
  /** A live start as the user's browser makes it: where it is sent, and the cookie that browser now holds. */
  const startLive = async (jwt: string, query: Record<string, string>, path?: string) => {
    const start = await startLink(jwt, query, {}, path);
    assert.equal(start.statusCode, 302, start.body);
    const setCookie = String(start.headers['set-cookie']);
    assert.match(setCookie, /^pb_link_browser=[\w-]{43}; Path=\/v1\/users\/link-account; Max-Age=600; HttpOnly; SameSite=Lax$/);
    return { location: new URL(start.headers.location as string), cookie: setCookie.split(';')[0]! };
  };
  /** The system sends the browser back: from the browser holding `cookie` (or, with none, from another one). */
  const returnTo = (url: string, cookie?: string) => t.inject({ method: 'GET', url, headers: cookie === undefined ? {} : { cookie } });

  /** The callback as the live system sends it: the state it got, its outcome, and its signature over both. */
  const callbackPath = async (location: URL, error?: string, systemId = 'CitiBike') => {
    const redirectUri = new URL(location.searchParams.get('redirect_uri')!);
    assert.equal(`${redirectUri.origin}${redirectUri.pathname}`, `${t.config.publicUrl}/v1/users/link-account/callback`);
    const state = location.searchParams.get('state')!;
    const secretAnswer = await t.inject({ method: 'GET', url: `/admin/transactable-systems/${systemId}/link-secret`, headers: bearer(t.apiKey) });
    assert.equal(secretAnswer.statusCode, 200, secretAnswer.body);
    const secret = t.logs.secret(secretAnswer.json().secret as string);
    const signature = createHmac('sha256', secret).update(`${state}.${error ?? 'linked'}`).digest('hex');
    const errorPart = error === undefined ? '' : `&error=${encodeURIComponent(error)}`;
    return `/v1/users/link-account/callback?state=${encodeURIComponent(state)}${errorPart}&signature=${signature}`;
  };

  test('redirects to the link URL with a signed state; the callback records the link and returns to the partner', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('live') });
    const { location, cookie } = await startLive(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT, state: 's-42' }, '/v1/users/user/current/link_account');
    assert.equal(`${location.origin}${location.pathname}`, CITIBIKE_LINK);
    assert.equal(location.searchParams.get('system_id'), 'CitiBike');

    const back = await returnTo(await callbackPath(location), cookie);
    assert.equal(back.statusCode, 303, back.body);
    assert.equal(back.headers.location, 'https://partner.example/linked?from=paybridge&system_id=CitiBike&linked_account=true&state=s-42');
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.transactable, true);

    // Re-linking abandoned at the system leaves the existing link alone.
    const again = await startLive(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT });
    const refused = await returnTo(await callbackPath(again.location, 'access_denied'), again.cookie);
    assert.equal(refused.statusCode, 303);
    assert.match(refused.headers.location as string, /linked_account=false&error=access_denied/);
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, true);
    const oddStart = await startLive(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT });
    const odd = await returnTo(await callbackPath(oddStart.location, '<script>'), oddStart.cookie);
    assert.match(odd.headers.location as string, /error=link_failed/);
  });

  test('finding 5: the browser alone cannot claim a link: no or a wrong signature is 400 INVALID_LINK_PROOF, a replay 400 INVALID_LINK_STATE', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('forger') });
    const { location, cookie } = await startLive(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT });
    const state = encodeURIComponent(location.searchParams.get('state')!);
    const signed = await callbackPath(location);
    const forgeries = [
      `/v1/users/link-account/callback?state=${state}`,
      `/v1/users/link-account/callback?state=${state}&signature=${'0'.repeat(64)}`,
      // The system's signature of a refusal does not vouch for a success.
      (await callbackPath(location, 'access_denied')).replace('&error=access_denied', ''),
    ];
    for (const url of forgeries) {
      const response = await returnTo(url, cookie);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'INVALID_LINK_PROOF');
    }
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
    assert.equal((await returnTo(signed, cookie)).statusCode, 303);
    const replay = await returnTo(signed, cookie);
    assert.equal(replay.statusCode, 400, replay.body);
    assert.equal(replay.json().code, 'INVALID_LINK_STATE');
  });

  test('a state handed to another browser (whose approval at the system would link its account to the starter\'s user) is refused there, and still finishes in the browser that started it', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('starter') });
    const { location, cookie } = await startLive(jwt, { system_id: 'CitiBike', redirect_uri: REDIRECT });
    const signed = await callbackPath(location);
    const victims = [undefined, 'pb_link_browser=' + 'A'.repeat(43), (await startLive(await userJwt(t, { email: uniqueEmail('victim') }), { system_id: 'CitiBike', redirect_uri: REDIRECT })).cookie];
    for (const victimCookie of victims) {
      const response = await returnTo(signed, victimCookie);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'LINK_BROWSER_MISMATCH');
    }
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
    const own = await returnTo(signed, `theme=dark; ${cookie}`);
    assert.equal(own.statusCode, 303, own.body);
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, true);
  });

  test('a tampered, expired or misused state is a 400 INVALID_LINK_STATE', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('state') });
    const userId = tokenSubject(jwt);
    const state = { userId, organisationId: t.organisationId, systemId: 'CitiBike', redirectUri: REDIRECT };
    const expired = createLinkStateCodec({ secret: t.config.jwtSecret, issuer: t.config.jwtIssuer, ttlSeconds: -60 }).encode({ ...state, purpose: 'link' });
    const consent = createLinkStateCodec({ secret: t.config.jwtSecret, issuer: t.config.jwtIssuer, ttlSeconds: 60 }).encode({ ...state, purpose: 'consent' });
    const foreignKey = createLinkStateCodec({ secret: 'x'.repeat(40), issuer: t.config.jwtIssuer, ttlSeconds: 60 }).encode({ ...state, purpose: 'link' });
    // Shaped like one of our access tokens (right key, issuer and audience): still not a state.
    const accessTokenShaped = createSigner({ key: t.config.jwtSecret, algorithm: 'HS256', iss: t.config.jwtIssuer, aud: t.config.jwtAudience, expiresIn: 60_000 })({
      sub: userId,
      sid: 'no-such-session',
      org: t.organisationId,
    });
    for (const token of [expired, consent, foreignKey, accessTokenShaped]) {
      const response = await t.inject({ method: 'GET', url: `/v1/users/link-account/callback?state=${encodeURIComponent(token)}` });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'INVALID_LINK_STATE');
    }
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
  });
});
