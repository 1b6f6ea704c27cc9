import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { client } from './client.test-support.ts';
import { startOomnitzaEmulator } from './index.ts';

import type { Call } from './client.test-support.ts';
import type { OomnitzaEmulator } from './index.ts';

type Row = Record<string, unknown>;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('auth', () => {
  let emulator: OomnitzaEmulator;
  before(async () => {
    emulator = await startOomnitzaEmulator({
      apiToken: 'token-for-auth-tests',
      basicAuth: { username: 'admin@example.com', password: 's3cret pass' },
    });
  });
  after(() => emulator.close());

  test('no credentials, a wrong token, a token in the Authorization header, or wrong Basic: 401', async () => {
    for (const headers of [
      {},
      { Authorization2: 'wrong-token' },
      { Authorization: 'token-for-auth-tests' },
      { Authorization: basic('admin@example.com', 'nope') },
    ]) {
      const res = await client(emulator, headers)('GET', '/api/v3/users');
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal((res.body as { error: Row }).error.code, 'unauthorized');
      assert.ok(!JSON.stringify(res.body).includes('token-for-auth-tests'), 'the secret is never echoed');
    }
  });

  test('Authorization2 and HTTP Basic both work, and writes record who made them', async () => {
    assert.equal((await client(emulator)('GET', '/api/v3/users?limit=1')).status, 200);
    const viaBasic = client(emulator, { Authorization: basic('admin@example.com', 's3cret pass') });
    const created = await viaBasic('POST', '/api/v3/users', { username: 'via-basic' });
    assert.equal(created.status, 200);
    assert.equal((created.body as Row).created_by, 'admin@example.com');
  });

  test('a revoked token gets 403; the admin API needs no vendor auth', async () => {
    const add = await fetch(`${emulator.url}/__admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'second-token-123', username: 'integration' }),
    });
    assert.equal(add.status, 201);
    const second = client({ url: emulator.url, apiToken: 'second-token-123' });
    assert.equal((await second('GET', '/api/v3/users?limit=1')).status, 200);
    assert.equal((await fetch(`${emulator.url}/__admin/tokens/second-token-123`, { method: 'DELETE' })).status, 204);
    assert.equal((await second('GET', '/api/v3/users?limit=1')).status, 403);
  });
});

describe('knobs', () => {
  let emulator: OomnitzaEmulator;
  let call: Call;
  before(async () => {
    emulator = await startOomnitzaEmulator({ users: 2 });
    call = client(emulator);
  });
  after(() => emulator.close());

  test('past N requests a second per token: 429 with Retry-After; another token is counted apart', async () => {
    emulator.knobs.settings.ratePerSecond = 2;
    emulator.knobs.settings.retryAfterSeconds = 3;
    await fetch(`${emulator.url}/__admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'other-token-1234' }),
    });
    try {
      // Three calls in a row within one second window; retry the lot if a second boundary split them.
      let statuses: number[] = [];
      let last = null as Awaited<ReturnType<Call>> | null;
      for (let attempt = 0; attempt < 5; attempt++) {
        // Start just after a second begins, so no call of a split attempt shares its window.
        await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
        const start = Math.floor(Date.now() / 1000);
        const answers = [await call('GET', '/api/v3/users'), await call('GET', '/api/v3/users'), await call('GET', '/api/v3/users')];
        if (Math.floor(Date.now() / 1000) !== start) continue;
        statuses = answers.map((a) => a.status);
        last = answers[2]!;
        break;
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.equal(last?.headers.get('retry-after'), '3');
      assert.equal((last?.body as { error: Row }).error.code, 'rate_limited');
      assert.equal((await client({ url: emulator.url, apiToken: 'other-token-1234' })('GET', '/api/v3/users')).status, 200);
      const logged = emulator.knobs.log.filter((e) => e.injected === 'rateLimited');
      assert.ok(logged.length >= 1);
      assert.ok(
        logged.every((e) => e.token !== emulator.apiToken && e.token?.startsWith('token:')),
        'the log holds a hash, not the token',
      );
    } finally {
      emulator.knobs.settings.ratePerSecond = 0;
    }
  });

  test('a scripted fault: the 2nd POST /api/v3/users gets a 500, then all is well; the log shows it', async () => {
    const put = await fetch(`${emulator.url}/__admin/knobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ kind: 'status500', method: 'POST', path: '/api/v3/users', after: 1, times: 1 }] }),
    });
    assert.equal(put.status, 200);
    await fetch(`${emulator.url}/__admin/requests`, { method: 'DELETE' });
    const statuses = [];
    for (const name of ['f1', 'f2', 'f3']) statuses.push((await call('POST', '/api/v3/users', { username: name })).status);
    assert.deepEqual(statuses, [200, 500, 200]);
    assert.equal(
      [...emulator.store.users.values()].some((u) => u.username === 'f2'),
      false,
      'the faulted request wrote nothing',
    );
    const log = (await (await fetch(`${emulator.url}/__admin/requests`)).json()) as Row[];
    assert.deepEqual(
      log.map((e) => [e.method, e.path, e.status, e.injected]),
      [
        ['POST', '/api/v3/users', 200, null],
        ['POST', '/api/v3/users', 500, 'status500'],
        ['POST', '/api/v3/users', 200, null],
      ],
    );
  });

  test('a hung request never answers (the client gives up), an HTML fault is not JSON', async () => {
    emulator.knobs.settings.faults.push(
      { kind: 'hang', path: '/api/v3/saas', times: 1 },
      { kind: 'html', path: '/api/v3/users/', times: 1 },
    );
    await assert.rejects(
      fetch(`${emulator.url}/api/v3/saas`, { headers: { Authorization2: emulator.apiToken }, signal: AbortSignal.timeout(300) }),
    );
    const html = await call('GET', '/api/v3/users/1001');
    assert.equal(html.status, 502);
    assert.match(String(html.body), /<html>/);
    assert.equal((await call('GET', '/api/v3/users/1001')).status, 200);
  });

  test('PUT /__admin/knobs refuses an unknown knob, naming it', async () => {
    const res = await fetch(`${emulator.url}/__admin/knobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latency: 5 }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /^latency:/);
  });
});

describe('admin data', () => {
  let emulator: OomnitzaEmulator;
  before(async () => {
    emulator = await startOomnitzaEmulator({ users: 4 });
  });
  after(() => emulator.close());

  const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  test('GET /__admin/data then PUT it back gives the same data; a bad document changes nothing', async () => {
    const before = (await admin('GET', '/__admin/data')).body as Row;
    assert.equal((before.users as Row[]).length, 4);
    const changed = structuredClone(before);
    (changed.users as Row[]).push({ uid: 5000, username: 'loaded', email: 'loaded@example.com', creation_date: 1 });
    const put = await admin('PUT', '/__admin/data', changed);
    assert.equal(put.status, 200);
    assert.equal((put.body as Row).users, 5);
    assert.equal(emulator.store.users.get(5000)?.username, 'loaded');
    const created = await client(emulator)('POST', '/api/v3/users', { username: 'after-load' });
    assert.equal((created.body as Row).uid, 5001, 'new uids continue after the loaded ones');

    const bad = structuredClone(before);
    (bad.users as Row[]).push({ uid: 6000, username: 'dup', email: String((bad.users as Row[])[0]?.email).toUpperCase() });
    const refused = await admin('PUT', '/__admin/data', bad);
    assert.equal(refused.status, 409);
    assert.match((refused.body as { error: { message: string } }).error.message, /^users\[4\]: email:/);
    assert.equal(emulator.store.users.has(5000), true, 'the store is as it was');
  });

  test('admin users: create with a chosen uid, patch a read-only field, delete', async () => {
    const created = await admin('POST', '/__admin/users', { uid: 7000, username: 'admin-made', creation_date: '2020-01-01T00:00:00Z' });
    assert.equal(created.status, 201);
    assert.equal((created.body as Row).creation_date, 1_577_836_800);
    const patched = await admin('PATCH', '/__admin/users/admin-made', { last_login_date: 1_600_000_000 });
    assert.equal((patched.body as Row).last_login_date, 1_600_000_000);
    assert.equal((await admin('DELETE', '/__admin/users/7000')).status, 200);
    assert.equal(emulator.store.users.has(7000), false);
  });
});
