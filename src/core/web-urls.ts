// As OAuth's rules for redirect URIs have it (RFC 8252, 9700): plain http only to this machine.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why a web URL a browser is sent to (with a signed state, say) is unsafe: plain http beyond this machine. */
export function plainHttpProblem(url: URL): string | undefined {
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return 'must use https (http only for a loopback address: 127.0.0.1, [::1], localhost)';
  return undefined;
}
