/**
 * One JSON call to a vendor API, with the retry and error discipline both clients share: per-attempt
 * timeouts, bounded retries with backoff (honouring `Retry-After`), and failures turned into a
 * {@link VendorError} that says what happened without leaking a token or dumping an HTML page.
 *
 * What is retried: 429 (with its own, larger budget: `maxRateLimitedAttempts`), 408, 5xx (not 501), network faults, timeouts and 2xx answers that are not
 * JSON (a proxy's HTML page). GETs always; writes only when the request is marked `idempotent`,
 * because a write that timed out may have been applied and a second one could duplicate it. Two
 * failures are retried for every method, because the service provably did nothing: a 429 (a
 * refusal before processing) and a refused connection.
 *
 * Redirects are not followed: `Authorization2` is a custom header, which fetch would forward to
 * whatever host a redirect names. A 3xx is reported with the host it points at.
 *
 * The exchange itself runs on `node:http` with keep-alive (`node-transport.ts`), unless the caller
 * injects a `fetch`; both paths behave the same (see that module for what it keeps from fetch).
 *
 * @example
 * const { body } = await sendJson<User[]>(
 *   { method: 'GET', url: new URL('/api/v3/users?limit=100', base), headers: { Authorization2: token } },
 *   { vendor: 'Oomnitza', retry: { maxAttempts: 4 } },
 * );
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleepFor } from 'node:timers/promises';

import { heapRoomCode, heapRoomProblem } from './heap-room.ts';
import { canExchange, exchange } from './node-transport.ts';
import { notifyVendorCall } from './observe.ts';
import { bodyExcerpt, secretScrubber, secretsOfRequest } from './redact.ts';
import { resolveRetryPolicy, retryDelayMs } from './retry-policy.ts';
import { type HttpMethod, VendorError, type VendorErrorKind, type VendorName } from './vendor-error.ts';
import { vendorHostProblem } from './vendor-hosts.ts';

import type { AdaptiveLimiter, LimiterOutcome } from './limiter.ts';
import type { RetryPolicy } from './retry-policy.ts';

export interface VendorRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  /** A JSON body (sent with `Content-Type: application/json`). */
  readonly json?: unknown;
  /** A form body (sent as `application/x-www-form-urlencoded`); token endpoints want this. */
  readonly form?: URLSearchParams;
  /** Per attempt, body included; a hung request becomes a `timeout` error. Default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Retry this write on ambiguous failures (timeouts, resets, 5xx). GETs are always retried. */
  readonly idempotent?: boolean;
}

export interface VendorResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body; null for an empty body (204, or 200 with nothing). */
  readonly body: T;
}

export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: VendorError;
}

export interface ErrorDescription {
  readonly code?: string;
  readonly message?: string;
  readonly details?: Record<string, unknown>;
}

export interface SendJsonOptions {
  readonly vendor: VendorName;
  readonly retry?: Partial<RetryPolicy>;
  /** Waits between attempts; tests pass a fast one. Must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: RetryInfo) => void;
  /** Reads the vendor's error body (already parsed JSON, or the text when it was not JSON). */
  readonly describeError?: (status: number, body: unknown) => ErrorDescription;
  /** Each attempt holds a slot; 429s shrink the limit, successes grow it back. */
  readonly limiter?: AdaptiveLimiter;
  /** Extra values never to show in a message (besides auth headers and token form fields). */
  readonly secrets?: readonly string[];
  /**
   * Sends through this fetch instead of the built-in node:http transport (tests, header hooks).
   * Without it, http(s) calls go through `node-transport.ts`, which is far cheaper than the global
   * fetch at bulk rates; other schemes still go through the global fetch.
   */
  readonly fetch?: typeof fetch;
}

const defaultTimeoutMs = 30_000;

export async function sendJson<T = unknown>(request: VendorRequest, options: SendJsonOptions): Promise<VendorResponse<T>> {
  const policy = resolveRetryPolicy(options.retry);
  const sleep = options.sleep ?? defaultSleep;
  const scrub = secretScrubber([...secretsOfRequest(request.headers, request.form), ...(options.secrets ?? [])]);
  const context: AttemptContext = { request, options, scrub };
  const repeatable = request.method === 'GET' || request.idempotent === true;
  // A run's signal is shared by every request it has in flight or in line for a slot, each
  // listening for the abort: many listeners by design, not the leak Node warns of past 10.
  if (request.signal !== undefined) setMaxListeners(0, request.signal);

  let failures = 0;
  let rateLimited = 0;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptWithSlot(context);
    notifyVendorCall(options.vendor, outcome.status);
    if (!(outcome instanceof VendorError)) return outcome as VendorResponse<T>;
    const error = outcome;
    const exhausted = error.kind === 'rate_limited' ? ++rateLimited >= policy.maxRateLimitedAttempts : ++failures >= policy.maxAttempts;
    const safe = repeatable || error.kind === 'rate_limited' || isRefusedConnection(error);
    if (!error.retryable || !safe || exhausted) throw error.withAttempts(attempt);
    const delayMs = retryDelayMs(policy, attempt + 1, retryAfterOf(error));
    options.onRetry?.({ attempt, delayMs, error });
    try {
      await sleep(delayMs, request.signal);
    } catch (cause) {
      throw canceledError(context, cause).withAttempts(attempt);
    }
  }
}

interface AttemptContext {
  readonly request: VendorRequest;
  readonly options: SendJsonOptions;
  readonly scrub: (text: string) => string;
}

async function attemptWithSlot(context: AttemptContext): Promise<VendorResponse<unknown> | VendorError> {
  const { limiter } = context.options;
  if (!limiter) return attemptOnce(context);
  let permit;
  try {
    permit = await limiter.acquire(context.request.signal);
  } catch (cause) {
    return canceledError(context, cause);
  }
  let outcome: VendorResponse<unknown> | VendorError;
  try {
    outcome = await attemptOnce(context);
  } catch (error) {
    // attemptOnce reports failures as values; a throw here is a bug, but must not leak the slot.
    permit.release('failure');
    throw error;
  }
  permit.release(limiterOutcome(outcome));
  return outcome;
}

function limiterOutcome(outcome: VendorResponse<unknown> | VendorError): LimiterOutcome {
  if (!(outcome instanceof VendorError)) return 'success';
  return outcome.kind === 'rate_limited' ? 'rate_limited' : 'failure';
}

/** One HTTP exchange. Never throws: a failure comes back as a VendorError. */
async function attemptOnce(context: AttemptContext): Promise<VendorResponse<unknown> | VendorError> {
  const { request, options } = context;
  if (request.signal?.aborted) return canceledError(context, request.signal.reason);
  const refused = vendorHostProblem(request.url);
  if (refused !== null) return failure(context, 'network', null, `refused: ${refused}`, { retryable: false, networkCode: 'EPRIVATEHOST' });
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', forwardAbort, { once: true });
  let timedOut = false;
  const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
  const timer = setTimeout(function attemptTimedOut() {
    timedOut = true;
    controller.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  try {
    // The timer stays armed while the body streams: a server that sends headers and then stalls is hung too.
    const answer =
      options.fetch === undefined && canExchange(request.url)
        ? await exchange(request.url, {
            method: request.method,
            headers: plainHeaders(request),
            body: buildBody(request),
            signal: controller.signal,
          })
        : await fetchText(context, controller.signal);
    return classifyResponse(context, answer, answer.text);
  } catch (cause) {
    if (timedOut) return failure(context, 'timeout', null, `got no answer within ${timeoutMs} ms`, { retryable: true, cause });
    if (request.signal?.aborted) return canceledError(context, cause);
    const code = errorCode(cause);
    if (code === heapRoomCode)
      return failure(context, 'http', null, `was not read: ${(cause as Error).message}`, { retryable: false, cause });
    if (code === 'EPRIVATEHOST')
      return failure(context, 'network', null, `refused: ${(cause as Error).message}`, { retryable: false, cause, networkCode: code });
    const what =
      code === 'ECONNREFUSED' ? 'could not connect (connection refused)' : `failed on the network (${code ?? 'connection error'})`;
    return failure(context, 'network', null, what, { retryable: true, cause, ...(code === undefined ? {} : { networkCode: code }) });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', forwardAbort);
  }
}

/** The exchange through fetch: an injected one (tests, NinjaOne's header hook) or the global one. */
async function fetchText(context: AttemptContext, signal: AbortSignal): Promise<{ status: number; headers: Headers; text: string }> {
  const { request, options } = context;
  const response = await (options.fetch ?? fetch)(request.url, {
    method: request.method,
    headers: buildHeaders(request),
    body: buildBody(request) ?? null,
    signal,
    redirect: 'manual',
  });
  // As exchange does: an answer that would not fit the thread's heap limit is not read (see heap-room.ts).
  const noRoom = heapRoomProblem(Number(response.headers.get('content-length') ?? 0) || 0);
  if (noRoom !== null) {
    await response.body?.cancel().catch(() => undefined);
    throw Object.assign(new Error(noRoom), { code: heapRoomCode });
  }
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The same headers as {@link buildHeaders}, as a plain object for node:http (it lower-cases names). */
function plainHeaders(request: VendorRequest): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  else if (request.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return request.headers === undefined ? headers : Object.assign(headers, request.headers);
}

function buildHeaders(request: VendorRequest): Headers {
  const headers = new Headers({ accept: 'application/json' });
  if (request.json !== undefined) headers.set('content-type', 'application/json');
  else if (request.form !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded');
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
  return headers;
}

function buildBody(request: VendorRequest): string | undefined {
  if (request.json !== undefined) return JSON.stringify(request.json);
  if (request.form !== undefined) return request.form.toString();
  return undefined;
}

function classifyResponse(
  context: AttemptContext,
  response: { readonly status: number; readonly headers: Headers },
  text: string,
): VendorResponse<unknown> | VendorError {
  const { status, headers } = response;
  const html = looksLikeHtml(headers.get('content-type'), text);
  if (status >= 300 && status < 400) {
    const location = headers.get('location');
    const where = location === null ? 'elsewhere' : `to ${safeHost(location, context.request.url)}`;
    return failure(
      context,
      'http',
      status,
      `answered ${status}, redirecting ${where}; check the base URL (redirects are not followed, so the token is never sent to another host)`,
      { retryable: false },
    );
  }
  if (status >= 200 && status < 300) {
    if (text.trim() === '') return { status, headers, body: null };
    if (html)
      return failure(
        context,
        'html',
        status,
        `answered ${status} with an HTML page instead of JSON ("${context.scrub(bodyExcerpt(text))}")`,
        { retryable: true },
      );
    // Parsing is one step V8 cannot stop part-way: an answer that would not fit the heap is refused first.
    const noRoom = heapRoomProblem(text.length);
    if (noRoom !== null) return failure(context, 'http', status, `was not read: ${noRoom}`, { retryable: false });
    try {
      return { status, headers, body: JSON.parse(text) as unknown };
    } catch (cause) {
      return failure(
        context,
        'malformed_json',
        status,
        `answered ${status} with malformed JSON ("${context.scrub(bodyExcerpt(text, 60))}")`,
        { retryable: true, cause },
      );
    }
  }
  const parsed = parseLenient(text);
  const description = describeSafely(context.options.describeError, status, parsed);
  const retryable = status === 429 || status === 408 || (status >= 500 && status !== 501);
  const kind: VendorErrorKind = status === 429 ? 'rate_limited' : html ? 'html' : 'http';
  const said = description.message ?? (typeof parsed === 'string' ? bodyExcerpt(parsed) : '');
  const prefix = html && status !== 429 ? `answered ${status} with an HTML page` : `answered ${status}`;
  const message = said === '' ? prefix : `${prefix}: ${context.scrub(said.slice(0, 300))}`;
  return failure(context, kind, status, message, {
    retryable,
    retryAfter: headers.get('retry-after'),
    ...(description.code === undefined ? {} : { code: description.code }),
    ...(description.details === undefined ? {} : { details: description.details }),
  });
}

/** A vendor's describeError that throws on an odd body falls back to the lenient default. */
function describeSafely(describe: SendJsonOptions['describeError'], status: number, body: unknown): ErrorDescription {
  if (describe !== undefined) {
    try {
      return describe(status, body);
    } catch {
      // fall through to the default reading
    }
  }
  return describeVendorBody(status, body);
}

interface FailureExtras {
  readonly retryable: boolean;
  readonly cause?: unknown;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfter?: string | null;
  readonly networkCode?: string;
}

function failure(context: AttemptContext, kind: VendorErrorKind, status: number | null, what: string, extras: FailureExtras): VendorError {
  const { request, options } = context;
  const host = request.url.host;
  const path = request.url.pathname;
  const details: Record<string, unknown> = { ...extras.details };
  if (extras.retryAfter !== undefined && extras.retryAfter !== null) details['retryAfter'] = extras.retryAfter;
  if (extras.networkCode !== undefined) details['networkCode'] = extras.networkCode;
  // Scrubbed as a whole too: a path segment or a vendor's words could still carry a secret.
  return new VendorError(context.scrub(`${options.vendor} ${request.method} ${host}${path} ${what}`), {
    vendor: options.vendor,
    kind,
    status,
    host,
    method: request.method,
    path,
    retryable: extras.retryable,
    ...(extras.code === undefined ? {} : { code: extras.code }),
    ...(Object.keys(details).length === 0 ? {} : { details }),
    ...(extras.cause === undefined ? {} : { cause: extras.cause }),
  });
}

function canceledError(context: AttemptContext, cause: unknown): VendorError {
  return failure(context, 'canceled', null, 'was canceled', { retryable: false, cause });
}

function retryAfterOf(error: VendorError): string | null {
  const value = error.details?.['retryAfter'];
  return typeof value === 'string' ? value : null;
}

function isRefusedConnection(error: VendorError): boolean {
  return error.kind === 'network' && error.details?.['networkCode'] === 'ECONNREFUSED';
}

function looksLikeHtml(contentType: string | null, text: string): boolean {
  if (contentType !== null && /\bhtml\b/i.test(contentType)) return true;
  return /^\s*<(!doctype|html|head|body)\b/i.test(text);
}

function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The host a Location header points at, or "the same host" for a relative one. */
function safeHost(location: string, base: URL): string {
  try {
    const target = new URL(location, base);
    return target.host === base.host ? `${target.host}${target.pathname}` : target.host;
  } catch {
    return 'an unreadable location';
  }
}

/** The first `code` found along an error's `cause` chain (undici nests the socket error). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, signal === undefined ? undefined : { signal });
}

/**
 * A lenient reading of common error bodies: `{message}`, `{error: {code, message}}`,
 * `{error, error_description}` (OAuth, NinjaOne), `{resultCode, errorMessage, incidentId}`
 * (NinjaOne), plain text. Vendor clients pass their own `describeError` for anything richer.
 */
export function describeVendorBody(_status: number, body: unknown): ErrorDescription {
  if (typeof body === 'string') return body.trim() === '' ? {} : { message: bodyExcerpt(body) };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const nested = typeof record['error'] === 'object' && record['error'] !== null ? (record['error'] as Record<string, unknown>) : {};
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  const message =
    text(record['error_description']) ??
    text(record['errorMessage']) ??
    text(record['message']) ??
    text(nested['message']) ??
    text(record['detail']) ??
    text(record['error']) ??
    text(record['resultCode']);
  const code =
    text(nested['code']) ??
    text(record['code']) ??
    text(record['resultCode']) ??
    (typeof record['error'] === 'string' ? record['error'] : undefined);
  const incidentId = text(record['incidentId']);
  return {
    ...(message === undefined ? {} : { message }),
    ...(code === undefined ? {} : { code }),
    ...(incidentId === undefined ? {} : { details: { incidentId } }),
  };
}
