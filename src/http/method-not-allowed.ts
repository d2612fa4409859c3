import FindMyWay from 'find-my-way';
import type { FastifyInstance } from 'fastify';

// The methods a route can answer. OPTIONS is answered by CORS when CORS_ORIGINS is set; otherwise
// it is a 405 like any other method a path does not answer.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods some route answers at this path (none: no route has the path). */
    allowedMethods(path: string): string[];
  }
}

/**
 * Keeps every route's (method, path) in a router of its own, matched as Fastify matches, so a
 * request whose path exists under other methods is told 405 with an Allow header, not 404.
 * Installed before any route is registered (onRoute sees only the routes added after it).
 */
export function trackRouteMethods(app: FastifyInstance, options: { ignoreTrailingSlash: boolean; maxParamLength: number }): void {
  const router = FindMyWay(options);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      // A path registered twice under one method (an explicit HEAD beside the generated one) is one entry.
      if (!router.hasRoute(method as (typeof METHODS)[number], route.url)) router.on(method as (typeof METHODS)[number], route.url, () => undefined);
    }
  });
  app.decorate('allowedMethods', (path: string) => METHODS.filter((method) => router.find(method, path) !== null));
}
