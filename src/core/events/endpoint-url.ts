import { ValidationError } from '../errors.js';
import { isLocalName, isPublicAddress, literalAddress } from './address-policy.js';

export interface EndpointUrlPolicy {
  requireHttps: boolean;
  allowPrivate: boolean;
}

const refuse = (message: string) => new ValidationError(`The endpoint URL ${message}`, [{ path: '/url', message }]);

/**
 * Checks a receiver URL when it is registered. The sender checks the addresses it connects to
 * again at every delivery, as DNS may answer differently later (rebinding).
 */
export async function checkEndpointUrl(raw: string, policy: EndpointUrlPolicy, resolve: (hostname: string) => Promise<string[]>): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must be an absolute http(s) URL');
  if (url.username || url.password) throw refuse('must not contain credentials');
  if (url.port === '0') throw refuse('must not use port 0');
  const literal = literalAddress(url.hostname);
  const privateHost = isLocalName(url.hostname) || (literal !== undefined && !isPublicAddress(literal));
  if (privateHost && !policy.allowPrivate) throw refuse('must not point at a loopback, private or link-local address');
  if (url.protocol === 'http:' && policy.requireHttps && !privateHost) throw refuse('must use https');
  if (!literal && !privateHost && !policy.allowPrivate) {
    const addresses = await resolve(url.hostname);
    if (addresses.some((address) => !isPublicAddress(address))) throw refuse('must not resolve to a loopback, private or link-local address');
  }
  return url.href;
}
