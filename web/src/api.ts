/**
 * The UI's tiny API client: JSON in and out, the session cookie (sent by the browser), the CSRF
 * token on every write, and the server's error shape turned into an `ApiCallError` whose
 * `fieldErrors` a form shows next to each field.
 *
 * @example
 * const { credentials } = await api.get<CredentialList>('/api/credentials');
 * try { await api.post('/api/credentials', body); } catch (e) { if (e instanceof ApiCallError) setErrors(e.fieldErrors); }
 */

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

export const api = {
  get: <T>(path: string): Promise<T> => send<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => send<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown): Promise<T> => send<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown): Promise<T> => send<T>('PATCH', path, body),
  delete: <T = undefined>(path: string): Promise<T> => send<T>('DELETE', path),
};

/** A message for any thrown value, for an alert. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
