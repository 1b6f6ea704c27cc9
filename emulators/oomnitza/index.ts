/**
 * An emulator of Oomnitza's REST API v3 (users, SaaS, SaaS users, SaaS roles), faithful to
 * `../shared/reference/oomnitza-api.md` and the spec export in `../shared/oomnitza/`, strict about
 * what a typed API rejects, with the shared knobs (latency, rate limits per token, faults, request
 * log) and an admin API under `/__admin`. Runs in-process on loopback.
 *
 * @example
 * const oomnitza = await startOomnitzaEmulator({ seed: 7, users: 50 });
 * const res = await fetch(`${oomnitza.url}/api/v3/users?filter=${encodeURIComponent("email eq 'a@b.c'")}`, {
 *   headers: { Authorization2: oomnitza.apiToken },
 * });
 * await oomnitza.close();
 */
import Fastify from 'fastify';

import { createKnobs, installKnobs } from '../common/knobs.ts';
import { authenticate, rateLimitKey } from './auth.ts';
import { defaultCustomFields } from './default-fields.ts';
import { OomnitzaApiError } from './errors.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerSaasRoutes } from './routes-saas.ts';
import { registerUserRoutes } from './routes-users.ts';
import { seedStore } from './seed.ts';
import { createStore } from './store.ts';

import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Knobs, KnobSettings } from '../common/knobs.ts';
import type { BasicCredentials } from './auth.ts';
import type { FieldDefinition } from './fields.ts';
import type { OomnitzaStore } from './store.ts';

export type { OomnitzaData } from './data.ts';
export { exportData, importData } from './data.ts';
export { defaultCustomFields } from './default-fields.ts';
export type { FieldDataType, FieldDefinition } from './fields.ts';
export { FilterSyntaxError, parseFilter } from './filter-parser.ts';
export { defaultPageSize, maxPageSize } from './list-query.ts';
export type { ApiToken, OomnitzaStore, OomnitzaUser, SaasApp, SaasRole, SaasUser } from './store.ts';

export interface OomnitzaEmulatorOptions {
  /** Loopback address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Seed of the generated data and of probabilistic faults; 1 by default. */
  seed?: number;
  /** Pre-existing users unrelated to NinjaOne; 10 by default. */
  users?: number;
  /** Pre-existing users given by v3 field names, inserted first and as given. */
  seedUsers?: Array<Record<string, unknown>>;
  /** The API token accepted in `Authorization2`; 'demo-oomnitza-token' by default. */
  apiToken?: string;
  /** HTTP Basic credentials accepted as well; Basic is refused when absent. */
  basicAuth?: BasicCredentials;
  /** Custom users fields ("Add new Oomnitza users field"); `defaultCustomFields` (one of each type) when absent. */
  customFields?: readonly FieldDefinition[];
  knobs?: Partial<KnobSettings>;
}

export interface OomnitzaEmulator {
  readonly url: string;
  readonly apiToken: string;
  readonly knobs: Knobs;
  /** The live data; changes show in the next answer. */
  readonly store: OomnitzaStore;
  close(): Promise<void>;
}

/** The user the default API token belongs to; written as created_by / changed_by. */
export const apiTokenUsername = 'api-user';

export async function startOomnitzaEmulator(options: OomnitzaEmulatorOptions = {}): Promise<OomnitzaEmulator> {
  const seed = options.seed ?? 1;
  const apiToken = options.apiToken ?? 'demo-oomnitza-token';
  const store = createStore(options.customFields ?? defaultCustomFields);
  store.tokens.set(apiToken, { token: apiToken, username: apiTokenUsername, revoked: false });
  seedStore(store, { seed, users: options.users ?? 10, ...(options.seedUsers ? { seedUsers: options.seedUsers } : {}) });

  const knobs = createKnobs({ seed, ...(options.knobs ? { settings: options.knobs } : {}) });
  const app = buildApp(store, knobs, options.basicAuth);
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url: address,
    apiToken,
    knobs,
    store,
    async close() {
      await app.close();
    },
  };
}

/** The Fastify app with knobs, auth, vendor and admin routes; exported for tests that use `inject`. */
export function buildApp(store: OomnitzaStore, knobs: ReturnType<typeof createKnobs>, basicAuth?: BasicCredentials): FastifyInstance {
  // forceCloseConnections: a hung request (fault knob) must not keep close() waiting.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installKnobs(app, knobs, {
    tokenOf: (request) => rateLimitKey(request.headers),
    failureBody: () => ({ error: { code: 'internal_error', message: 'Internal Server Error' } }),
    rateLimitBody: () => ({ error: { code: 'rate_limited', message: 'Too many requests; retry after the Retry-After seconds' } }),
  });

  // An empty JSON body (a DELETE sent with a content type) is no body, not a 400; bad JSON is a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseJson(_request, body, done) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new OomnitzaApiError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`, undefined, { cause: error }),
        undefined,
      );
    }
  });

  const actors = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async function requireAuth(request) {
    if (!request.url.startsWith('/api/')) return;
    actors.set(request, authenticate(store, request.headers, basicAuth));
  });
  const actorOf = (request: FastifyRequest): string => actors.get(request) ?? apiTokenUsername;

  app.setErrorHandler(function sendError(error: FastifyError | OomnitzaApiError, _request, reply) {
    if (error instanceof OomnitzaApiError) {
      if (error.status === 401) void reply.header('www-authenticate', 'Basic realm="Oomnitza"');
      return reply.code(error.status).send(error.toBody());
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const code =
      status === 500 ? 'internal_error' : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'invalid_body';
    return reply.code(status).send({ error: { code, message: status === 500 ? 'Internal Server Error' : error.message } });
  });
  app.setNotFoundHandler(function sendNotFound(request, reply) {
    return reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` } });
  });

  registerUserRoutes(app, store, actorOf);
  registerSaasRoutes(app, store, actorOf);
  registerAdminRoutes(app, store, knobs);
  return app;
}
