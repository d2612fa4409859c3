import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

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
          'a Coord-compatible Users API (`/v1/users`) and a CareValidate-compatible API (`/api/v1/users`).',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A user access token (JWT) or an organisation API key' },
          cvApiKey: { type: 'apiKey', in: 'header', name: 'cv-api-key', description: 'An organisation API key (CareValidate-compatible API)' },
          accessKey: { type: 'apiKey', in: 'query', name: 'access_key', description: "An organisation API key (Coord-compatible API); also accepted as 'Authorization: Bearer'" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? json.title ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
  app.get('/openapi.json', { schema: { hide: true }, logLevel: 'warn' }, async () => app.swagger());
}
