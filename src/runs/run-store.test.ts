import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { IllegalRunTransitionError, IntegrationBusyError, RunNotFoundError } from './errors.ts';
import { createRun, finishRun, getRun, heartbeat, listRuns, requestCancel, startRun } from './run-store.ts';

import type { OpenedDatabase } from '../db/open-database.ts';

const t0 = new Date('2026-11-27T09:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

async function addIntegration({ db }: OpenedDatabase, id: string): Promise<void> {
  await db
    .insertInto('integrations')
    .values({ id, name: `integration ${id}`, document: '{}', enabled: 1, created_at: t0.toISOString(), updated_at: t0.toISOString() })
    .execute();
}

forEachDialect('runs store', (target) => {
  test('a run goes queued → running → succeeded with its times, worker and counts', async () => {
    const { db } = await target.open();
    const queued = await createRun(db, { integrationId: null, integrationName: 'users.yaml', trigger: 'cli', dryRun: true, now: t0 });
    assert.equal(queued.state, 'queued');
    assert.equal(queued.dryRun, true);
    assert.equal(queued.trigger, 'cli');
    assert.equal(queued.queuedAt, t0.toISOString());
    assert.deepEqual(queued.counts, { ...emptyRunCounts(), created: 0, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 0 });

    const running = await startRun(db, queued.id, { workerId: 'cli-1', now: at(1) });
    assert.equal(running.state, 'running');
    assert.equal(running.startedAt, at(1).toISOString());
    assert.equal(running.heartbeatAt, at(1).toISOString());
    assert.equal(running.workerId, 'cli-1');

    const done = await finishRun(db, queued.id, {
      state: 'completed_with_errors',
      counts: { ...emptyRunCounts(), created: 3, updated: 2, unchanged: 10, skipped: 1, filtered: 0, failed: 1 },
      saasCounts: { ...emptyRunCounts(), created: 1, updated: 0, unchanged: 4, skipped: 0, filtered: 0, failed: 0 },
      error: null,
      now: at(2),
    });
    assert.equal(done.state, 'completed_with_errors');
    assert.equal(done.finishedAt, at(2).toISOString());
    assert.deepEqual(done.counts, { ...emptyRunCounts(), created: 3, updated: 2, unchanged: 10, skipped: 1, filtered: 0, failed: 1 });
    assert.deepEqual(done.saasCounts, { ...emptyRunCounts(), created: 1, updated: 0, unchanged: 4, skipped: 0, filtered: 0, failed: 0 });
    assert.deepEqual(await getRun(db, queued.id), done);
  });

  test('illegal transitions are refused with a named error and change nothing', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'api', now: t0 });
    await assert.rejects(finishRun(db, run.id, { state: 'succeeded' }), (error: unknown) => {
      assert.ok(error instanceof IllegalRunTransitionError);
      assert.equal(error.from, 'queued');
      assert.equal(error.to, 'succeeded');
      assert.match(error.message, new RegExp(`run ${run.id} is queued and cannot become succeeded`));
      return true;
    });
    await startRun(db, run.id, { now: at(1) });
    await assert.rejects(startRun(db, run.id), IllegalRunTransitionError);
    await finishRun(db, run.id, { state: 'failed', error: 'NinjaOne answered 401', now: at(2) });
    await assert.rejects(
      finishRun(db, run.id, { state: 'succeeded' }),
      (error: unknown) => error instanceof IllegalRunTransitionError && error.from === 'failed',
    );
    const after = await getRun(db, run.id);
    assert.equal(after?.state, 'failed');
    assert.equal(after?.error, 'NinjaOne answered 401');
    assert.equal(after?.finishedAt, at(2).toISOString());
  });

  test('a queued run may fail without running; an unknown run is RunNotFoundError', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'schedule' });
    const failed = await finishRun(db, run.id, { state: 'failed', error: 'credential needs re-authorisation' });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.startedAt, null);
    await assert.rejects(startRun(db, 'no-such-run'), RunNotFoundError);
    await assert.rejects(heartbeat(db, 'no-such-run'), RunNotFoundError);
    await assert.rejects(requestCancel(db, 'no-such-run'), RunNotFoundError);
    assert.equal(await getRun(db, 'no-such-run'), null);
  });

  test('starting a second run of a busy integration is IntegrationBusyError', async () => {
    const store = await target.open();
    await addIntegration(store, 'i1');
    const first = await createRun(store.db, { integrationId: 'i1', integrationName: 'one', trigger: 'schedule' });
    const second = await createRun(store.db, { integrationId: 'i1', integrationName: 'one', trigger: 'manual' });
    await startRun(store.db, first.id);
    await assert.rejects(
      startRun(store.db, second.id),
      (error: unknown) => error instanceof IntegrationBusyError && error.integrationId === 'i1',
    );
    assert.equal((await getRun(store.db, second.id))?.state, 'queued');
    await finishRun(store.db, first.id, { state: 'succeeded' });
    assert.equal((await startRun(store.db, second.id)).state, 'running');
  });

  test('cancel: a queued run ends at once, a running one is asked through its heartbeat', async () => {
    const { db } = await target.open();
    const queued = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'manual' });
    const canceled = await requestCancel(db, queued.id, { now: at(5) });
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.finishedAt, at(5).toISOString());

    const run = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'manual' });
    await startRun(db, run.id, { now: at(1) });
    assert.deepEqual(await heartbeat(db, run.id, { now: at(2) }), { running: true, state: 'running', cancelRequested: false });
    const asked = await requestCancel(db, run.id);
    assert.equal(asked.state, 'running');
    assert.equal(asked.cancelRequested, true);
    assert.deepEqual(await heartbeat(db, run.id, { now: at(3) }), { running: true, state: 'running', cancelRequested: true });
    assert.equal((await getRun(db, run.id))?.heartbeatAt, at(3).toISOString());
    await finishRun(db, run.id, { state: 'canceled' });
    assert.deepEqual(await heartbeat(db, run.id), { running: false, state: 'canceled', cancelRequested: true });
    await assert.rejects(requestCancel(db, run.id), IllegalRunTransitionError);
  });

  test('listRuns: newest first, filtered by integration and state, paged with a cursor', async () => {
    const store = await target.open();
    const { db } = store;
    await addIntegration(store, 'a');
    await addIntegration(store, 'b');
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      // Two runs share each queue time, so the id decides their order and the cursor must use both.
      const run = await createRun(db, {
        integrationId: i % 2 === 0 ? 'a' : 'b',
        integrationName: 'n',
        trigger: 'schedule',
        now: at(Math.floor(i / 2)),
      });
      ids.push(run.id);
    }
    const all = await listRuns(db, { limit: 100 });
    assert.equal(all.length, 7);
    for (let i = 1; i < all.length; i += 1) {
      const [prev, cur] = [all[i - 1], all[i]];
      assert.ok(prev !== undefined && cur !== undefined);
      assert.ok(prev.queuedAt > cur.queuedAt || (prev.queuedAt === cur.queuedAt && prev.id > cur.id), 'newest first');
    }
    const paged = [];
    let before: string | undefined;
    for (;;) {
      const page = await listRuns(db, { limit: 3, ...(before === undefined ? {} : { before }) });
      paged.push(...page);
      if (page.length < 3) break;
      before = page.at(-1)?.id;
    }
    assert.deepEqual(
      paged.map((r) => r.id),
      all.map((r) => r.id),
    );

    const ofA = await listRuns(db, { integrationId: 'a', limit: 100 });
    assert.deepEqual(ofA.map((r) => r.id).sort(), ids.filter((_, i) => i % 2 === 0).sort());
    await startRun(db, ids[1] ?? '');
    assert.deepEqual(
      (await listRuns(db, { state: 'running', limit: 10 })).map((r) => r.id),
      [ids[1]],
    );
    assert.equal((await listRuns(db, { state: ['queued', 'running'], limit: 10 })).length, 7);
    assert.equal((await listRuns(db, { state: [], limit: 10 })).length, 0);
    await assert.rejects(listRuns(db, { limit: 3, before: 'gone' }), RunNotFoundError);
  });
});
