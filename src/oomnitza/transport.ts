/**
 * How the Oomnitza client talks HTTP: the `Authorization2` token header, the `X-CSRF-Token` echo
 * (Oomnitza's connector sends back the last token a response carried; reference §1.7), one adaptive
 * limiter shared by every call of a client (so bulk writes back off together on 429), and errors
 * that name the record and field when Oomnitza's answer does.
 *
 * @example
 * const transport = createOomnitzaTransport({ baseUrl, apiToken, concurrency: 8 });
 * const { body } = await transport.send<User[]>('GET', transport.url('/api/v3/users', { limit: 1 }));
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

import { createAdaptiveLimiter } from '../http/limiter.ts';
import { describeVendorBody, sendJson } from '../http/send-json.ts';
import { VendorError } from '../http/vendor-error.ts';

import type { AdaptiveLimiter } from '../http/limiter.ts';
import type { RetryPolicy } from '../http/retry-policy.ts';
import type { ErrorDescription, RetryInfo, VendorResponse } from '../http/send-json.ts';
import type { HttpMethod } from '../http/vendor-error.ts';

export interface OomnitzaTransportOptions {
  readonly baseUrl: URL;
  readonly apiToken: string;
  /** Most calls in flight at once (the limiter's ceiling). */
  readonly concurrency: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
  /** Sent as `X-Connector-Source`, as Oomnitza's connector does when configured. */
  readonly connectorSource?: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: RetryInfo) => void;
  readonly onConcurrencyChange?: (limit: number, reason: 'rate_limited' | 'recovered') => void;
}

export interface SendOptions {
  readonly json?: unknown;
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface OomnitzaTransport {
  readonly baseUrl: URL;
  readonly limiter: AdaptiveLimiter;
  readonly concurrency: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly retry: Partial<RetryPolicy>;
  /** A URL under the instance with query parameters (undefined ones left out). */
  url(path: string, query?: Readonly<Record<string, string | number | undefined>>): URL;
  send<T>(method: HttpMethod, url: URL, options?: SendOptions): Promise<VendorResponse<T>>;
}

export function createOomnitzaTransport(options: OomnitzaTransportOptions): OomnitzaTransport {
  const limiter = createAdaptiveLimiter({
    max: options.concurrency,
    ...(options.onConcurrencyChange ? { onChange: options.onConcurrencyChange } : {}),
  });
  const sleep = options.sleep ?? defaultSleep;
  let csrfToken: string | null = null;

  function headers(): Record<string, string> {
    const out: Record<string, string> = { Authorization2: options.apiToken };
    if (csrfToken !== null) out['X-CSRF-Token'] = csrfToken;
    if (options.connectorSource !== undefined) out['X-Connector-Source'] = options.connectorSource;
    return out;
  }

  return {
    baseUrl: options.baseUrl,
    limiter,
    concurrency: options.concurrency,
    sleep,
    retry: options.retry ?? {},
    url(path, query = {}) {
      const url = new URL(path, options.baseUrl);
      for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
      return url;
    },
    async send<T>(method: HttpMethod, url: URL, sendOptions: SendOptions = {}) {
      const response = await sendJson<T>(
        {
          method,
          url,
          headers: headers(),
          ...(sendOptions.json === undefined ? {} : { json: sendOptions.json }),
          ...(sendOptions.idempotent === undefined ? {} : { idempotent: sendOptions.idempotent }),
          ...(sendOptions.signal === undefined ? {} : { signal: sendOptions.signal }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        },
        {
          vendor: 'Oomnitza',
          limiter,
          sleep,
          describeError: describeOomnitzaError,
          secrets: csrfToken === null ? [options.apiToken] : [options.apiToken, csrfToken],
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
        },
      );
      const echoed = response.headers.get('x-csrf-token');
      if (echoed !== null && echoed !== '') csrfToken = echoed;
      return response;
    },
  };
}

/**
 * Oomnitza documents no error body (reference §2.7). Seen in practice and in our emulator:
 * `{"error": {"code", "message", "details": {"field"}}}`, `{"errors": [...]}`, `{"message"}`, or
 * text. The field a 400 names goes into `details.field` so callers can point at it.
 */
export function describeOomnitzaError(status: number, body: unknown): ErrorDescription {
  const base = describeVendorBody(status, body);
  if (typeof body !== 'object' || body === null) return base;
  const record = body as Record<string, unknown>;
  const nested = typeof record['error'] === 'object' && record['error'] !== null ? (record['error'] as Record<string, unknown>) : record;
  const details = typeof nested['details'] === 'object' && nested['details'] !== null ? (nested['details'] as Record<string, unknown>) : {};
  const errors = Array.isArray(record['errors']) ? record['errors'].filter((e): e is string => typeof e === 'string') : [];
  const message = base.message ?? (errors.length > 0 ? errors.join('; ') : undefined);
  const field = typeof details['field'] === 'string' ? details['field'] : typeof nested['field'] === 'string' ? nested['field'] : undefined;
  const merged = { ...base.details, ...pickScalars(details), ...(field === undefined ? {} : { field }) };
  return {
    ...(base.code === undefined ? {} : { code: base.code }),
    ...(message === undefined ? {} : { message }),
    ...(Object.keys(merged).length === 0 ? {} : { details: merged }),
  };
}

/** Only short scalar details survive; a vendor may echo a whole record back. */
function pickScalars(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= 200)) out[key] = value;
  }
  return out;
}

/**
 * The same error, its message prefixed with what we were doing to which record, e.g.
 * `creating user "ada@example.com": Oomnitza POST … answered 409: email: … is taken`.
 */
export function withRecordContext(error: unknown, doing: string): unknown {
  if (!(error instanceof VendorError)) return error;
  return error.withMessage(`${doing}: ${error.message}`);
}

/** An answer that is JSON but not the shape we rely on (e.g. a user without `uid`). */
export function unexpectedAnswer(method: HttpMethod, url: URL, status: number, what: string): VendorError {
  return new VendorError(`Oomnitza ${method} ${url.host}${url.pathname} answered ${status} without ${what}`, {
    vendor: 'Oomnitza',
    kind: 'http',
    status,
    host: url.host,
    method,
    path: url.pathname,
    retryable: false,
    code: 'unexpected_answer',
  });
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, signal === undefined ? undefined : { signal });
}
