/**
 * The UI's tiny API client, typed by the server's route contracts (`api-routes.ts`): a call names
 * the route as the server declares it (`/api/runs/:id`), its params, query and body are checked
 * against the route's zod schemas and its answer has the route's response type. JSON in and out,
 * the session cookie (sent by the browser), the CSRF token on every write, and the server's error
 * shape turned into an `ApiCallError` whose `fieldErrors` a form shows next to each field.
 *
 * @example
 * const run = await api.get('/api/runs/:id', { params: { id } });
 * try { await api.post('/api/integrations', { body: document }); } catch (e) { if (e instanceof ApiCallError) setErrors(e.fieldErrors); }
 */
import type { BodyOf, HttpMethod, ParamsOf, QueryOf, ResponseOf, RouteContract } from '../../src/contracts/route-contract.ts';
import type { ApiRoute } from './api-routes.ts';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Validation problems by field path (`source.credential`, `mapping.email`, `url`). */
  get fieldErrors(): Record<string, string> {
    const fields = this.details?.['fields'];
    const out: Record<string, string> = {};
    if (!Array.isArray(fields)) return out;
    for (const field of fields as unknown[]) {
      const f = field as Partial<FieldProblem>;
      if (typeof f.path === 'string' && typeof f.message === 'string' && out[f.path] === undefined) out[f.path] = f.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Called when a signed-in call answers 401 (the session expired or was signed out elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** Remembered from `GET /api/session` (and sign-in/setup answers); sent as `x-csrf-token`. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiCallError(0, 'network', 'the server did not answer; check that ninja-sync is running', undefined, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/api/session') && !path.startsWith('/api/setup')) onUnauthorized?.();
    const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    throw new ApiCallError(
      response.status,
      error?.code ?? 'http_' + String(response.status),
      error?.message ?? `the server answered ${response.status}`,
      error?.details,
    );
  }
  const token = (parsed as { csrfToken?: unknown } | undefined)?.csrfToken;
  if (typeof token === 'string') csrfToken = token;
  return parsed as T;
}

/** The URLs of the routes with this method. */
type UrlOf<M extends HttpMethod> = Extract<ApiRoute, { readonly method: M }>['url'];
/** The contract of one route. */
type RouteOf<M extends HttpMethod, U extends string> = Extract<ApiRoute, { readonly method: M; readonly url: U }>;

/** A part a route does not take must be left out; a part with nothing required may be left out. */
type Part<K extends string, T> = [T] extends [undefined]
  ? { readonly [k in K]?: never }
  : object extends T
    ? { readonly [k in K]?: T }
    : { readonly [k in K]: T };
export type CallOptions<C extends RouteContract> = Part<'params', ParamsOf<C>> & Part<'query', QueryOf<C>> & Part<'body', BodyOf<C>>;
/** The options argument, optional when nothing in it is required. */
type OptionsArg<C extends RouteContract> = object extends CallOptions<C> ? [options?: CallOptions<C>] : [options: CallOptions<C>];

interface AnyOptions {
  readonly params?: Readonly<Record<string, string>> | undefined;
  readonly query?: Readonly<Record<string, unknown>> | undefined;
  readonly body?: unknown;
}

/** `/api/runs/:id` with `{ id }` as `/api/runs/<id>`, and the query (a list as repeated keys). */
function resolveUrl(url: string, options: AnyOptions | undefined): string {
  const path = url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => encodeURIComponent(options?.params?.[name] ?? ''));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(options?.query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) search.append(key, String(item));
  }
  const query = search.toString();
  return query === '' ? path : `${path}?${query}`;
}

function call(method: HttpMethod, url: string, options: AnyOptions | undefined): Promise<never> {
  const path = resolveUrl(url, options);
  // A write without a body sends `{}`, as the server's JSON parser expects a body with the type.
  const body = method === 'GET' || method === 'DELETE' ? undefined : (options?.body ?? {});
  return send<never>(method, path, body);
}

function caller<M extends HttpMethod>(method: M) {
  return <U extends UrlOf<M>>(url: U, ...[options]: OptionsArg<RouteOf<M, U>>): Promise<ResponseOf<RouteOf<M, U>>> =>
    call(method, url, options);
}

export const api = {
  get: caller('GET'),
  post: caller('POST'),
  put: caller('PUT'),
  patch: caller('PATCH'),
  delete: caller('DELETE'),
};

/** The address of a GET route, for a link or a download (CSV, YAML) rather than a call. */
export function apiUrl<U extends UrlOf<'GET'>>(url: U, ...[options]: OptionsArg<RouteOf<'GET', U>>): string {
  return resolveUrl(url, options);
}

/** A message for any thrown value, for an alert. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
