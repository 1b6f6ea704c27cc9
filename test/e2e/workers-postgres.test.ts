/**
 * Many workers on PostgreSQL, as processes: 50 scheduled runs made due by a test clock, three
 * `ninja-sync worker` processes taking them; every run executes exactly once. Then a worker is
 * killed with SIGKILL in the middle of a run: another worker notices the missing heartbeats, fails
 * the run with that reason, and the integration's contacts get an alert.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { createOomnitzaConnection } from '../../src/credentials/oomnitza-connections.ts';
import { createCredential } from '../../src/credentials/store.ts';
import { createVault, generateVaultKey } from '../../src/credentials/vault.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { createIntegration } from '../../src/integrations/integration-store.ts';
import { integrationSchema } from '../../src/integrations/schema.ts';
import { listAlerts } from '../../src/notifications/alerts.ts';
import { createRun } from '../../src/runs/run-store.ts';
import { planDueRuns } from '../../src/schedule/plan-due-runs.ts';
import { createPostgresDatabase, dropPostgresDatabase, stopSharedPostgres } from '../support/postgres.ts';

const bin = new URL('../../bin/ninja-sync.js', import.meta.url).pathname;
const terminal = ['succeeded', 'completed_with_errors', 'failed', 'canceled'];

after(() => stopSharedPostgres());

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, attempts = 1200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

test("three worker processes run 50 due runs exactly once, and a killed worker's run ends failed with the reason", async (t) => {
  const databaseUrl = await createPostgresDatabase();
  t.after(() => dropPostgresDatabase(databaseUrl));
  const dataDir = mkdtempSync(join(tmpdir(), 'workers-'));
  const key = generateVaultKey();
  const vault = createVault(key);
  const store = await openDatabase({ databaseUrl, dataDir });
  t.after(() => store.close());
  const { db } = store;

  const ninja = await startNinjaOneEmulator({ seed: 5, users: 6 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed: 5, users: 0 });
  t.after(() => oomnitza.close());

  // The test clock: two days ahead of the wall clock, so the workers' own (wall-clock) planning
  // never finds these schedules due; only this test's calls to planDueRuns do.
  let clock = new Date(Date.now() + 2 * 86_400_000);
  clock.setUTCSeconds(0, 0);
  const now = () => clock;

  await createCredential(
    db,
    vault,
    {
      name: 'ninjaone',
      url: ninja.url,
      clientId: 'demo-m2m',
      clientSecret: 'demo-m2m-secret',
      scopes: 'monitoring',
      grantType: 'client_credentials',
      allowInsecureHttp: true,
    },
    now(),
  );
  await createOomnitzaConnection(
    db,
    vault,
    { name: 'oomnitza', url: oomnitza.url, apiToken: oomnitza.apiToken, allowInsecureHttp: true },
    now(),
  );
  const integrationIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    // Each integration writes its own people (a prefix on the e-mail), so runs never contend.
    const document = integrationSchema.parse({
      name: `tenant ${i}`,
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: {
        email: { expr: `'t${i}.' & $lowercase(email)` },
        username: { expr: `'t${i}.' & $lowercase(email)` },
        first_name: 'firstName',
      },
      schedule: { every: '1h', timezone: 'UTC' },
      contacts: ['ops@acme.example'],
    });
    integrationIds.push((await createIntegration(db, document, now())).id);
  }
  await planDueRuns(db, now());
  // The clock moves to the first due time: every schedule is due, none is late.
  const { next } = await db
    .selectFrom('schedule_state')
    .select((eb) => eb.fn.max('next_run_at').as('next'))
    .executeTakeFirstOrThrow();
  clock = new Date(String(next));
  const planned = await planDueRuns(db, now());
  assert.equal(planned.queued.length, 50, 'one due run per integration');
  assert.equal(planned.missed.length, 0);

  const workers: ChildProcess[] = [];
  const output: string[] = [];
  const env = { ...process.env, DATABASE_URL: databaseUrl, NINJA_SYNC_KEY: key.toString('base64'), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (let i = 0; i < 3; i++) {
    const child = spawn(
      process.execPath,
      [bin, 'worker', '--id', `w${i}`, '--poll-ms', '50', '--heartbeat-ms', '200', '--stale-after-ms', '2000', '--tick-ms', '300'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    workers.push(child);
  }
  t.after(() => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const runs = await until('all 50 runs end', async () => {
    const rows = await db.selectFrom('runs').selectAll().execute();
    return rows.length === 50 && rows.every((r) => terminal.includes(r.state)) ? rows : null;
  });
  for (const run of runs) {
    assert.ok(
      ['succeeded', 'completed_with_errors'].includes(run.state),
      `${run.integration_name}: ${run.state} ${run.error ?? ''}\n${output.join('').slice(-2000)}`,
    );
    assert.match(run.worker_id ?? '', /^w[0-2]$/);
  }
  assert.ok(new Set(runs.map((r) => r.worker_id)).size >= 2, 'the runs were shared between workers');
  // Executed exactly once: each run reported each NinjaOne user once, numbered 1..n without repeats.
  const records = await db.selectFrom('run_records').select(['run_id', 'seq']).execute();
  const byRun = new Map<string, number[]>();
  for (const record of records) byRun.set(record.run_id, [...(byRun.get(record.run_id) ?? []), record.seq]);
  for (const run of runs) {
    const seqs = (byRun.get(run.id) ?? []).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: ninja.world.users.length }, (_, i) => i + 1),
      `run of ${run.integration_name}`,
    );
  }

  // A slow run; its worker dies mid-run.
  oomnitza.knobs.settings.latencyMs = 2_000;
  const slow = await createRun(db, { integrationId: integrationIds[0]!, integrationName: 'tenant 0', trigger: 'manual', now: now() });
  const claimed = await until('the slow run is taken', async () => {
    const row = await db.selectFrom('runs').select(['state', 'worker_id']).where('id', '=', slow.id).executeTakeFirstOrThrow();
    return row.state === 'running' && row.worker_id ? row.worker_id : null;
  });
  const victim = workers[Number(claimed.slice(1))]!;
  victim.kill('SIGKILL');
  const failed = await until("the dead worker's run is failed", async () => {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', slow.id).executeTakeFirstOrThrow();
    return row.state === 'failed' ? row : null;
  });
  assert.match(failed.error ?? '', /stopped sending heartbeats/);
  assert.match(failed.error ?? '', /rerun is safe/);
  const alerts = await until('an alert for the failed run', async () => {
    const open = (await listAlerts(db, {})).filter((a) => a.subjectId === integrationIds[0] && a.condition === 'run_failed');
    return open.length > 0 ? open : null;
  });
  assert.equal(alerts.length, 1, 'one alert for the problem');
  oomnitza.knobs.settings.latencyMs = 0;

  for (const child of workers) if (child.exitCode === null) child.kill('SIGTERM');
});
