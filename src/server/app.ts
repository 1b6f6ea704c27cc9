/**
 * The HTTP server: REST API under `/api`, the OAuth redirect, health and metrics, and (later) the
 * web UI. One Fastify instance; every route is declared through `defineRoute` so that it is
 * validated, authorised and documented in one place.
 *
 * @example
 * const app = await buildApp(context);
 * await app.listen({ host: config.host, port: config.port });
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';

import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.ts';
import { observeVendorCalls } from '../http/observe.ts';
import { redactUrl } from '../http/redact.ts';
import { observeTokenRefreshes } from '../ninjaone/token-provider.ts';
import { createAuthorizer } from './auth/authenticate.ts';
import { ApiError, errorBody } from './errors.ts';
import { useJsonBodyLimits } from './json-body.ts';
import { countTokenRefresh, countVendorCall } from './metrics.ts';
import { buildOpenApi } from './openapi.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerPeopleRoutes } from './routes/people.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerTokenRoutes } from './routes/tokens.ts';

import type { Config } from '../config.ts';
import type { AppContext } from './context.ts';
import type { RouteRegistry } from './route.ts';
import type { RouteKit, RouteModule } from './route-kit.ts';

export const apiVersion = '0.1.0';

export async function buildApp(context: AppContext, extraRoutes: readonly RouteModule[] = []): Promise<FastifyInstance> {
  const options: FastifyServerOptions = {
    loggerInstance: context.logger,
    // Fastify's own request lines carry the full URL; ours take secrets out of the query first.
    logController: new LogController({ disableRequestLogging: true }),
    // Behind a reverse proxy (TRUST_PROXY), request.ip is the client's address from X-Forwarded-For.
    trustProxy: trustProxyOption(context.config.trustProxy),
    bodyLimit: 2 * 1024 * 1024,
  };
  const app = Fastify(options);
  useJsonBodyLimits(app);
  // Every NinjaOne and Oomnitza call this process makes is counted for /metrics.
  observeVendorCalls(countVendorCall);
  // And every NinjaOne token grant, by result.
  observeTokenRefreshes(countTokenRefresh);
  app.addHook('onResponse', async function logRequest(request, reply) {
    request.log.info(
      { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  await app.register(cookie);

  const registry: RouteRegistry = [];
  const authorize = createAuthorizer({ db: context.db, now: context.now });
  const kit: RouteKit = { app, context, registry, authorize };

  app.setErrorHandler(function handleError(error, request, reply) {
    if (error instanceof ApiError) {
      return reply.code(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (isUniqueViolation(error)) {
      // A check-then-write raced another request for the same name: the store kept one, this one is refused.
      return reply
        .code(409)
        .send(errorBody('conflict', 'another request saved a record with the same name at the same moment; reload and try again'));
    }
    if (isForeignKeyViolation(error)) {
      // A check-then-write raced a delete: e.g. "Run now" on an integration deleted between the two.
      return reply
        .code(409)
        .send(errorBody('conflict', 'another request deleted a record this one refers to at the same moment; reload and try again'));
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, body too large, unsupported media type.
      return reply.code(status).send(errorBody('bad_request', (error as Error).message));
    }
    request.log.error(
      { err: { type: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } },
      'unhandled error',
    );
    return reply.code(500).send(errorBody('internal', `something went wrong on the server; the log has request id ${request.id}`));
  });
  app.setNotFoundHandler(function handleNotFound(request, reply) {
    return reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  for (const register of [registerHealthRoutes, registerSessionRoutes, registerTokenRoutes, registerPeopleRoutes, ...extraRoutes])
    register(kit);

  app.get('/api/docs', async function openApiDocument() {
    return buildOpenApi(registry, { version: apiVersion });
  });
  return app;
}

/** Fastify's trustProxy: proxy addresses as a list; a hop count as a function of the hop (its types take no number). */
function trustProxyOption(trust: Config['trustProxy']): NonNullable<FastifyServerOptions['trustProxy']> {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return [...trust];
}
