/**
 * A small HTTP client for end-to-end tests that talk to a running ninja-sync server as curl or a
 * browser would: it keeps the session cookie, sends the CSRF token with writes, or uses an API token.
 *
 * @example
 * const admin = apiClient(server.url);
 * await admin.post('/api/setup', { email: 'a@b.example', password: 'long enough pass' });
 * const { status, body } = await admin.get('/api/credentials');
 */
export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface ApiClient {
  get<T = any>(path: string): Promise<ApiAnswer<T>>;
  post<T = any>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  patch<T = any>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  put<T = any>(path: string, body?: unknown, contentType?: string): Promise<ApiAnswer<T>>;
  delete<T = any>(path: string): Promise<ApiAnswer<T>>;
  /** Follows nothing: the raw answer to a GET of any URL, with this client's cookies. */
  fetchRaw(url: string, init?: RequestInit): Promise<Response>;
  readonly cookies: Map<string, string>;
  csrfToken: string | null;
  bearer: string | null;
}

export function apiClient(baseUrl: string, options: { bearer?: string } = {}): ApiClient {
  const cookies = new Map<string, string>();
  const client: ApiClient = {
    cookies,
    csrfToken: null,
    bearer: options.bearer ?? null,
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
    patch: (path, body) => send('PATCH', path, body),
    put: (path, body, contentType) => send('PUT', path, body, contentType),
    delete: (path) => send('DELETE', path),
    fetchRaw: async (url, init = {}) => {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...headers(), ...(init.headers as Record<string, string> | undefined) },
      });
      remember(response);
      return response;
    },
  };

  function headers(): Record<string, string> {
    const out: Record<string, string> = {};
    if (cookies.size > 0) out['cookie'] = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (client.bearer) out['authorization'] = `Bearer ${client.bearer}`;
    return out;
  }

  function remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      const text = value.join('=');
      if (text === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name.trim());
      else cookies.set(name.trim(), text);
    }
  }

  async function send<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiAnswer<T>> {
    const init: RequestInit = { method, headers: headers(), redirect: 'manual' };
    const h = init.headers as Record<string, string>;
    if (method !== 'GET' && client.csrfToken) h['x-csrf-token'] = client.csrfToken;
    if (body !== undefined) {
      h['content-type'] = contentType ?? 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(new URL(path, baseUrl), init);
    remember(response);
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
    const answer = { status: response.status, headers: response.headers, body: parsed as T, text };
    const token = (parsed as { csrfToken?: unknown } | null)?.csrfToken;
    if (typeof token === 'string') client.csrfToken = token;
    return answer;
  }

  return client;
}
