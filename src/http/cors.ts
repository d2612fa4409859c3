import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * CORS for browser apps, only for the origins in CORS_ORIGINS (exact matches); with none, nothing is
 * registered and browsers keep the same-origin rule. Credentials are bearer tokens sent by the app,
 * never cookies, so credentialed CORS stays off.
 */
export async function registerCors(app: FastifyInstance, origins: string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // What a browser client reads: the next page, the request id to quote, why a call was refused.
    exposedHeaders: ['link', 'x-request-id', 'www-authenticate', 'retry-after'],
    maxAge: 600,
    // An OPTIONS that is not a preflight is answered 204 too, not with the plugin's text/plain 400.
    strictPreflight: false,
  });
}
