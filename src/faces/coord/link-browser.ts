import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * The browser a live account-linking flow started in, as a cookie on the linking paths: the
 * state sent to the system names its digest, and the callback accepts the state only from a
 * browser that holds the cookie (RFC 6749 §10.12). HttpOnly, SameSite=Lax (the system sends the
 * browser back with a top-level GET, which carries it), Secure when paybridge is served over HTTPS.
 */
const COOKIE = 'pb_link_browser';
const VALUE = /^[A-Za-z0-9_-]{43}$/;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

function cookieValue(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = pair.trim().split('=');
    const value = rest.join('=');
    if (name === COOKIE && VALUE.test(value)) return value;
  }
  return undefined;
}

/** The digest of the browser's link cookie, if it sent one. */
export function linkBrowserOf(request: FastifyRequest): string | undefined {
  const value = cookieValue(request);
  return value === undefined ? undefined : digest(value);
}

/** The browser's link cookie (kept if it has one, else a new one) as a Set-Cookie value lasting `maxAgeSeconds`, and its digest. */
export function linkBrowserCookie(request: FastifyRequest, options: { path: string; secure: boolean; maxAgeSeconds: number }): { setCookie: string; browser: string } {
  const value = cookieValue(request) ?? randomBytes(32).toString('base64url');
  const attributes = [`Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])];
  return { setCookie: `${COOKIE}=${value}; ${attributes.join('; ')}`, browser: digest(value) };
}
