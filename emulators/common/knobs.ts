/**
 * Knobs shared by both emulators: latency, rate limits, injected faults and a request log.
 *
 * They sit in front of the vendor routes as Fastify hooks, and never in front of the admin API
 * (`/__admin/...`), so a test can always turn a fault off again.
 *
 * @example
 * const knobs = createKnobs({ seed: 7 });
 * installKnobs(app, knobs, {
 *   tokenOf: (req) => req.headers.authorization ?? null,
 *   failureBody: () => ({ resultCode: 'FAILURE' }),
 *   rateLimitBody: () => ({ resultCode: 'TOO_MANY_REQUESTS' }),
 * });
 * knobs.settings.latencyMs = 10;
 * knobs.settings.faults.push({ kind: 'status500', times: 1, path: '/v2/users' });
 */
import { createRandom, type Random } from './random.ts';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const faultKinds = ['status500', 'status503', 'status429', 'html', 'hang', 'reset', 'malformedJson'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** One injected fault. Matches by method and path prefix; fires by probability or a fixed number of times. */
export interface FaultRule {
  kind: FaultKind;
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Only requests whose path starts with this (any when absent). */
  path?: string;
  /** Chance in [0, 1] that a matching request gets the fault; 1 when absent. */
  probability?: number;
  /** Fire for this many matching requests, then retire; forever when absent. */
  times?: number;
  /** Skip this many matching requests before the first fire (a script: "fail the 3rd call"). */
  after?: number;
  /** Retry-After seconds for status429 and status503; the settings' retryAfterSeconds when absent. */
  retryAfterSeconds?: number;
}

export interface KnobSettings {
  /** Added before every vendor answer, in milliseconds. */
  latencyMs: number;
  /** Uniform jitter added on top of latencyMs, in milliseconds. */
  jitterMs: number;
  /** Requests a second allowed per token; past it, 429 with Retry-After. 0 = unlimited. */
  ratePerSecond: number;
  /** Requests in flight allowed per token; past it, 429 with Retry-After. 0 = unlimited. */
  maxConcurrent: number;
  /** Retry-After seconds sent with a rate-limit 429. */
  retryAfterSeconds: number;
  faults: FaultRule[];
}

export interface LoggedRequest {
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly durationMs: number;
  /** What the knobs did to it, if anything. */
  readonly injected: FaultKind | 'rateLimited' | null;
  readonly token: string | null;
}

export interface Knobs {
  readonly settings: KnobSettings;
  readonly log: LoggedRequest[];
  /** Counts of logged requests by `METHOD path` (path without the query). */
  countBy(predicate?: (entry: LoggedRequest) => boolean): Record<string, number>;
  clearLog(): void;
  reset(): void;
}

export interface KnobsOptions {
  seed?: number;
  settings?: Partial<KnobSettings>;
  /** Most log entries kept; older ones are dropped. */
  logLimit?: number;
}

const defaultSettings = (): KnobSettings => ({
  latencyMs: 0,
  jitterMs: 0,
  ratePerSecond: 0,
  maxConcurrent: 0,
  retryAfterSeconds: 1,
  faults: [],
});

interface FaultState {
  seen: number;
  fired: number;
}

export function createKnobs(
  options: KnobsOptions = {},
): Knobs & { readonly random: Random; readonly faultState: WeakMap<FaultRule, FaultState> } {
  const settings: KnobSettings = { ...defaultSettings(), ...options.settings };
  const log: LoggedRequest[] = [];
  return {
    settings,
    log,
    random: createRandom(options.seed ?? 1),
    faultState: new WeakMap(),
    countBy(predicate) {
      const counts: Record<string, number> = {};
      for (const entry of log) {
        if (predicate && !predicate(entry)) continue;
        const key = `${entry.method} ${entry.path}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
    clearLog() {
      log.length = 0;
    },
    reset() {
      Object.assign(settings, defaultSettings());
      log.length = 0;
    },
  };
}

export interface InstallOptions {
  /** The token a request is counted under for rate limits (e.g. its Authorization header). */
  tokenOf: (request: FastifyRequest) => string | null;
  /** The JSON body of an injected 500, in the vendor's own shape. */
  failureBody: () => unknown;
  /** The JSON body of a 429, in the vendor's own shape. */
  rateLimitBody: () => unknown;
  /** Paths the knobs leave alone (the admin API). */
  isExempt?: (path: string) => boolean;
  logLimit?: number;
}

interface RequestMark {
  start: number;
  injected: FaultKind | 'rateLimited' | null;
  token: string | null;
  counted: boolean;
}
const marks = new WeakMap<FastifyRequest, RequestMark>();

/** Wires the knobs into an emulator's Fastify app. Call before the routes are registered. */
export function installKnobs(app: FastifyInstance, knobs: ReturnType<typeof createKnobs>, options: InstallOptions): void {
  const windows = new Map<string, { second: number; count: number }>();
  const inFlight = new Map<string, number>();
  let seq = 0;
  const logLimit = options.logLimit ?? 50_000;
  const exempt = options.isExempt ?? ((path: string) => path.startsWith('/__admin'));

  app.addHook('onRequest', async function applyKnobs(request, reply) {
    const path = request.url.split('?')[0] ?? request.url;
    if (exempt(path)) return;
    const token = options.tokenOf(request);
    const mark: RequestMark = { start: performance.now(), injected: null, token, counted: false };
    marks.set(request, mark);
    const { settings } = knobs;

    const fault = pickFault(knobs, request.method, path);
    if (fault) {
      mark.injected = fault.kind;
      await delay(settings);
      return injectFault(fault, request, reply, options, settings.retryAfterSeconds);
    }

    const key = token ?? 'anonymous';
    if (settings.maxConcurrent > 0) {
      const current = inFlight.get(key) ?? 0;
      if (current >= settings.maxConcurrent) {
        mark.injected = 'rateLimited';
        return reply.code(429).header('retry-after', String(settings.retryAfterSeconds)).send(options.rateLimitBody());
      }
      inFlight.set(key, current + 1);
      mark.counted = true;
    }
    if (settings.ratePerSecond > 0) {
      const second = Math.floor(Date.now() / 1000);
      const window = windows.get(key);
      if (!window || window.second !== second) {
        // Windows of past seconds are dead weight; drop them before the map grows with every token seen.
        if (windows.size > 10_000) windows.clear();
        windows.set(key, { second, count: 1 });
      } else if (++window.count > settings.ratePerSecond) {
        mark.injected = 'rateLimited';
        release(mark);
        return reply.code(429).header('retry-after', String(settings.retryAfterSeconds)).send(options.rateLimitBody());
      }
    }
    await delay(settings);
    return undefined;
  });

  function release(mark: RequestMark): void {
    if (!mark.counted) return;
    mark.counted = false;
    const key = mark.token ?? 'anonymous';
    const current = inFlight.get(key) ?? 1;
    if (current <= 1) inFlight.delete(key);
    else inFlight.set(key, current - 1);
  }

  function record(request: FastifyRequest, status: number): void {
    const mark = marks.get(request);
    if (!mark) return;
    marks.delete(request);
    release(mark);
    const [path, query = ''] = request.url.split('?', 2) as [string, string?];
    knobs.log.push({
      seq: ++seq,
      at: new Date().toISOString(),
      method: request.method,
      path,
      query,
      status,
      durationMs: Math.round(performance.now() - mark.start),
      injected: mark.injected,
      token: mark.token,
    });
    if (knobs.log.length > logLimit) knobs.log.splice(0, knobs.log.length - logLimit);
  }

  app.addHook('onResponse', async function logResponse(request, reply) {
    record(request, reply.statusCode);
  });
  // A hung or reset request never reaches onResponse; log it when its socket goes away.
  app.addHook('onRequestAbort', async function logAbort(request) {
    record(request, 0);
  });
}

function pickFault(knobs: ReturnType<typeof createKnobs>, method: string, path: string): FaultRule | null {
  const faults = knobs.settings.faults;
  for (let i = 0; i < faults.length; i++) {
    const rule = faults[i]!;
    if (rule.method && rule.method.toUpperCase() !== method) continue;
    if (rule.path && !path.startsWith(rule.path)) continue;
    let state = knobs.faultState.get(rule);
    if (!state) knobs.faultState.set(rule, (state = { seen: 0, fired: 0 }));
    state.seen++;
    if (rule.after !== undefined && state.seen <= rule.after) continue;
    if (rule.probability !== undefined && knobs.random.next() >= rule.probability) continue;
    state.fired++;
    if (rule.times !== undefined && state.fired >= rule.times) faults.splice(i, 1);
    return rule;
  }
  return null;
}

async function delay(settings: KnobSettings): Promise<void> {
  const ms = settings.latencyMs + (settings.jitterMs > 0 ? Math.random() * settings.jitterMs : 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

async function injectFault(
  fault: FaultRule,
  request: FastifyRequest,
  reply: FastifyReply,
  options: InstallOptions,
  defaultRetryAfter: number,
): Promise<FastifyReply | undefined> {
  switch (fault.kind) {
    case 'status500':
      return reply.code(500).send(options.failureBody());
    case 'status503':
      return reply
        .code(503)
        .header('retry-after', String(fault.retryAfterSeconds ?? defaultRetryAfter))
        .type('text/html')
        .send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    case 'status429':
      return reply
        .code(429)
        .header('retry-after', String(fault.retryAfterSeconds ?? defaultRetryAfter))
        .send(options.rateLimitBody());
    case 'html':
      return reply
        .code(502)
        .type('text/html')
        .send(
          '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
        );
    case 'malformedJson':
      return reply.code(200).type('application/json').send('[{"id": 1, "email": "trunc');
    case 'reset':
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    case 'hang':
      // Never answer; the connection stays open until the client gives up or the server closes.
      reply.hijack();
      return reply;
  }
}
