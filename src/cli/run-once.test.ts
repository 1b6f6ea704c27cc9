import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { openDatabase } from '../db/open-database.ts';
import { integrationSchema } from '../integrations/schema.ts';
import { createRun, getRun, listRuns, requestCancel, startRun } from '../runs/run-store.ts';
import { buildClients } from './build-clients.ts';
import { closeOrphanedRuns, orphanedRunError, runOnce } from './run-once.ts';
import { captureIo } from './test-io.test-support.ts';

async function setUp(t: { after(fn: () => Promise<void>): void }) {
  const ninjaone = await startNinjaOneEmulator({ seed: 4, users: 40 });
  const oomnitza = await startOomnitzaEmulator({ seed: 4, users: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-run-once-'));
  const store = await openDatabase({ dataDir: dir });
  t.after(async () => {
    await store.close();
    await Promise.allSettled([ninjaone.close(), oomnitza.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const integration = integrationSchema.parse({
    name: 'run-once test',
    source: { url: ninjaone.url, clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret' },
    destination: { url: oomnitza.url, apiToken: oomnitza.apiToken },
    allowInsecureHttp: true,
    syncKeys: ['email'],
    mapping: { email: { field: 'email', transform: ['trim', 'lower'] }, username: { field: 'email', transform: ['trim', 'lower'] } },
  });
  const clients = await buildClients(integration, { dataDir: dir, env: {}, concurrency: 2 });
  assert.ok(clients.ok);
  return { ninjaone, oomnitza, store, integration, clients };
}

describe('runOnce', () => {
  test('a cancel asked through the store (the web UI, another process) stops the run, stored as canceled', async (t) => {
    const { oomnitza, store, integration, clients } = await setUp(t);
    oomnitza.knobs.settings.latencyMs = 60;
    const io = captureIo();
    const running = runOnce({
      db: store.db,
      integration,
      source: clients.source,
      destination: clients.destination,
      io,
      dryRun: false,
      concurrency: 2,
      progress: false,
      heartbeatMs: 20,
    });
    // Ask once the first writes are in.
    while (oomnitza.knobs.log.filter((e) => e.method === 'POST').length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    const [run] = await listRuns(store.db, { state: 'running', limit: 1 });
    assert.ok(run);
    await requestCancel(store.db, run.id);
    const done = await running;
    assert.equal(done.result.state, 'canceled');
    assert.equal((await getRun(store.db, run.id))?.state, 'canceled');
    assert.ok(done.result.counts.created < 30, `stopped early (${done.result.counts.created} created)`);
  });

  test("closeOrphanedRuns fails this host's CLI runs whose process is gone, and nothing else", async (t) => {
    const { store } = await setUp(t);
    const host = (await import('node:os')).hostname();
    const dead = await createRun(store.db, { integrationId: null, integrationName: 'dead', trigger: 'cli' });
    await startRun(store.db, dead.id, { workerId: `cli:${host}:999999999` });
    const alive = await createRun(store.db, { integrationId: null, integrationName: 'alive', trigger: 'cli' });
    await startRun(store.db, alive.id, { workerId: `cli:${host}:${process.ppid}` });
    const other = await createRun(store.db, { integrationId: null, integrationName: 'elsewhere', trigger: 'cli' });
    await startRun(store.db, other.id, { workerId: 'cli:another-host:999999999' });

    assert.equal(await closeOrphanedRuns(store.db), 1);
    const after = await getRun(store.db, dead.id);
    assert.equal(after?.state, 'failed');
    assert.equal(after.error, orphanedRunError);
    assert.equal((await getRun(store.db, alive.id))?.state, 'running');
    assert.equal((await getRun(store.db, other.id))?.state, 'running');
  });
});
