import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';

import { forEachDialect } from '../../test/support/databases.ts';
import { claimNextRun, failStaleRuns } from './claim.ts';
import { createRun, finishRun, getRun, heartbeat, startRun } from './run-store.ts';

import type { AppDb } from '../db/app-database.ts';

const t0 = new Date('2026-11-27T09:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

async function addIntegrations(db: AppDb, ids: readonly string[]): Promise<void> {
  const now = t0.toISOString();
  await db
    .insertInto('integrations')
    .values(ids.map((id) => ({ id, name: `integration ${id}`, document: '{}', enabled: 1 as const, created_at: now, updated_at: now })))
    .execute();
}

/** Claims until the queue is empty; returns the ids in claim order. */
async function drain(db: AppDb, workerId: string): Promise<string[]> {
  const claimed: string[] = [];
  for (;;) {
    const run = await claimNextRun(db, workerId);
    if (run === null) return claimed;
    claimed.push(run.id);
  }
}

async function listQueued(db: AppDb): Promise<string[]> {
  return (await db.selectFrom('runs').select('id').where('state', '=', 'queued').execute()).map((r) => r.id);
}

forEachDialect('claiming runs', (target) => {
  test('claims the oldest queued run and marks it running for the worker', async () => {
    const { db } = await target.open();
    const later = await createRun(db, { integrationId: null, integrationName: 'b', trigger: 'schedule', now: at(2) });
    const older = await createRun(db, { integrationId: null, integrationName: 'a', trigger: 'schedule', now: at(1) });
    const claimed = await claimNextRun(db, 'worker-1', { now: at(3) });
    assert.equal(claimed?.id, older.id);
    assert.equal(claimed?.state, 'running');
    assert.equal(claimed?.workerId, 'worker-1');
    assert.equal(claimed?.startedAt, at(3).toISOString());
    assert.equal(claimed?.heartbeatAt, at(3).toISOString());
    assert.equal((await claimNextRun(db, 'worker-1'))?.id, later.id);
    assert.equal(await claimNextRun(db, 'worker-1'), null);
  });

  test('never claims a run of an integration that already has one running', async () => {
    const { db } = await target.open();
    await addIntegrations(db, ['busy', 'free']);
    const running = await createRun(db, { integrationId: 'busy', integrationName: 'busy', trigger: 'manual', now: at(0) });
    await startRun(db, running.id);
    const waiting = await createRun(db, { integrationId: 'busy', integrationName: 'busy', trigger: 'schedule', now: at(1) });
    const other = await createRun(db, { integrationId: 'free', integrationName: 'free', trigger: 'schedule', now: at(2) });
    assert.equal((await claimNextRun(db, 'w'))?.id, other.id);
    assert.equal(await claimNextRun(db, 'w'), null);
    await finishRun(db, running.id, { state: 'succeeded' });
    assert.equal((await claimNextRun(db, 'w'))?.id, waiting.id);
  });

  test('a claimer limited to some integrations takes only their runs', async () => {
    const { db } = await target.open();
    await addIntegrations(db, ['mine', 'theirs']);
    await createRun(db, { integrationId: 'theirs', integrationName: 'theirs', trigger: 'schedule', now: at(0) });
    await createRun(db, { integrationId: null, integrationName: 'file', trigger: 'cli', now: at(0) });
    const mine = await createRun(db, { integrationId: 'mine', integrationName: 'mine', trigger: 'schedule', now: at(1) });
    assert.equal((await claimNextRun(db, 'agent', { integrationIds: ['mine'] }))?.id, mine.id);
    assert.equal(await claimNextRun(db, 'agent', { integrationIds: ['mine'] }), null);
    assert.equal(await claimNextRun(db, 'agent', { integrationIds: [] }), null);
    assert.equal((await listQueued(db)).length, 2);
  });

  test('concurrent claimers on separate connections get distinct runs, each exactly once', async () => {
    const options = await target.options();
    const first = await target.reopen(options);
    const second = await target.reopen({ ...options, maxConnections: 4 });
    await addIntegrations(first.db, ['x', 'y', 'z']);
    const ids = new Set<string>();
    for (let i = 0; i < 30; i += 1)
      ids.add((await createRun(first.db, { integrationId: null, integrationName: `file ${String(i)}`, trigger: 'cli', now: at(i) })).id);
    // Three runs of each integration: only one of each may be running at a time.
    const perIntegration = new Map<string, string[]>();
    for (const integration of ['x', 'y', 'z']) {
      for (let i = 0; i < 3; i += 1) {
        const run = await createRun(first.db, {
          integrationId: integration,
          integrationName: integration,
          trigger: 'schedule',
          now: at(100 + i),
        });
        perIntegration.set(integration, [...(perIntegration.get(integration) ?? []), run.id]);
      }
    }
    const results = await Promise.all([
      drain(first.db, 'w1'),
      drain(first.db, 'w2'),
      drain(first.db, 'w3'),
      drain(second.db, 'w4'),
      drain(second.db, 'w5'),
      drain(second.db, 'w6'),
    ]);
    const claimed = results.flat();
    assert.equal(new Set(claimed).size, claimed.length, 'no run claimed twice');
    const cliClaimed = claimed.filter((id) => ids.has(id));
    assert.equal(cliClaimed.length, 30, 'every CLI run claimed');
    for (const [integration, runs] of perIntegration) {
      const mine = claimed.filter((id) => runs.includes(id));
      assert.equal(mine.length, 1, `one run of ${integration} running at a time`);
    }
    const running = await first.db.selectFrom('runs').select(['id', 'worker_id']).where('state', '=', 'running').execute();
    assert.equal(running.length, 33);
    // The worker recorded on each row is the one that got it back from claimNextRun.
    results.forEach((list, i) => {
      for (const id of list) assert.equal(running.find((r) => r.id === id)?.worker_id, `w${String(i + 1)}`);
    });
  });

  if (target.dialect === 'postgres') {
    test('PostgreSQL: a claim held open in a transaction is skipped, not waited for', async () => {
      const options = await target.options();
      const first = await target.reopen(options);
      const second = await target.reopen(options);
      const older = await createRun(first.db, { integrationId: null, integrationName: 'a', trigger: 'cli', now: at(0) });
      const newer = await createRun(first.db, { integrationId: null, integrationName: 'b', trigger: 'cli', now: at(1) });
      await first.db.transaction().execute(async (trx) => {
        assert.equal((await claimNextRun(trx, 'slow'))?.id, older.id);
        // Without SKIP LOCKED this claim would wait for the open transaction: lock_timeout turns
        // that wait into an error instead of a hung test.
        const other = await second.db.transaction().execute(async (trx2) => {
          await sql`set local lock_timeout = '3s'`.execute(trx2);
          return claimNextRun(trx2, 'fast');
        });
        assert.equal(other?.id, newer.id);
      });
    });
  }

  test('failStaleRuns fails running runs whose heartbeat stopped, and only those', async () => {
    const { db } = await target.open();
    const stale = await createRun(db, { integrationId: null, integrationName: 'stale', trigger: 'schedule', now: at(0) });
    const alive = await createRun(db, { integrationId: null, integrationName: 'alive', trigger: 'schedule', now: at(0) });
    const queued = await createRun(db, { integrationId: null, integrationName: 'queued', trigger: 'schedule', now: at(0) });
    await startRun(db, stale.id, { workerId: 'dead', now: at(1) });
    await startRun(db, alive.id, { workerId: 'alive', now: at(1) });
    await heartbeat(db, alive.id, { now: at(9) });

    const failed = await failStaleRuns(db, at(5), { now: at(10) });
    assert.deepEqual(
      failed.map((r) => r.id),
      [stale.id],
    );
    assert.equal(failed[0]?.state, 'failed');
    assert.equal(failed[0]?.finishedAt, at(10).toISOString());
    assert.match(failed[0]?.error ?? '', /stopped sending heartbeats/);
    assert.equal((await getRun(db, alive.id))?.state, 'running');
    assert.equal((await getRun(db, queued.id))?.state, 'queued');
    // The dead worker, if it wakes up, learns from its heartbeat that the run is over.
    assert.deepEqual(await heartbeat(db, stale.id), { running: false, state: 'failed', cancelRequested: false });
    assert.deepEqual(await failStaleRuns(db, at(5)), []);
  });
});
