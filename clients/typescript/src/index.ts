import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export interface PaybridgeClientOptions {
  /** Where paybridge listens, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer …` on every call: a user's access_token or an organisation API key.
   * A function is read per call, so a token obtained later (after login) is picked up.
   */
  token?: string | (() => string | undefined);
  fetch?: typeof globalThis.fetch;
}

export type PaybridgeClient = Client<paths>;

/** A client typed from paybridge's /openapi.json: paths, bodies and answers are checked at compile time. */
export function createPaybridgeClient(options: PaybridgeClientOptions): PaybridgeClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const { token } = options;
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}
