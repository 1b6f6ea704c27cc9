import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { canExchange, exchange } from './node-transport.ts';

import type { Server, ServerResponse } from 'node:http';
import type { ExchangeInit } from './node-transport.ts';

let server: Server;
let base: URL;
const remotePorts: number[] = [];

const routes: Record<string, (response: ServerResponse, seen: { headers: string[]; body: string }) => void> = {
  '/echo': (response, seen) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen)),
  '/gzip': (response) =>
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync('{"packed":"é"}')),
  '/bom': (response) =>
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":true}')])),
  '/redirect': (response) => response.writeHead(302, { location: 'https://elsewhere.example.net/' }).end(),
  '/two-cookies': (response) =>
    response
      .writeHead(200, [
        ['x-a', '1'],
        ['x-a', '2'],
      ])
      .end(''),
  '/stall-body': (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    response.write('{"partial":');
  },
  '/cut-body': (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    response.write('{"partial":', () => response.socket?.destroy());
  },
};

before(async () => {
  server = createServer((request, response) => {
    remotePorts.push(request.socket.remotePort ?? 0);
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => routes[request.url ?? '']?.(response, { headers: request.rawHeaders, body }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  base = new URL(`http://127.0.0.1:${address.port}`);
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function init(overrides: Partial<ExchangeInit> = {}): ExchangeInit {
  return { method: 'GET', headers: {}, body: undefined, signal: new AbortController().signal, ...overrides };
}

/** The request headers the server saw, lower-cased names. */
function headerMap(raw: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) map.set(raw[i]!.toLowerCase(), raw[i + 1]!);
  return map;
}

describe('exchange (node:http transport)', () => {
  test('sends the body with its length, fetch default headers, and trimmed caller headers that win', async () => {
    const answer = await exchange(
      new URL('/echo', base),
      init({
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization2: ' tok_1234\n', 'User-Agent': 'ninja-sync' },
        body: '{"name":"é"}',
      }),
    );
    const seen = JSON.parse(answer.text) as { headers: string[]; body: string };
    const headers = headerMap(seen.headers);
    assert.equal(seen.body, '{"name":"é"}');
    assert.equal(headers.get('content-length'), String(Buffer.byteLength('{"name":"é"}')));
    assert.equal(headers.get('authorization2'), 'tok_1234');
    assert.equal(headers.get('user-agent'), 'ninja-sync');
    assert.equal(headers.get('accept-encoding'), 'gzip, deflate');
    assert.equal(headers.get('connection'), 'keep-alive');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/json');
  });

  test('reuses the connection for calls one after another', async () => {
    remotePorts.length = 0;
    await exchange(new URL('/echo', base), init());
    await exchange(new URL('/echo', base), init());
    assert.equal(remotePorts.length, 2);
    assert.equal(remotePorts[0], remotePorts[1]);
  });

  test('a gzip body is decompressed and a BOM dropped, as fetch does', async () => {
    assert.equal((await exchange(new URL('/gzip', base), init())).text, '{"packed":"é"}');
    assert.equal((await exchange(new URL('/bom', base), init())).text, '{"bom":true}');
  });

  test('a redirect is returned, not followed', async () => {
    const answer = await exchange(new URL('/redirect', base), init());
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), 'https://elsewhere.example.net/');
  });

  test('repeated response headers are joined as Headers joins them', async () => {
    assert.equal((await exchange(new URL('/two-cookies', base), init())).headers.get('x-a'), '1, 2');
  });

  test('aborting while the body stalls rejects with the abort reason', async () => {
    const controller = new AbortController();
    const pending = exchange(new URL('/stall-body', base), init({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await assert.rejects(pending, /stop now/);
  });

  test('a connection cut mid-body is a reset, not a short body', async () => {
    await assert.rejects(exchange(new URL('/cut-body', base), init()), (error: { code?: string }) => error.code === 'ECONNRESET');
  });

  test('a refused connection rejects with ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      exchange(new URL(`http://127.0.0.1:${address.port}/x`), init()),
      (error: { code?: string }) => error.code === 'ECONNREFUSED',
    );
  });

  test('only http and https URLs without credentials are carried', () => {
    assert.equal(canExchange(new URL('https://x.example.net/')), true);
    assert.equal(canExchange(new URL('file:///etc/hosts')), false);
    assert.equal(canExchange(new URL('https://user:pass@x.example.net/')), false);
  });
});
