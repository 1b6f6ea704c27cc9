/**
 * A route's contract: its method, URL, documentation and the zod schemas of its params, query,
 * body and answer. The server validates and documents with it (`src/server/route.ts`,
 * `src/server/openapi.ts`); the web UI reads its types (`import type`) and its API client is typed
 * by it (`web/src/api.ts`), so a changed field breaks the build, not the screen.
 *
 * Why a folder of its own rather than a `contract.ts` in each feature folder: the contracts are the
 * API's surface, one module per route module (`src/contracts/runs.ts` beside
 * `src/server/routes/runs.ts`), and the web UI may read this folder and nothing else of the server.
 * A contract module imports only zod, other contract modules and vocabulary modules that import
 * nothing (the integration document, the run vocabulary); lint enforces it, so a type import from
 * the UI never drags server code into its type check, and no value import into its bundle.
 *
 * @example
 * export const runContracts = {
 *   get: defineContract({
 *     method: 'GET', url: '/api/runs/:id', summary: 'One run with its counts', tags: ['runs'],
 *     params: idParamsSchema, response: runSchema,
 *   }),
 * };
 * // server: defineRoute(app, registry, authorize, { ...runContracts.get, access: 'viewer', handler });
 * // web:    const run = await api.get('/api/runs/:id', { params: { id } });
 */
import { z } from 'zod';

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface RouteContract {
  readonly method: HttpMethod;
  /** Fastify's form: `/api/runs/:id`. */
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The 2xx answer, as JSON; omitted for 204 and for answers that are not JSON (CSV, YAML). */
  readonly response?: z.ZodType;
  /** The success status; 200 with a response, 204 without. */
  readonly status?: number;
}

/** Keeps the literal method and URL and the exact schemas, which the typed client reads. */
export function defineContract<const C extends RouteContract>(contract: C): C {
  return contract;
}

/** `:id` of most routes. */
export const idParamsSchema = z.strictObject({ id: z.string().min(1) });

type Input<C, K extends 'params' | 'query' | 'body'> = C extends { readonly [k in K]: infer S extends z.ZodType } ? z.input<S> : undefined;

/** What a caller sends: path parameters, query and body as the server accepts them (before defaults). */
export type ParamsOf<C extends RouteContract> = Input<C, 'params'>;
export type QueryOf<C extends RouteContract> = Input<C, 'query'>;
export type BodyOf<C extends RouteContract> = Input<C, 'body'>;
/** What the server answers (`undefined` for 204 or a non-JSON answer). */
export type ResponseOf<C extends RouteContract> = C extends { readonly response: infer S extends z.ZodType } ? z.output<S> : undefined;

/** Every contract of a feature's `{ name: contract }` object, as a union. */
export type ContractsOf<T extends Readonly<Record<string, RouteContract>>> = T[keyof T];
