import { lookup, promises as dnsPromises, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isLocalName, isPublicAddress, literalAddress } from '../core/events/address-policy.js';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../core/events/webhook-sender.js';

export interface HttpWebhookSenderOptions {
  /** Loopback and private receivers are allowed (development, a trusted network). */
  allowPrivate: boolean;
  timeoutMs?: number;
}

const TIMEOUT_MS = 10_000;
// Read so the connection ends cleanly, then dropped: a receiver's body is never kept or logged.
const MAX_RESPONSE_BYTES = 16_384;

class RefusedAddressError extends Error {}
class UnresolvedNameError extends Error {}

// A receiver's DNS gets a few seconds: a dead name server must not hold a send for the whole budget.
const DNS_TIMEOUT_MS = 2_000;
const DNS_TRIES = 2;

type Resolve = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

/**
 * Public receivers' names are resolved by DNS itself (c-ares, off the libuv thread pool, with a
 * timeout): the system resolver's getaddrinfo runs on that pool, where a slow or dead name server
 * would hold the threads that password hashing and file access need. With private receivers
 * allowed (development), the system resolver, which reads /etc/hosts (localhost).
 */
function resolverFor(allowPrivate: boolean): Resolve {
  if (allowPrivate) return (hostname, callback) => lookup(hostname, { all: true } as LookupAllOptions, (error, addresses) => callback(error, addresses));
  const resolver = new dnsPromises.Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  return (hostname, callback) => {
    void Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]).then(([v4, v6]) => {
      const addresses = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (addresses.length > 0) return callback(null, addresses);
      const reason: unknown = v4.status === 'rejected' ? v4.reason : undefined;
      callback(reason instanceof Error ? reason : new Error(`cannot resolve ${hostname}`), []);
    });
  };
}

const familyOf = (family: unknown): 4 | 6 | undefined => (family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : undefined);

/**
 * Resolves like dns.lookup, but refuses a name that resolves to a non-public address. The socket
 * connects to exactly the addresses checked here, so DNS rebinding between check and use is moot.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  const resolve = resolverFor(allowPrivate);
  return (hostname, options, callback) => {
    if (!allowPrivate && isLocalName(hostname)) return callback(new RefusedAddressError('refused address'), '', 0);
    resolve(hostname, (error, all) => {
      if (error) return callback(new UnresolvedNameError(error.message), '', 0);
      const family = familyOf(options.family);
      const addresses = family === undefined ? all : all.filter((a) => a.family === family);
      if (addresses.length === 0) return callback(new Error(`no IPv${family} address for ${hostname}`), '', 0);
      if (!allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) {
        return callback(new RefusedAddressError('refused address'), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function drain(response: IncomingMessage, done: () => void): void {
  let received = 0;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_RESPONSE_BYTES) {
      response.destroy();
      done();
    }
  });
  response.on('end', done);
  response.on('error', done);
}

/** POSTs signed events over HTTP(S), without following redirects, within a 10 s budget. */
export function createHttpWebhookSender(options: HttpWebhookSenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const lookupChecked = guardedLookup(options.allowPrivate);

  function send(input: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(input.url);
    const literal = literalAddress(url.hostname);
    if (!options.allowPrivate && literal !== undefined && !isPublicAddress(literal)) {
      return Promise.resolve({ status: null, durationMs: 0, error: 'refused address' });
    }
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Omit<WebhookResponse, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve({ ...result, durationMs: elapsed() });
      };
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: false,
        lookup: lookupChecked,
        headers: { ...input.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(input.body), 'user-agent': 'paybridge-webhooks/1' },
      });
      const timer = setTimeout(() => finish({ status: null, error: 'timeout' }), timeoutMs);
      request.on('response', (response) => drain(response, () => finish({ status: response.statusCode ?? null })));
      request.on('error', (error) => finish({ status: null, error: error instanceof RefusedAddressError ? 'refused address' : error instanceof UnresolvedNameError ? 'name not resolved' : 'connection failed' }));
      request.end(input.body);
    });
  }

  return {
    send,
    resolve: (hostname) =>
      new Promise((resolve) => {
        lookup(hostname, { all: true }, (error, addresses) => resolve(error ? [] : addresses.map((a) => a.address)));
      }),
  };
}
