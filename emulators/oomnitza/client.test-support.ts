/**
 * A tiny HTTP helper for this emulator's tests: calls a route with the API token and returns status,
 * headers and parsed JSON body.
 *
 * @example
 * const call = client(emulator);
 * const { status, body } = await call('GET', '/api/v3/users?limit=1');
 */
import type { OomnitzaEmulator } from './index.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

export function client(
  emulator: Pick<OomnitzaEmulator, 'url' | 'apiToken'>,
  auth: Record<string, string> = { Authorization2: emulator.apiToken },
): Call {
  return async function call(method, path, body, headers = {}) {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON (an injected HTML page); the text is the body
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** `filter=` query string, URL-encoded. */
export function filterQuery(filter: string): string {
  return `filter=${encodeURIComponent(filter)}`;
}
