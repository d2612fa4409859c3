import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
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

/**
 * Resolves like dns.lookup, but refuses a name that resolves to a non-public address. The socket
 * connects to exactly the addresses checked here, so DNS rebinding between check and use is moot.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (!allowPrivate && (isLocalName(hostname) || addresses.some((a) => !isPublicAddress(a.address)))) {
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
      request.on('error', (error) => finish({ status: null, error: error instanceof RefusedAddressError ? 'refused address' : 'connection failed' }));
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
