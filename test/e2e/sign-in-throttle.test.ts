/**
 * Sign-in throttling and first-run setup under concurrency, against the real server on SQLite and
 * PostgreSQL: 20 wrong passwords sent at once reach the password check at most 5 times; the lock
 * holds only that client (the owner signs in from elsewhere at once); five setups sent at once make
 * exactly one admin.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

const password = 'correct horse battery staple';

function signIn(url: string, email: string, pass: string, client: string): Promise<Response> {
  return fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ email, password: pass }),
  });
}

forEachDialect('sign-in and setup under concurrency', (target) => {
  test('five setups at once make exactly one admin', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => apiClient(server.url).post('/api/setup', { email: `admin${n}@acme.example`, password })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409], answers.map((a) => a.text).join('\n'));
    const users = await server.context.db.selectFrom('app_users').select(['email', 'role']).execute();
    assert.equal(users.length, 1);
    assert.equal(users[0]?.role, 'admin');
  });

  test('20 parallel wrong passwords: at most 5 are checked; the owner, from another client, still signs in', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false, env: { TRUST_PROXY: '127.0.0.1' } });
    t.after(() => server.close());
    const email = 'it@acme.example';
    assert.equal((await apiClient(server.url).post('/api/setup', { email, password })).status, 201);

    const attacker = '203.0.113.9';
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(server.url, email, `wrong guess ${i}`, attacker)));
    const statuses = answers.map((a) => a.status);
    const checked = statuses.filter((s) => s === 401).length;
    assert.ok(checked <= 5, `${checked} passwords were checked: ${statuses.join(' ')}`);
    assert.equal(checked + statuses.filter((s) => s === 429).length, 20, statuses.join(' '));
    const refused = answers.find((a) => a.status === 429)!;
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /try again in \d+ seconds/);

    // The attacker's client stays locked, even with the right password…
    assert.equal((await signIn(server.url, email, password, attacker)).status, 429);
    // …while the owner, from their own address, is not locked out.
    const owner = await signIn(server.url, email, password, '198.51.100.7');
    assert.equal(owner.status, 200, await owner.text());
  });

  test('without TRUST_PROXY a client cannot dodge its lock by inventing X-Forwarded-For addresses', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const email = 'it@acme.example';
    assert.equal((await apiClient(server.url).post('/api/setup', { email, password })).status, 201);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn(server.url, email, `wrong ${i}`, `192.0.2.${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  });
});
