/**
 * One HTTP exchange on `node:http`/`node:https` with keep-alive agents: the transport `sendJson`
 * uses unless a caller injects its own `fetch`.
 *
 * Why not the global fetch: at bulk-write rates (hundreds of requests a second) undici's fetch costs
 * roughly a millisecond of CPU per request (WHATWG Request/Response/Headers objects, web streams,
 * spec checks), which made the client the bottleneck rather than the vendor. `node:http` does the
 * same exchange for a fraction of that.
 *
 * It behaves as `sendJson` used fetch (`redirect: 'manual'`, body read as text):
 * - a 3xx is returned as it is, never followed (node:http does not follow redirects);
 * - the request carries fetch's default headers (`accept-language`, `sec-fetch-mode`,
 *   `user-agent: node`, `accept-encoding: gzip, deflate`) unless the caller sets them, and gzip or
 *   deflate answers are decompressed as fetch does;
 * - header values are trimmed of surrounding whitespace and names compared case-insensitively
 *   (a later duplicate wins), as `Headers.set` does;
 * - the body is decoded as UTF-8 with a leading BOM dropped, as `Response.text()` does;
 * - aborting `signal` destroys the request, also while the body streams, and rejects with its
 *   reason; network errors reject with Node's own error (its `code` is what `sendJson` reads).
 * Idle sockets are dropped after 4 s, or 1 s before the server's `Keep-Alive: timeout=` hint,
 * whichever is sooner (undici's defaults), so a socket the server is about to close is not reused.
 *
 * @example
 * const answer = await exchange(new URL('http://127.0.0.1:3000/x'), { method: 'GET', headers: {}, body: undefined, signal });
 * answer.status; answer.headers.get('content-type'); answer.text;
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

import { heapRoomCode, heapRoomProblem } from './heap-room.ts';
import { guardedLookup } from './vendor-hosts.ts';

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export interface ExchangeInit {
  readonly method: string;
  /** Header names in any case; values are sent trimmed. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
}

export interface ExchangeAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The whole body as text (decompressed, UTF-8). */
  readonly text: string;
}

/** undici's default idle keep-alive timeout; the server's hint (minus 1 s) wins when shorter. */
const idleSocketMs = 4_000;
// One pair of agents for the process, as fetch shares one dispatcher. No socket cap (as undici):
// callers bound concurrency themselves (the adaptive limiter), and a cap here would queue requests
// behind the agent while their timeout runs.
// Every connection resolves its host through guardedLookup: a vendor host that resolves to a
// private address is refused at connect time, whatever it resolved to when the URL was saved.
const httpAgent = new HttpAgent({ keepAlive: true, timeout: idleSocketMs, lookup: guardedLookup });
const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: idleSocketMs, lookup: guardedLookup });

/**
 * True when `exchange` can carry this URL; anything else goes through fetch, which keeps its own
 * answer: other schemes fail, and so does a URL with credentials (fetch refuses it, where node:http
 * would quietly send them as Basic auth).
 */
export function canExchange(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
}

export function exchange(url: URL, init: ExchangeInit): Promise<ExchangeAnswer> {
  return new Promise<ExchangeAnswer>(function exchangeOnce(resolve, reject) {
    const { signal } = init;
    // Rejects with the abort reason as it is, whatever its type, as fetch does.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal.aborted) return reject(signal.reason);
    const https = url.protocol === 'https:';
    let response: IncomingMessage | undefined;
    let settled = false;
    const finish = (error: unknown, answer?: ExchangeAnswer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (answer === undefined) {
        request.destroy();
        response?.destroy();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, as fetch
        reject(error);
      } else resolve(answer);
    };
    const onAbort = (): void => finish(signal.reason);
    const request = (https ? httpsRequest : httpRequest)(url, {
      method: init.method,
      headers: requestHeaders(init),
      agent: https ? httpsAgent : httpAgent,
    });
    request.on('error', (error) => finish(error));
    request.on('response', function onResponse(incoming) {
      response = incoming;
      readText(incoming, (error, text) =>
        error === null
          ? finish(null, { status: incoming.statusCode ?? 0, headers: responseHeaders(incoming.rawHeaders), text })
          : finish(error),
      );
    });
    signal.addEventListener('abort', onAbort, { once: true });
    request.end(init.body);
  });
}

/** fetch's defaults, then the caller's headers; `host` and `connection` come from node:http. */
function requestHeaders(init: ExchangeInit): Record<string, string> {
  const headers: Record<string, string> = {
    'accept-language': '*',
    'sec-fetch-mode': 'cors',
    'user-agent': 'node',
    'accept-encoding': 'gzip, deflate',
  };
  for (const name in init.headers) headers[name.toLowerCase()] = trimHttpWhitespace(init.headers[name]!);
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  else if (init.method === 'POST' || init.method === 'PUT') headers['content-length'] = '0';
  return headers;
}

/** As `Headers` normalises a value: a token read from a file with its newline still works. */
function trimHttpWhitespace(value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** The body as text; `done` is called once, with an error when the stream broke off. */
function readText(incoming: IncomingMessage, done: (error: unknown, text: string) => void): void {
  const chunks: Buffer[] = [];
  // As fetch: a redirect's body is left as it came (it is never used).
  const redirect = (incoming.statusCode ?? 0) >= 300 && (incoming.statusCode ?? 0) < 400;
  const encoding = redirect ? '' : (incoming.headers['content-encoding'] ?? '').trim().toLowerCase();
  const source: Readable =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? pipeline(incoming, createGunzip(), noop)
      : encoding === 'deflate'
        ? pipeline(incoming, createInflate(), noop)
        : incoming;
  let ended = false;
  let received = 0;
  const declared = Number(incoming.headers['content-length'] ?? 0);
  // An answer that would not fit the thread's heap limit is refused before it is decoded (see heap-room.ts).
  const tooBig = (bytes: number): boolean => {
    const problem = heapRoomProblem(bytes);
    if (problem !== null) done(Object.assign(new Error(problem), { code: heapRoomCode }), '');
    return problem !== null;
  };
  source.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (!tooBig(received)) chunks.push(chunk);
  });
  source.on('error', (error) => done(error, ''));
  source.on('end', function onEnd() {
    ended = true;
    const text = Buffer.concat(chunks).toString('utf8');
    done(null, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  });
  // A connection that closes mid-body: Node marks the message incomplete (and usually errors too).
  incoming.on('close', () => {
    if (!ended && !incoming.complete)
      done(Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' }), '');
  });
  if (Number.isFinite(declared) && declared > 0) tooBig(declared);
}

function noop(): void {
  // pipeline's errors also reach the last stream, which readText listens to.
}
