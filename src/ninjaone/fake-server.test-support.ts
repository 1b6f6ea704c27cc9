/**
 * A tiny loopback HTTP server for the NinjaOne client's tests: each test scripts the answers it
 * needs (odd error bodies, HTML, rotation), which is quicker to read than configuring the full
 * emulator when one exact answer is the point. Records every request, form bodies parsed.
 *
 * @example
 * const server = await startFakeServer((request) => ({ status: 200, json: { access_token: 'a' } }));
 * t.after(() => server.close());
 */
import { createServer } from 'node:http';

import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The form body as parameters (empty for other bodies). */
  readonly form: URLSearchParams;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly json?: unknown;
  /** A raw body, sent as is with `contentType`. */
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export interface FakeServer {
  readonly url: URL;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(answer: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const isForm = (incoming.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const request: FakeRequest = {
        method: incoming.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        form: new URLSearchParams(isForm ? body : ''),
      };
      requests.push(request);
      Promise.resolve(answer(request)).then(
        (reply) => {
          const text = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
          const contentType = reply.contentType ?? (reply.text === undefined ? 'application/json' : 'text/plain');
          outgoing.writeHead(reply.status ?? 200, { 'content-type': contentType, ...reply.headers });
          outgoing.end(text);
        },
        (error: unknown) => {
          outgoing.writeHead(599, { 'content-type': 'text/plain' });
          outgoing.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    requests,
    // Idempotent, so a test may close early (to get a refused connection) and still register it in `after`.
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
