import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';

import { createKnobs, faultKinds, type FaultRule, installKnobs, type KnobSettings } from './knobs.ts';

interface Harness {
  url: string;
  knobs: ReturnType<typeof createKnobs>;
}

/** A tiny vendor app behind the knobs: GET/POST /data, and an admin route that must stay exempt. */
async function start(t: TestContext, settings: Partial<KnobSettings> = {}, seed = 1, logLimit?: number): Promise<Harness> {
  const knobs = createKnobs({ seed, settings });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installKnobs(app, knobs, {
    tokenOf: (request) => request.headers.authorization ?? null,
    failureBody: () => ({ resultCode: 'FAILURE' }),
    rateLimitBody: () => ({ resultCode: 'TOO_MANY_REQUESTS' }),
    ...(logLimit === undefined ? {} : { logLimit }),
  });
  app.get('/data', async () => ({ ok: true }));
  app.post('/data', async () => ({ posted: true }));
  app.get('/__admin/ping', async () => ({ pong: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, knobs };
}

const get = (harness: Harness, path = '/data', token = 'Bearer a', signal?: AbortSignal) =>
  fetch(`${harness.url}${path}`, { headers: { authorization: token }, ...(signal ? { signal } : {}) });

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await sleep(20);
}

describe('knobs', () => {
  test('latency delays every vendor answer by at least latencyMs', async (t) => {
    const harness = await start(t, { latencyMs: 80 });
    assert.equal((await get(harness)).status, 200);
    assert.ok(harness.knobs.log[0]!.durationMs >= 75, `took ${harness.knobs.log[0]!.durationMs} ms`);
  });

  test('rate limit: past N requests a second per token, 429 with Retry-After; other tokens unaffected', async (t) => {
    const harness = await start(t, { ratePerSecond: 1, retryAfterSeconds: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(harness)));
    const limited = answers.filter((response) => response.status === 429);
    // One request per one-second window passes: only a run spread over ten seconds would see no 429.
    assert.ok(limited.length > 0, 'none limited');
    assert.equal(limited[0]!.headers.get('retry-after'), '2');
    assert.deepEqual(await limited[0]!.json(), { resultCode: 'TOO_MANY_REQUESTS' });
    assert.equal((await get(harness, '/data', 'Bearer other')).status, 200);
    assert.ok(harness.knobs.log.some((entry) => entry.injected === 'rateLimited' && entry.status === 429));
  });

  test('max concurrency: past N in flight per token, 429 with Retry-After; the slot frees when done', async (t) => {
    const harness = await start(t, { maxConcurrent: 1, latencyMs: 1000, retryAfterSeconds: 3 });
    const answers = await Promise.all(Array.from({ length: 3 }, () => get(harness)));
    const statuses = answers.map((response) => response.status);
    // The first holds the only slot for a second; the others arrive meanwhile.
    assert.ok(statuses.includes(200) && statuses.includes(429), statuses.join());
    assert.equal(answers.find((response) => response.status === 429)!.headers.get('retry-after'), '3');
    assert.equal((await get(harness)).status, 200);
  });

  describe('each fault kind', () => {
    const fault = (kind: FaultRule['kind'], extra: Partial<FaultRule> = {}): Partial<KnobSettings> => ({ faults: [{ kind, ...extra }] });

    test('status500 answers the vendor failure body', async (t) => {
      const harness = await start(t, fault('status500'));
      const response = await get(harness);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { resultCode: 'FAILURE' });
      assert.equal(harness.knobs.log[0]!.injected, 'status500');
    });

    test('status503 answers an HTML page with Retry-After', async (t) => {
      const harness = await start(t, fault('status503', { retryAfterSeconds: 4 }));
      const response = await get(harness);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '4');
      assert.match(await response.text(), /<html>/);
    });

    test('status429 answers the rate-limit body with Retry-After', async (t) => {
      const harness = await start(t, fault('status429', { retryAfterSeconds: 5 }));
      const response = await get(harness);
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.deepEqual(await response.json(), { resultCode: 'TOO_MANY_REQUESTS' });
    });

    test("an injected 429 without its own Retry-After uses the settings' retryAfterSeconds", async (t) => {
      const harness = await start(t, { retryAfterSeconds: 9, ...fault('status429') });
      assert.equal((await get(harness)).headers.get('retry-after'), '9');
    });

    test('html answers a proxy error page instead of JSON', async (t) => {
      const harness = await start(t, fault('html'));
      const response = await get(harness);
      assert.equal(response.status, 502);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      await assert.rejects(response.clone().json());
    });

    test('malformedJson answers 200 with a JSON body that does not parse', async (t) => {
      const harness = await start(t, fault('malformedJson'));
      const response = await get(harness);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      await assert.rejects(response.json(), SyntaxError);
    });

    test('hang never answers: the client times out, and the request is logged', async (t) => {
      const harness = await start(t, fault('hang'));
      await assert.rejects(get(harness, '/data', 'Bearer a', AbortSignal.timeout(300)), (error: Error) => error.name === 'TimeoutError');
      await waitFor(() => harness.knobs.log.length > 0);
      assert.equal(harness.knobs.log[0]?.injected, 'hang');
    });

    test('reset drops the connection', async (t) => {
      const harness = await start(t, fault('reset'));
      await assert.rejects(get(harness), TypeError);
      await waitFor(() => harness.knobs.log.length > 0);
      assert.equal(harness.knobs.log[0]?.injected, 'reset');
    });

    test('covers every declared kind', () => {
      assert.deepEqual([...faultKinds].sort(), ['hang', 'html', 'malformedJson', 'reset', 'status429', 'status500', 'status503']);
    });
  });

  describe('faults by probability', () => {
    const pattern = async (t: TestContext, seed: number): Promise<boolean[]> => {
      const harness = await start(t, { faults: [{ kind: 'status500', probability: 0.5 }] }, seed);
      const hits: boolean[] = [];
      for (let i = 0; i < 30; i++) hits.push((await get(harness)).status === 500);
      return hits;
    };

    test('fire about as often as asked, in the same pattern for the same seed', async (t) => {
      const first = await pattern(t, 11);
      assert.deepEqual(await pattern(t, 11), first);
      const fired = first.filter(Boolean).length;
      assert.ok(fired > 0 && fired < 30, `${fired} of 30`);
      assert.notDeepEqual(await pattern(t, 12), first);
    });

    test('probability 0 never fires', async (t) => {
      const harness = await start(t, { faults: [{ kind: 'status500', probability: 0 }] });
      for (let i = 0; i < 10; i++) assert.equal((await get(harness)).status, 200);
    });
  });

  describe('faults by script', () => {
    test('times: fires that many times, then retires', async (t) => {
      const harness = await start(t, { faults: [{ kind: 'status500', times: 2 }] });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(harness)).status);
      assert.deepEqual(statuses, [500, 500, 200, 200]);
      assert.equal(harness.knobs.settings.faults.length, 0);
    });

    test('after: skips that many matching requests first ("fail the 3rd call")', async (t) => {
      const harness = await start(t, { faults: [{ kind: 'status503', after: 2, times: 1 }] });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(harness)).status);
      assert.deepEqual(statuses, [200, 200, 503, 200]);
    });

    test('method and path limit which requests a fault matches', async (t) => {
      const harness = await start(t, {
        faults: [
          { kind: 'status500', method: 'post', path: '/data' },
          { kind: 'status429', path: '/elsewhere' },
        ],
      });
      assert.equal((await get(harness)).status, 200);
      assert.equal((await fetch(`${harness.url}/data`, { method: 'POST' })).status, 500);
    });
  });

  test('request log: method, path, query, status, token; countBy and clearLog; bounded by logLimit', async (t) => {
    const harness = await start(t, {}, 1, 3);
    await get(harness, '/data?x=1', 'Bearer one');
    await fetch(`${harness.url}/data`, { method: 'POST' });
    await get(harness, '/missing');
    const [first, second, third] = harness.knobs.log;
    assert.deepEqual(
      { ...first, at: undefined, durationMs: undefined },
      {
        seq: 1,
        at: undefined,
        method: 'GET',
        path: '/data',
        query: 'x=1',
        status: 200,
        durationMs: undefined,
        injected: null,
        token: 'Bearer one',
      },
    );
    assert.equal(second!.token, null);
    assert.equal(third!.status, 404);
    assert.deepEqual(harness.knobs.countBy(), { 'GET /data': 1, 'POST /data': 1, 'GET /missing': 1 });
    assert.deepEqual(
      harness.knobs.countBy((entry) => entry.method === 'GET'),
      { 'GET /data': 1, 'GET /missing': 1 },
    );
    await get(harness);
    assert.equal(harness.knobs.log.length, 3);
    assert.equal(harness.knobs.log[0]!.seq, 2);
    harness.knobs.clearLog();
    assert.equal(harness.knobs.log.length, 0);
  });

  test('admin paths are exempt from faults, limits, latency and the log', async (t) => {
    const harness = await start(t, { faults: [{ kind: 'status500' }], ratePerSecond: 1, maxConcurrent: 1 });
    for (let i = 0; i < 5; i++) assert.equal((await get(harness, '/__admin/ping')).status, 200);
    assert.equal(harness.knobs.log.length, 0);
    assert.equal((await get(harness)).status, 500);
  });

  test('reset restores the defaults and empties the log', async (t) => {
    const harness = await start(t, { latencyMs: 5, faults: [{ kind: 'status500' }] });
    await get(harness);
    harness.knobs.reset();
    assert.deepEqual(harness.knobs.settings, {
      latencyMs: 0,
      jitterMs: 0,
      ratePerSecond: 0,
      maxConcurrent: 0,
      retryAfterSeconds: 1,
      faults: [],
    });
    assert.equal(harness.knobs.log.length, 0);
    assert.equal((await get(harness)).status, 200);
  });
});
