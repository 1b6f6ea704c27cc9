/**
 * The scale-out set-up of `npm run bench -- scale`, small and untimed: the emulators' separate
 * tenants (each its own URLs and credentials, none opening another's), one integration per tenant,
 * and two `ninja-sync worker` processes taking three runs at a time each (`--runs-per-worker 3`).
 * Every run executes exactly once, each tenant's Oomnitza gets its own NinjaOne users and nobody
 * else's, and a worker really holds several runs at once.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { startEmulators } from '../../src/cli/emulators.ts';
import { createVault, generateVaultKey } from '../../src/credentials/vault.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { exactlyOnceProblems, queueRuns, seedMsp } from '../support/msp.ts';
import { createPostgresDatabase, dropPostgresDatabase, stopSharedPostgres } from '../support/postgres.ts';

const bin = new URL('../../bin/ninja-sync.js', import.meta.url).pathname;
const terminal = ['succeeded', 'completed_with_errors', 'failed', 'canceled'];

after(() => stopSharedPostgres());

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, attempts = 1800): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

test('separate emulator tenants do not open each other', async (t) => {
  const emulators = await startEmulators({ seed: 3, users: 2, tenants: 2 });
  t.after(() => emulators.close());
  const [first, second] = emulators.tenants;
  assert.ok(first && second);
  assert.notEqual(first.oomnitza.url, second.oomnitza.url);
  assert.notEqual(first.oomnitza.apiToken, second.oomnitza.apiToken);

  const users = (tenant: typeof first, token: string) =>
    fetch(`${tenant.oomnitza.url}/api/v3/users?limit=1`, { headers: { Authorization2: token } }).then((r) => r.status);
  assert.equal(await users(second, second.oomnitza.apiToken), 200);
  assert.equal(await users(second, first.oomnitza.apiToken), 401, "the first tenant's token is refused by the second");

  const m2m = (tenant: typeof first) => tenant.ninjaone.clientApps.find((app) => app.grants.includes('client_credentials'))!;
  const token = (tenant: typeof first, app: { clientId: string; clientSecret: string }) =>
    fetch(`${tenant.ninjaone.url}/ws/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'monitoring',
      }),
    }).then((r) => r.status);
  assert.equal(await token(second, m2m(second)), 200);
  assert.notEqual(await token(second, m2m(first)), 200, "the first tenant's client app is unknown to the second");
  assert.notDeepEqual(
    first.ninjaone.world.users.map((u) => u.email),
    second.ninjaone.world.users.map((u) => u.email),
    'each tenant has people of its own',
  );
});

test('two worker processes taking three runs at a time run six tenants exactly once, each into its own Oomnitza', async (t) => {
  const databaseUrl = await createPostgresDatabase();
  t.after(() => dropPostgresDatabase(databaseUrl));
  const dataDir = mkdtempSync(join(tmpdir(), 'workers-tenants-'));
  const key = generateVaultKey();
  const store = await openDatabase({ databaseUrl, dataDir });
  t.after(() => store.close());
  const { db } = store;

  const emulators = await startEmulators({ seed: 11, users: 5, tenants: 6 });
  t.after(() => emulators.close());
  // The Oomnitza users each tenant starts with (unrelated to NinjaOne).
  const emulatorSeeds = new Map(emulators.tenants.map((tenant) => [tenant.index, [...tenant.oomnitza.store.users.keys()]]));
  // Slow enough that a run is still going when the worker's other loops claim theirs.
  for (const tenant of emulators.tenants) tenant.oomnitza.knobs.settings.latencyMs = 150;
  const endpoints = emulators.tenants.map((tenant) => {
    const app = tenant.ninjaone.clientApps.find((candidate) => candidate.grants.includes('client_credentials'))!;
    return {
      ninjaone: { url: tenant.ninjaone.url, clientId: app.clientId, clientSecret: app.clientSecret },
      oomnitza: { url: tenant.oomnitza.url, apiToken: tenant.oomnitza.apiToken },
    };
  });
  const ids = await seedMsp(db, createVault(key), endpoints, () => ({
    syncKeys: ['email'],
    mapping: { email: { field: 'email', transform: ['trim', 'lower'] }, username: { field: 'email', transform: ['trim', 'lower'] } },
  }));
  await queueRuns(db, ids);

  const workers: ChildProcess[] = [];
  const output: string[] = [];
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '6',
    NINJA_SYNC_KEY: key.toString('base64'),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  for (let i = 0; i < 2; i++) {
    const child = spawn(process.execPath, [bin, 'worker', '--id', `w${i}`, '--poll-ms', '100', '--runs-per-worker', '3'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    workers.push(child);
  }
  t.after(() => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const runs = await until('all six runs end', async () => {
    const rows = await db.selectFrom('runs').selectAll().execute();
    return rows.length === 6 && rows.every((r) => terminal.includes(r.state)) ? rows : null;
  });
  assert.deepEqual(await exactlyOnceProblems(db, () => 5), [], output.join('').slice(-3000));
  assert.match(output.join(''), /taking runs from PostgreSQL, 3 at a time/);

  // Some worker held several runs at once: two of its runs overlap in time.
  const overlapping = runs.some((a) =>
    runs.some(
      (b) =>
        a.id !== b.id &&
        a.worker_id === b.worker_id &&
        String(a.started_at) < String(b.finished_at) &&
        String(b.started_at) < String(a.finished_at),
    ),
  );
  assert.ok(overlapping, JSON.stringify(runs.map((r) => [r.worker_id, r.started_at, r.finished_at])));

  // Each tenant's Oomnitza holds its own NinjaOne people, each created once, and nobody else's.
  for (const [index, tenant] of emulators.tenants.entries()) {
    const run = runs.find((r) => r.integration_name === `tenant ${index}`)!;
    const posts = tenant.oomnitza.knobs.log.filter((entry) => entry.method === 'POST' && entry.path === '/api/v3/users');
    assert.ok(run.created > 0, `tenant ${index} created people`);
    assert.equal(posts.length, run.created, `tenant ${index}: one POST per created user`);
    const theirs = new Set(tenant.ninjaone.world.users.map((u) => (u.email ?? '').trim().toLowerCase()));
    const seededBefore = new Set(emulatorSeeds.get(index));
    const created = [...tenant.oomnitza.store.users.values()].filter((u) => !seededBefore.has(u.uid));
    assert.equal(created.length, run.created, `tenant ${index}: as many new Oomnitza users as the run created`);
    for (const user of created)
      assert.ok(theirs.has(String(user['email'])), `tenant ${index} got ${String(user['email'])}, not one of its people`);
  }

  for (const child of workers) child.kill('SIGTERM');
});
