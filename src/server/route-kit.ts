/**
 * What a route module is handed: the Fastify app, the app's context, the registry the OpenAPI
 * document is built from, and the authoriser. Its own module, so that `app.ts` imports the route
 * modules and the route modules import this, not `app.ts` (no import cycle).
 *
 * @example
 * export function registerHealthRoutes({ app, context, registry, authorize }: RouteKit): void { ... }
 */
import type { FastifyInstance } from 'fastify';
import type { createAuthorizer } from './auth/authenticate.ts';
import type { AppContext } from './context.ts';
import type { RouteRegistry } from './route.ts';

export interface RouteKit {
  readonly app: FastifyInstance;
  readonly context: AppContext;
  readonly registry: RouteRegistry;
  readonly authorize: ReturnType<typeof createAuthorizer>;
}

export type RouteModule = (kit: RouteKit) => void;
