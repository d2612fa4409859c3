import type { AppError } from '../../core/errors.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Where a form on our pages may lead: the page's own origin, and the partner's redirect target. */
function formTarget(redirectUri: string | undefined): string {
  if (!redirectUri) return '';
  const url = new URL(redirectUri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? ` ${url.origin}` : ` ${url.protocol}`;
}

/**
 * Headers of every page of the linking flow. The URL may hold the user's JWT, so a referrer
 * names our origin only (never the URL; "no-referrer" would also make a browser send
 * `Origin: null` on the page's own form, which cannot be told from another site's) and no caching; the page asks for consent, so no framing (clickjacking); and nothing but our own
 * inline style runs.
 */
export function pageHeaders(redirectUri?: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${formTarget(redirectUri)}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
  main { max-width: 28rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 2px 12px #0002; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  .badge { display: inline-block; background: #fff3cd; color: #6b4e00; border-radius: 999px; padding: .2rem .7rem; font-size: .8rem; }
  .note { color: #5b6272; font-size: .9rem; }
  form { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { flex: 1; font-size: 1rem; padding: .7rem; border-radius: 8px; border: 1px solid #2f5bea; cursor: pointer; }
  button[value=allow] { background: #2f5bea; color: #fff; }
  button[value=deny] { background: #fff; color: #2f5bea; }`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body>
</html>`;
}

export interface ConsentPage {
  organisationName: string;
  systemName: string;
  userEmail: string;
  consentToken: string;
  formAction: string;
}

/** Coord's demo permission page for test users: Allow or Deny, posted back with the signed consent state. */
export function renderConsentPage(args: ConsentPage): string {
  const system = escapeHtml(args.systemName);
  return page(
    `Link your ${args.systemName} account`,
    `<p class="badge">Test user · demo permission page</p>
<h1>Link your ${system} account</h1>
<p><strong>${escapeHtml(args.organisationName)}</strong> would like to link your ${system} account to <strong>${escapeHtml(args.userEmail)}</strong>, so that it can transact with ${system} for you.</p>
<p class="note">You are signed in as a test user, so this page stands in for ${system}'s own sign-in: no real account is linked.</p>
<form method="post" action="${escapeHtml(args.formAction)}">
<input type="hidden" name="consent" value="${escapeHtml(args.consentToken)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** What a browser shows when linking cannot go on; never a redirect to an address we cannot vouch for. */
export function renderErrorPage(error: AppError, requestId: string): string {
  return page(
    'Account linking failed',
    `<h1>Account linking failed</h1>
<p>${escapeHtml(error.message)}</p>
<p class="note">Error ${escapeHtml(error.code)} · request ${escapeHtml(requestId)}</p>`,
  );
}
