// The Oomnitza client under pressure, over real HTTP against the Oomnitza emulator: rate limits,
// injected faults, answers lost after a create, and the CSRF echo.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { VendorError } from '../http/vendor-error.ts';
import { createOomnitzaClient } from './client.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import type { OomnitzaClientOptions } from './client.ts';

let emulator: OomnitzaEmulator;

before(async () => {
  emulator = await startOomnitzaEmulator({ users: 30 });
});

after(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.knobs.reset();
});

function client(overrides: Partial<OomnitzaClientOptions> = {}): ReturnType<typeof createOomnitzaClient> {
  return createOomnitzaClient({
    baseUrl: emulator.url,
    apiToken: emulator.apiToken,
    allowInsecureHttp: true,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
    ...overrides,
  });
}

function usersNamed(prefix: string): number {
  return [...emulator.store.users.values()].filter((u) => u.username.startsWith(prefix)).length;
}

describe('Oomnitza client: faults', () => {
  test('a 429 storm: concurrency backs off, every create lands once, then it recovers', async () => {
    emulator.knobs.settings.maxConcurrent = 3;
    emulator.knobs.settings.latencyMs = 5;
    const changes: string[] = [];
    const oomnitza = client({ concurrency: 16, onConcurrencyChange: (limit, reason) => changes.push(`${reason}:${limit}`) });
    const created = await Promise.all(
      Array.from({ length: 120 }, (_, i) => oomnitza.createUser({ username: `storm${i}@acme.example`, email: `storm${i}@acme.example` })),
    );
    assert.equal(new Set(created.map((u) => u.id)).size, 120);
    assert.equal(usersNamed('storm'), 120, 'no lost and no duplicated write');
    assert.ok(
      emulator.knobs.log.some((entry) => entry.injected === 'rateLimited'),
      'the emulator did push back',
    );
    assert.ok(oomnitza.concurrencyLimit < 16);
    assert.ok(changes.some((c) => c.startsWith('rate_limited:')));

    emulator.knobs.settings.maxConcurrent = 0;
    const before = oomnitza.concurrencyLimit;
    for (let i = 0; i < 40; i++) await oomnitza.updateUser(created[i]!.id, { position: `p${i}` });
    assert.ok(oomnitza.concurrencyLimit > before, `recovered from ${before} to ${oomnitza.concurrencyLimit}`);
  });

  test('a per-second rate limit: Retry-After is honoured and every create lands once', async () => {
    emulator.knobs.settings.ratePerSecond = 15;
    emulator.knobs.settings.retryAfterSeconds = 1;
    const oomnitza = client({ concurrency: 8, retry: { baseDelayMs: 20, maxRetryAfterMs: 2_000 } });
    await Promise.all(Array.from({ length: 40 }, (_, i) => oomnitza.createUser({ username: `paced${i}@acme.example` })));
    assert.equal(usersNamed('paced'), 40);
    assert.ok(emulator.knobs.log.some((entry) => entry.injected === 'rateLimited'));
    assert.equal(emulator.knobs.log.filter((entry) => entry.method === 'POST' && entry.status === 200).length, 40);
  });

  test('an injected 500 on a listing is retried', async () => {
    emulator.knobs.settings.faults.push({ kind: 'status500', times: 1, path: '/api/v3/users' });
    assert.equal(await client().countUsers(), emulator.store.users.size);
    assert.equal(emulator.knobs.log.filter((e) => e.injected === 'status500').length, 1);
  });

  test('an HTML page and malformed JSON on reads are retried, and reported when they persist', async () => {
    emulator.knobs.settings.faults.push(
      { kind: 'html', times: 1, path: '/api/v3/users' },
      { kind: 'malformedJson', times: 1, path: '/api/v3/users' },
    );
    assert.equal(await client().countUsers(), emulator.store.users.size);

    emulator.knobs.settings.faults.push({ kind: 'malformedJson', path: '/api/v3/users' });
    await assert.rejects(client({ retry: { maxAttempts: 2, baseDelayMs: 1 } }).findUsers('email', ['a@b.c'], []), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.kind, 'malformed_json');
      assert.equal(error.status, 200);
      assert.equal(error.host, new URL(emulator.url).host);
      assert.equal(error.attempts, 2);
      return true;
    });

    emulator.knobs.reset();
    emulator.knobs.settings.faults.push({ kind: 'html', path: '/api/v3/users' });
    await assert.rejects(client({ retry: { maxAttempts: 2, baseDelayMs: 1 } }).testConnection(), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.kind, 'html');
      assert.equal(error.status, 502);
      assert.match(error.message, /502 Bad Gateway/);
      assert.match(error.message, /check destination\.url/);
      assert.doesNotMatch(error.message, /<center>/);
      return true;
    });
  });

  test('a create that failed before reaching the service is looked up, then sent again, once', async () => {
    emulator.knobs.settings.faults.push({ kind: 'status500', times: 1, method: 'POST', path: '/api/v3/users' });
    const user = await client().createUser({ username: 'retry.me@acme.example', email: 'retry.me@acme.example' });
    assert.equal(usersNamed('retry.me'), 1);
    const counts = emulator.knobs.countBy();
    assert.equal(counts['POST /api/v3/users'], 2);
    assert.ok((counts['GET /api/v3/users'] ?? 0) >= 1, 'looked up before sending again');
    assert.equal(emulator.store.users.get(Number(user.id))?.username, 'retry.me@acme.example');
  });

  test('a create whose answer was lost is found, not duplicated', async () => {
    let lost = 0;
    const losingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST' && lost === 0) {
        lost++;
        await response.arrayBuffer();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return response;
    };
    const user = await client({ fetch: losingFetch }).createUser({ username: 'lost.answer@acme.example', first_name: 'Lost' });
    assert.equal(lost, 1);
    assert.equal(usersNamed('lost.answer'), 1, 'created exactly once');
    assert.equal(user.fields['first_name'], 'Lost');
    assert.equal(emulator.knobs.countBy()['POST /api/v3/users'], 1);
  });

  test('a create without a lookup key is not retried after an ambiguous failure', async () => {
    emulator.knobs.settings.faults.push({ kind: 'status500', times: 1, method: 'POST', path: '/api/v3/users' });
    await assert.rejects(client().createUser({ first_name: 'Nameless' }), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 500);
      assert.match(error.message, /creating user "Nameless"|creating a user without email or username/);
      return true;
    });
    assert.equal(emulator.knobs.countBy()['POST /api/v3/users'], 1);
  });

  test('a hung request times out and the read is retried', async () => {
    emulator.knobs.settings.faults.push({ kind: 'hang', times: 1, path: '/api/v3/users' });
    assert.equal(await client({ timeoutMs: 200 }).countUsers(), emulator.store.users.size);
  });

  test('a reset connection on a PATCH is retried (a PATCH is idempotent)', async () => {
    const [first] = await client().findUsers('username', ['user0001@corp.example'], ['username']);
    assert.ok(first);
    emulator.knobs.settings.faults.push({ kind: 'reset', times: 1, method: 'PATCH' });
    const updated = await client().updateUser(first.id, { position: 'after reset' });
    assert.equal(updated.fields['position'], 'after reset');
    const patches = emulator.knobs.log.filter((entry) => entry.method === 'PATCH');
    assert.deepEqual(
      patches.map((entry) => entry.injected),
      ['reset', null],
    );
  });

  test('an X-CSRF-Token from an answer is sent back on later requests', async () => {
    const sent: Array<string | null> = [];
    const csrfFetch: typeof fetch = async (input, init) => {
      sent.push(new Headers(init?.headers).get('x-csrf-token'));
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.set('x-csrf-token', 'csrf-abc-123');
      return new Response(await response.arrayBuffer(), { status: response.status, headers });
    };
    const oomnitza = client({ fetch: csrfFetch });
    await oomnitza.countUsers();
    await oomnitza.countUsers();
    assert.deepEqual(sent, [null, 'csrf-abc-123']);
  });

  test('a canceled run stops its reads', async () => {
    emulator.knobs.settings.latencyMs = 200;
    const controller = new AbortController();
    const pending = client().countUsers({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: unknown) => error instanceof VendorError && error.kind === 'canceled');
  });
});
