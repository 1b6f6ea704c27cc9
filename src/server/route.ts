/**
 * One place that turns a route's zod contract (`src/contracts/`) into request validation, a typed
 * handler and an entry of the OpenAPI document. The contract is declared once; the server, the
 * docs and the UI's client all read the same schemas. The route adds who may call it and what it
 * does.
 *
 * @example
 * defineRoute(app, registry, authorize, {
 *   ...runContracts.get,
 *   access: 'viewer',
 *   handler: async ({ params }) => getRunOrThrow(db, params.id),
 * });
 */
import { formatPath } from '../integrations/yaml-locate.ts';
import { ApiError, validationError } from './errors.ts';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RouteContract } from '../contracts/route-contract.ts';
import type { Principal, Role } from './auth/principal.ts';

export type Access = 'public' | Role;

/** A contract (spread in) plus who may call the route and what it does. */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> extends RouteContract {
  /** Who may call it: anyone, any signed-in user ('viewer'), or admins only. */
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly response?: R;
  readonly handler: (input: {
    readonly params: z.output<P>;
    readonly query: z.output<Q>;
    readonly body: z.output<B>;
    readonly principal: Principal | null;
    readonly request: FastifyRequest;
    readonly reply: FastifyReply;
  }) => Promise<z.input<R> | undefined | FastifyReply>;
}

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly params?: z.ZodType | undefined;
  readonly query?: z.ZodType | undefined;
  readonly body?: z.ZodType | undefined;
  readonly response?: z.ZodType | undefined;
  readonly status: number;
}

export type RouteRegistry = RegisteredRoute[];

/** Resolves the caller and enforces access; supplied by the auth plugin. */
export type Authorize = (request: FastifyRequest, access: Access) => Promise<Principal | null>;

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  app: FastifyInstance,
  registry: RouteRegistry,
  authorize: Authorize,
  spec: RouteSpec<P, Q, B, R>,
): void {
  const status = spec.status ?? (spec.response ? 200 : 204);
  registry.push({
    method: spec.method,
    url: spec.url,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    access: spec.access,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    response: spec.response,
    status,
  });
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async function handleRoute(request, reply) {
      const principal = await authorize(request, spec.access);
      const params = parse(spec.params, request.params, 'params');
      const query = parse(spec.query, request.query, 'query');
      const body = parse(spec.body, request.body ?? {}, 'body');
      const result = await spec.handler({ params, query, body, principal, request, reply } as Parameters<typeof spec.handler>[0]);
      if (reply.sent) return reply;
      if (status === 204 || result === undefined) return reply.code(status === 200 ? 204 : status).send();
      return reply.code(status).send(result);
    },
  });
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(where, parsed.error);
  const nul = nulPath(parsed.data, []);
  if (nul !== null) {
    const path = formatPath(nul) || '(root)';
    throw new ApiError(
      400,
      'validation_failed',
      `the request ${where} is not valid — ${path}: contains a NUL character (\\u0000); remove it`,
      {
        fields: [{ path, message: 'contains a NUL character (\\u0000); remove it' }],
      },
    );
  }
  return parsed.data;
}

/**
 * Where a NUL character hides in an input, or null. No text we store may hold one: PostgreSQL
 * refuses it outright (a 500 deep in a query), and in SQLite it cuts names short. Bodies are at
 * most 64 levels deep (json-body.ts), so the walk is bounded.
 */
function nulPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
