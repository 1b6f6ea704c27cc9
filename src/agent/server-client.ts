/**
 * The agent's side of the protocol (`src/contracts/agent-protocol.ts`): JSON over HTTPS to the
 * server with the agent token, every answer checked against the contract. Only outbound calls.
 *
 * A lost connection or a server that answers 5xx/429 is retried with backoff until the call gets a
 * real answer (or `signal` aborts), so a run's reporting resumes where it stopped when the network
 * comes back; a batch sent again is recognised by the server, never counted twice. A refusal of
 * the token (401) is final: `AgentRefusedError`.
 *
 * @example
 * const server = createServerClient({ serverUrl: new URL('https://sync.example.com'), token });
 * const hello = await server.hello({ version: '0.1.0', hostname: hostname() });
 */
import { agentPaths, agentProtocolContracts as contracts, agentReads, agentReadsHeader } from '../contracts/agent-protocol.ts';

import type { z } from 'zod';
import type { ClaimAnswer, FinishBody } from '../contracts/agent-protocol.ts';

/** The server refused the agent token (unknown or revoked): nothing will work until a new one. */
export class AgentRefusedError extends Error {
  override readonly name = 'AgentRefusedError';
}

/** The server answered a refusal (4xx other than 401) that a retry would not change. */
export class ServerAnswerError extends Error {
  override readonly name = 'ServerAnswerError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ServerClientOptions {
  readonly serverUrl: URL;
  readonly token: string;
  /** Stops retries (the agent is shutting down). */
  readonly signal?: AbortSignal;
  /** Told about each retried call (never given the token). */
  readonly onRetry?: (what: string, attempt: number, reason: string) => void;
  /** Longest wait between retries (default 10 s). */
  readonly maxBackoffMs?: number;
}

export type ServerClient = ReturnType<typeof createServerClient>;

/**
 * Plain http only to a loopback address (a server on the same machine, the tests); anything else
 * must be https, since the token and the run reports travel on it.
 */
export function checkServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--server must be the server's URL, e.g. https://ninja-sync.example.com (got "${text}")`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`--server must be an https URL (plain http only for a server on this machine's loopback); got ${url.origin}`);
  if (url.username !== '' || url.password !== '') throw new Error('--server must not carry a user name or password; the token is enough');
  return url;
}

export function createServerClient(options: ServerClientOptions) {
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;

  async function once(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
    return fetch(new URL(path, options.serverUrl), {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        // The optional answer parts this agent reads (a claim's user links); see the protocol's versions.
        [agentReadsHeader]: agentReads.join(','),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
      redirect: 'error',
    });
  }

  /** One call, retried until it gets an answer that is not a transient fault. */
  async function call<S extends z.ZodType>(
    what: string,
    method: string,
    path: string,
    body: unknown,
    schema: S | null,
    extra: { readonly signal?: AbortSignal } = {},
  ): Promise<z.output<S> | null> {
    const signal = extra.signal ?? options.signal;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        const response = await once(method, path, body, signal);
        if (response.status === 204) return null;
        const text = await response.text();
        if (response.ok) return schema === null ? null : schema.parse(JSON.parse(text));
        const error = parseError(text);
        if (response.status === 401) throw new AgentRefusedError(`the server refused the agent token: ${error.message}`);
        if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408)
          throw new ServerAnswerError(response.status, error.code, `${what}: the server answered ${response.status}: ${error.message}`);
        reason = `HTTP ${response.status}`;
      } catch (error) {
        if (error instanceof AgentRefusedError || error instanceof ServerAnswerError) throw error;
        if (signal?.aborted) throw error;
        reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      }
      options.onRetry?.(what, attempt, reason);
      await sleep(Math.min(250 * 2 ** Math.min(attempt, 10), maxBackoffMs), signal);
    }
  }

  return {
    hello: async (body: z.input<typeof contracts.hello.body>) =>
      (await call('hello', 'POST', agentPaths.hello, body, contracts.hello.response))!,
    integrations: async () => (await call('integrations', 'GET', agentPaths.integrations, undefined, contracts.integrations.response))!,
    /** A run to do, or null when none came within the wait. */
    claim: async (waitMs: number, signal?: AbortSignal): Promise<ClaimAnswer | null> =>
      call('claim', 'POST', `${agentPaths.claim}?waitMs=${waitMs}`, undefined, contracts.claim.response, signal ? { signal } : {}),
    heartbeat: async (runId: string, body: z.input<typeof contracts.heartbeat.body>) =>
      (await call('heartbeat', 'POST', agentPaths.heartbeat(runId), body, contracts.heartbeat.response))!,
    records: async (runId: string, body: z.input<typeof contracts.records.body>) =>
      (await call(`records batch ${body.batch}`, 'POST', agentPaths.records(runId), body, contracts.records.response))!,
    finish: async (runId: string, body: FinishBody) =>
      (await call('finish', 'POST', agentPaths.finish(runId), body, contracts.finish.response))!,
  };
}

function parseError(text: string): { code: string; message: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    return { code: typeof code === 'string' ? code : 'unknown', message: typeof message === 'string' ? message : text.slice(0, 200) };
  } catch {
    return { code: 'unknown', message: text.slice(0, 200) };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
