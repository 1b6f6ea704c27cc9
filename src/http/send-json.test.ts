import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';

import { createAdaptiveLimiter } from './limiter.ts';
import { sendJson } from './send-json.ts';
import { VendorError } from './vendor-error.ts';

import type { FastifyInstance } from 'fastify';
import type { SendJsonOptions } from './send-json.ts';

const token = 'tok_secret_4242';
let app: FastifyInstance;
let base: URL;
const hits = new Map<string, number>();

function hit(key: string): number {
  const count = (hits.get(key) ?? 0) + 1;
  hits.set(key, count);
  return count;
}

before(async () => {
  app = Fastify({ forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.get('/ok', async (request) => ({ ok: true, auth: request.headers['authorization2'] ?? null }));
  app.get('/empty', async (_request, reply) => reply.code(204).send());
  app.get('/429-then-ok', async (request, reply) => {
    if (hit(request.url) === 1) return reply.code(429).header('retry-after', '2').send({ error: 'slow down' });
    return { ok: true };
  });
  app.get('/429-date', async (request, reply) => {
    if (hit(request.url) === 1)
      return reply
        .code(429)
        .header('retry-after', new Date(Date.now() + 3_600_000).toUTCString())
        .send({});
    return { ok: true };
  });
  app.get('/503-then-ok', async (request, reply) => {
    if (hit(request.url) === 1) return reply.code(503).send({ message: 'maintenance' });
    return { ok: true };
  });
  app.get('/html-502', async (_request, reply) =>
    reply
      .code(502)
      .type('text/html')
      .send(`<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`),
  );
  app.get('/html-200', async (_request, reply) =>
    reply.code(200).type('text/html').send('<!DOCTYPE html><html><body><h1>Please log in</h1></body></html>'),
  );
  app.get('/malformed', async (_request, reply) => reply.code(200).type('application/json').send('[{"id": 1, "email": "trunc'));
  app.get('/reset-then-ok', async (request, reply) => {
    if (hit(request.url) === 1) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    return { ok: true };
  });
  app.get('/hang', async (_request, reply) => {
    reply.hijack();
    return reply;
  });
  app.get('/stall-body', async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    reply.raw.write('{"partial":');
    return reply;
  });
  app.post('/fail-500', async (request, reply) => {
    hit(request.url);
    return reply.code(500).send({ error: { code: 'boom', message: 'it broke' } });
  });
  app.post('/429-post', async (request, reply) => {
    if (hit(request.url) === 1) return reply.code(429).header('retry-after', '0').send({});
    return reply.code(201).send({ created: true, body: request.body });
  });
  app.get('/429-five-times', async (request, reply) => {
    if (hit(request.url) <= 5) return reply.code(429).header('retry-after', '0').send({});
    return { ok: true };
  });
  app.get('/always-429', async (_request, reply) => reply.code(429).send({ message: 'rate limit exceeded' }));
  app.get('/echo-token', async (request, reply) =>
    reply.code(401).send({ message: `token ${String(request.headers['authorization2'])} is revoked` }),
  );
  app.get('/bad-request', async (request, reply) => {
    hit(request.url);
    return reply.code(400).send({ error: 'invalid_filter', error_description: 'field "emial" is unknown' });
  });
  app.get('/redirect', async (_request, reply) => reply.redirect('https://login.example.net/sso?token=abc', 302));
  app.post('/form', async (request) => ({ received: request.body, type: request.headers['content-type'] }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  base = new URL(address);
});

after(async () => {
  await app.close();
});

function fastOptions(overrides: Partial<SendJsonOptions> = {}): SendJsonOptions & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    vendor: 'Oomnitza',
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000 },
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<VendorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VendorError, `expected a VendorError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('sendJson', () => {
  test('returns the parsed body and sends the headers given', async () => {
    const response = await sendJson<{ ok: boolean; auth: string }>(
      { method: 'GET', url: new URL('/ok', base), headers: { Authorization2: token } },
      fastOptions(),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { ok: true, auth: token });
  });

  test('an empty body is null', async () => {
    const response = await sendJson({ method: 'GET', url: new URL('/empty', base) }, fastOptions());
    assert.equal(response.status, 204);
    assert.equal(response.body, null);
  });

  test('429 waits for Retry-After seconds, then succeeds', async () => {
    const options = fastOptions();
    const retries: number[] = [];
    const response = await sendJson(
      { method: 'GET', url: new URL('/429-then-ok', base) },
      { ...options, onRetry: (info) => retries.push(info.error.status ?? 0) },
    );
    assert.deepEqual(response.body, { ok: true });
    assert.equal(options.sleeps.length, 1);
    assert.ok(options.sleeps[0]! >= 2000 && options.sleeps[0]! < 2010, `waited ${options.sleeps[0]} ms`);
    assert.deepEqual(retries, [429]);
  });

  test('429s have their own, larger budget than other failures', async () => {
    const options = fastOptions({ retry: { maxAttempts: 2, maxRateLimitedAttempts: 6, baseDelayMs: 1 } });
    const response = await sendJson({ method: 'GET', url: new URL('/429-five-times', base) }, options);
    assert.deepEqual(response.body, { ok: true });
    assert.equal(options.sleeps.length, 5);
    const error = await rejection(
      sendJson(
        { method: 'GET', url: new URL('/always-429', base) },
        fastOptions({ retry: { maxAttempts: 5, maxRateLimitedAttempts: 3, baseDelayMs: 1 } }),
      ),
    );
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.attempts, 3);
    assert.match(error.message, /429: rate limit exceeded/);
  });

  test('a Retry-After HTTP date is honoured but capped', async () => {
    const options = fastOptions();
    await sendJson({ method: 'GET', url: new URL('/429-date', base) }, options);
    assert.equal(options.sleeps.length, 1);
    assert.ok(options.sleeps[0]! >= 5_000 && options.sleeps[0]! < 5_010, `waited ${options.sleeps[0]} ms`);
  });

  test('503 then success is retried with backoff', async () => {
    const options = fastOptions();
    const response = await sendJson({ method: 'GET', url: new URL('/503-then-ok', base) }, options);
    assert.deepEqual(response.body, { ok: true });
    assert.equal(options.sleeps.length, 1);
    assert.ok(options.sleeps[0]! >= 0 && options.sleeps[0]! <= 10);
  });

  test('an HTML error page is reported as html with status, host and a short excerpt', async () => {
    const options = fastOptions();
    const error = await rejection(sendJson({ method: 'GET', url: new URL('/html-502?secret=abc', base) }, options));
    assert.equal(error.kind, 'html');
    assert.equal(error.status, 502);
    assert.equal(error.host, base.host);
    assert.equal(error.path, '/html-502');
    assert.equal(error.attempts, 3);
    assert.match(error.message, /502 Bad Gateway/);
    assert.ok(error.message.length < 300, 'the page is not dumped into the message');
    assert.doesNotMatch(error.message, /secret=abc/);
  });

  test('a 200 HTML page (a login page) is an html error, not a crash', async () => {
    const error = await rejection(sendJson({ method: 'GET', url: new URL('/html-200', base) }, fastOptions({ retry: { maxAttempts: 1 } })));
    assert.equal(error.kind, 'html');
    assert.equal(error.status, 200);
    assert.match(error.message, /Please log in/);
  });

  test('malformed JSON is reported as such', async () => {
    const error = await rejection(
      sendJson({ method: 'GET', url: new URL('/malformed', base) }, fastOptions({ retry: { maxAttempts: 2 } })),
    );
    assert.equal(error.kind, 'malformed_json');
    assert.equal(error.status, 200);
    assert.equal(error.attempts, 2);
    assert.match(error.message, /malformed JSON/);
  });

  test('a reset connection is a network error, retried for a GET', async () => {
    const options = fastOptions();
    const response = await sendJson({ method: 'GET', url: new URL('/reset-then-ok', base) }, options);
    assert.deepEqual(response.body, { ok: true });
    assert.equal(options.sleeps.length, 1);
  });

  test('a hung request becomes a timeout error', async () => {
    const error = await rejection(
      sendJson({ method: 'GET', url: new URL('/hang', base), timeoutMs: 100 }, fastOptions({ retry: { maxAttempts: 2 } })),
    );
    assert.equal(error.kind, 'timeout');
    assert.equal(error.status, null);
    assert.equal(error.retryable, true);
    assert.equal(error.attempts, 2);
  });

  test('a body that stalls after the headers becomes a timeout error', async () => {
    const error = await rejection(
      sendJson({ method: 'GET', url: new URL('/stall-body', base), timeoutMs: 100 }, fastOptions({ retry: { maxAttempts: 1 } })),
    );
    assert.equal(error.kind, 'timeout');
    assert.equal(error.status, null);
  });

  test('an injected fetch replaces the built-in transport', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      seen.push(input instanceof URL ? input.href : typeof input === 'string' ? input : input.url);
      return fetch(input, init);
    };
    const response = await sendJson({ method: 'GET', url: new URL('/ok', base) }, fastOptions({ fetch: spy }));
    assert.deepEqual(response.body, { ok: true, auth: null });
    assert.deepEqual(seen, [new URL('/ok', base).href]);
  });

  test('a URL with credentials is refused, as fetch refuses it, and nothing is sent', async () => {
    const url = new URL('/bad-request', base);
    url.username = 'user';
    url.password = 'pass';
    const before = hits.get('/bad-request') ?? 0;
    const error = await rejection(sendJson({ method: 'GET', url }, fastOptions({ retry: { maxAttempts: 1 } })));
    assert.equal(error.kind, 'network');
    assert.equal(hits.get('/bad-request') ?? 0, before);
  });

  test('a POST is not retried after a 500 unless marked idempotent', async () => {
    const url = new URL('/fail-500', base);
    const once = await rejection(sendJson({ method: 'POST', url, json: { a: 1 } }, fastOptions()));
    assert.equal(once.attempts, 1);
    assert.equal(once.code, 'boom');
    assert.match(once.message, /it broke/);
    assert.equal(hits.get('/fail-500'), 1);
    const thrice = await rejection(sendJson({ method: 'POST', url, json: { a: 1 }, idempotent: true }, fastOptions()));
    assert.equal(thrice.attempts, 3);
    assert.equal(hits.get('/fail-500'), 4);
  });

  test('a POST refused with 429 is retried (the service did nothing)', async () => {
    const response = await sendJson<{ created: boolean; body: unknown }>(
      { method: 'POST', url: new URL('/429-post', base), json: { name: 'x' } },
      fastOptions(),
    );
    assert.equal(response.status, 201);
    assert.deepEqual(response.body.body, { name: 'x' });
  });

  test('a 4xx is not retried and uses describeError', async () => {
    const error = await rejection(
      sendJson(
        { method: 'GET', url: new URL('/bad-request', base) },
        fastOptions({
          describeError: (status, body) => ({
            code: `E${status}`,
            message: JSON.stringify(body).slice(0, 40),
            details: { field: 'emial' },
          }),
        }),
      ),
    );
    assert.equal(error.kind, 'http');
    assert.equal(error.status, 400);
    assert.equal(error.code, 'E400');
    assert.deepEqual(error.details, { field: 'emial' });
    assert.equal(error.retryable, false);
    assert.equal(hits.get('/bad-request'), 1);
  });

  test('a describeError that throws falls back to the default reading', async () => {
    const error = await rejection(
      sendJson(
        { method: 'GET', url: new URL('/bad-request', base) },
        fastOptions({
          describeError: () => {
            throw new Error('odd body');
          },
        }),
      ),
    );
    assert.equal(error.code, 'invalid_filter');
  });

  test('the default description reads OAuth-style bodies', async () => {
    const error = await rejection(sendJson({ method: 'GET', url: new URL('/bad-request', base) }, fastOptions()));
    assert.equal(error.code, 'invalid_filter');
    assert.match(error.message, /field "emial" is unknown/);
  });

  test('a token echoed by the server never reaches the message', async () => {
    const error = await rejection(
      sendJson({ method: 'GET', url: new URL('/echo-token', base), headers: { Authorization2: token } }, fastOptions()),
    );
    assert.equal(error.status, 401);
    assert.doesNotMatch(error.message, /tok_secret_4242/);
    assert.match(error.message, /\[redacted\] is revoked/);
  });

  test('redirects are not followed, so the token never goes to another host', async () => {
    const error = await rejection(
      sendJson({ method: 'GET', url: new URL('/redirect', base), headers: { Authorization2: token } }, fastOptions()),
    );
    assert.equal(error.status, 302);
    assert.match(error.message, /login\.example\.net/);
    assert.doesNotMatch(error.message, /token=abc/);
  });

  test('a form body is sent url-encoded', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_secret: 's3cr3t!' });
    const response = await sendJson<{ received: string; type: string }>(
      { method: 'POST', url: new URL('/form', base), form },
      fastOptions(),
    );
    assert.equal(response.body.type, 'application/x-www-form-urlencoded');
    assert.equal(response.body.received, form.toString());
  });

  test('aborting the signal cancels a hung request without retrying', async () => {
    const controller = new AbortController();
    const pending = sendJson({ method: 'GET', url: new URL('/hang', base), signal: controller.signal, timeoutMs: 10_000 }, fastOptions());
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(pending);
    assert.equal(error.kind, 'canceled');
    assert.equal(error.retryable, false);
    assert.equal(error.attempts, 1);
  });

  test('an already aborted signal fails at once', async () => {
    const error = await rejection(sendJson({ method: 'GET', url: new URL('/ok', base), signal: AbortSignal.abort() }, fastOptions()));
    assert.equal(error.kind, 'canceled');
  });

  test('a refused connection is reported as a network error', async () => {
    const closed = Fastify();
    const address = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();
    const error = await rejection(
      sendJson({ method: 'POST', url: new URL('/x', address), json: {} }, fastOptions({ retry: { maxAttempts: 2 } })),
    );
    assert.equal(error.kind, 'network');
    assert.equal(error.attempts, 2, 'a refused connection is safe to retry even for a POST');
    assert.match(error.message, /connection refused/);
  });

  test("one run's signal shared by many requests in flight and in line is not reported as a listener leak", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const limiter = createAdaptiveLimiter({ max: 2 });
      const requests = Array.from({ length: 30 }, () =>
        sendJson({ method: 'GET', url: new URL('/ok', base), signal: controller.signal }, fastOptions({ limiter })),
      );
      await Promise.all(requests);
      // Node emits its warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('a 429 through a limiter halves its concurrency', async () => {
    const limiter = createAdaptiveLimiter({ max: 8 });
    hits.delete('/429-then-ok');
    await sendJson({ method: 'GET', url: new URL('/429-then-ok', base) }, fastOptions({ limiter }));
    assert.equal(limiter.limit, 4);
    assert.equal(limiter.active, 0);
  });
});
