import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { documentOperations } from './openapi-docs/apply-docs.js';
import { ROUTE_SECURITY_SCHEME, securitySchemes, tags } from './openapi-docs/faces.js';

// swagger-ui's own staticCSP, except that upgrade-insecure-requests is sent only over https: a
// page served over plain http (a Docker or LAN trial at any host name but localhost) would
// otherwise fetch its own scripts over https and stay blank.
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; frame-ancestors 'self'; img-src 'self' data: validator.swagger.io; " +
  "object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' https:";

export function docsContentSecurityPolicy(overHttps: boolean): string {
  return overHttps ? `${DOCS_CSP}; upgrade-insecure-requests` : DOCS_CSP;
}

/** OpenAPI 3 generated from the route schemas, served at /openapi.json, with a docs page at /docs. */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'paybridge',
        version: '0.1.0',
        description:
          'Users and payments with Stripe. Three faces on one core: the Customers & Payments API (`/user`, `/payment`), ' +
          'a Coord-compatible Users API (`/v1/users`) and a CareValidate-compatible API (`/api/v1/users`). ' +
          'Every error is in the envelope of the face its path belongs to; a path called with a method it does not answer is a 405 ' +
          '`METHOD_NOT_ALLOWED` whose `Allow` header names the methods it does.',
      },
      servers: [{ url: publicUrl }],
      components: { securitySchemes: { ...securitySchemes, [ROUTE_SECURITY_SCHEME]: { type: 'http', scheme: 'bearer' } } },
      tags,
    },
    transformObject: (document) => ('openapiObject' in document ? documentOperations(document.openapiObject) : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? json.title ?? `def-${i}`) },
  });
  await app.register(async (docs) => {
    docs.addHook('onSend', async (request, reply) => {
      void reply.header('content-security-policy', docsContentSecurityPolicy(request.protocol === 'https'));
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
  });
  app.get('/openapi.json', { schema: { hide: true }, logLevel: 'warn' }, async () => app.swagger());
}
