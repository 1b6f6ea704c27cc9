import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { listAlerts } from '../notifications/alerts.ts';
import { listOutbox } from '../notifications/outbox.ts';
import { claimNextRun } from '../runs/claim.ts';
import { createRun, listRuns } from '../runs/run-store.ts';
import { addIntegration, openAlertsStore } from './fixtures.test-support.ts';
import { planDueRuns } from './plan-due-runs.ts';
import { getScheduleState, setCatchUp } from './schedule-state.ts';

const berlinDaily = { daily: '02:00', timezone: 'Europe/Berlin' };

forEachDialect('planDueRuns', (target) => {
  test('a due schedule becomes exactly one queued run, and next_run_at moves to the next day', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: berlinDaily });

    const before = await planDueRuns(db, new Date('2026-11-27T12:00:00Z'));
    assert.equal(before.queued.length, 0);
    assert.equal((await getScheduleState(db, staff.id))?.nextRunAt, '2026-11-28T01:00:00.000Z');

    const due = await planDueRuns(db, new Date('2026-11-28T01:00:20Z'));
    assert.equal(due.queued.length, 1);
    assert.equal(due.queued[0]?.trigger, 'schedule');
    assert.equal(due.queued[0]?.integrationId, staff.id);
    assert.equal(due.missed.length, 0);
    const again = await planDueRuns(db, new Date('2026-11-28T01:00:50Z'));
    assert.equal(again.queued.length, 0);

    const state = await getScheduleState(db, staff.id);
    assert.equal(state?.nextRunAt, '2026-11-29T01:00:00.000Z');
    assert.equal(state?.lastScheduledAt, '2026-11-28T01:00:00.000Z');
    assert.equal(state?.lastRunId, due.queued[0]?.id);
    assert.equal((await listRuns(db, { integrationId: staff.id, limit: 10 })).length, 1);
    assert.equal((await listAlerts(db)).length, 0, 'an on-time run raises nothing');
  });

  test('a schedule saved just before its time runs even when the first tick sees it just after', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: berlinDaily, now: new Date('2026-11-28T00:59:50Z') });
    const due = await planDueRuns(db, new Date('2026-11-28T01:00:05Z'));
    assert.equal(due.queued.length, 1, 'the 02:00 Berlin run of the day it was saved');
    assert.equal(due.missed.length, 0);
    assert.equal((await getScheduleState(db, staff.id))?.nextRunAt, '2026-11-29T01:00:00.000Z');
    // Saved long ago and seen only now (the server was off): counted from the grace window, not
    // from the save, so nothing invents a missed run for a schedule nobody was running.
    const old = await addIntegration(db, { name: 'Old', schedule: berlinDaily, now: new Date('2026-11-01T00:00:00Z') });
    const later = await planDueRuns(db, new Date('2026-11-28T12:00:00Z'));
    assert.equal(later.queued.length, 0);
    assert.equal(later.missed.length, 0);
    assert.equal((await getScheduleState(db, old.id))?.nextRunAt, '2026-11-29T01:00:00.000Z');
  });

  test('a due integration with a run still queued gets no second one', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: { every: '30m', timezone: 'UTC' } });
    await planDueRuns(db, new Date('2026-11-27T12:00:00Z'));
    assert.equal((await planDueRuns(db, new Date('2026-11-27T12:30:05Z'))).queued.length, 1);
    assert.equal((await planDueRuns(db, new Date('2026-11-27T13:00:05Z'))).queued.length, 0);
    assert.equal((await listRuns(db, { integrationId: staff.id, limit: 10 })).length, 1);
    assert.equal((await getScheduleState(db, staff.id))?.nextRunAt, '2026-11-27T13:30:00.000Z');
  });

  test('disabled integrations are not run; a changed schedule gets a new next time', async () => {
    const db = await openAlertsStore(target);
    const off = await addIntegration(db, { name: 'Off', schedule: berlinDaily, enabled: false });
    const changed = await addIntegration(db, { name: 'Changed', schedule: berlinDaily });
    await planDueRuns(db, new Date('2026-11-27T12:00:00Z'));
    assert.equal((await getScheduleState(db, off.id))?.nextRunAt, null);
    const document = JSON.parse(
      (await db.selectFrom('integrations').select('document').where('id', '=', changed.id).executeTakeFirstOrThrow()).document,
    );
    document.schedule = { every: '6h', timezone: 'UTC' };
    await db
      .updateTable('integrations')
      .set({ document: JSON.stringify(document) })
      .where('id', '=', changed.id)
      .execute();
    const result = await planDueRuns(db, new Date('2026-11-27T13:00:00Z'));
    assert.equal(result.queued.length, 0);
    assert.equal((await getScheduleState(db, changed.id))?.nextRunAt, '2026-11-27T18:00:00.000Z');
  });

  test('a bad schedule is reported with its field, and the others still run', async () => {
    const db = await openAlertsStore(target);
    await addIntegration(db, { name: 'Broken', schedule: { cron: '0 3 * * 1-5', timezone: 'Mars/Olympus' } });
    const fine = await addIntegration(db, { name: 'Fine', schedule: { every: '1h', timezone: 'UTC' } });
    await planDueRuns(db, new Date('2026-11-27T12:10:00Z'));
    const result = await planDueRuns(db, new Date('2026-11-27T13:00:01Z'));
    assert.deepEqual(
      result.queued.map((r) => r.integrationId),
      [fine.id],
    );
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!.message, /schedule\.timezone: "Mars\/Olympus" is not a known time zone/);
  });

  test('a run missed while everything was down is reported once and run once (catch-up "once")', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: berlinDaily, contacts: ['it@acme.example'] });
    await planDueRuns(db, new Date('2026-11-27T12:00:00Z')); // next: 28 Nov 01:00Z
    // Down from then until 30 Nov 09:00Z: the 28th, 29th and 30th were missed.
    const result = await planDueRuns(db, new Date('2026-11-30T09:00:00Z'));
    assert.equal(result.queued.length, 1);
    assert.deepEqual(result.missed, [
      { integrationId: staff.id, dueAt: '2026-11-28T01:00:00.000Z', occurrences: 3, catchUpRunId: result.queued[0]!.id },
    ]);
    const [alert, ...more] = await listAlerts(db, { status: 'open' });
    assert.equal(more.length, 0);
    assert.equal(alert?.condition, 'schedule_missed');
    assert.match(
      alert.message,
      /^Scheduled run did not start: 3 runs due from 2026-11-28T01:00:00.000Z did not start.*One catch-up run was queued/,
    );
    assert.equal((await listOutbox(db, { to: 'it@acme.example' })).length, 1);

    const later = await planDueRuns(db, new Date('2026-11-30T09:05:00Z'));
    assert.equal(later.queued.length, 0);
    assert.equal((await listRuns(db, { integrationId: staff.id, limit: 10 })).length, 1);
    assert.equal((await getScheduleState(db, staff.id))?.nextRunAt, '2026-12-01T01:00:00.000Z');
  });

  test('with catch-up "skip" a missed run is reported but not run; a slightly late one still runs', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: berlinDaily });
    await setCatchUp(db, staff.id, 'skip', new Date('2026-11-27T12:00:00Z'));
    assert.equal((await getScheduleState(db, staff.id))?.catchUp, 'skip');
    const missed = await planDueRuns(db, new Date('2026-11-28T03:00:00Z'));
    assert.equal(missed.queued.length, 0);
    assert.equal(missed.missed[0]?.catchUpRunId, null);
    assert.match((await listAlerts(db))[0]!.message, /No catch-up run was queued \(catch-up: skip\)/);
    // Ten minutes late is within the 15-minute grace: an ordinary run, no alert.
    const late = await planDueRuns(db, new Date('2026-11-29T01:10:00Z'));
    assert.equal(late.queued.length, 1);
    assert.equal(late.missed.length, 0);
  });

  test('two planners at once queue each due run exactly once', async () => {
    const options = await target.options();
    const first = await target.reopen(options);
    const db = first.db;
    // SQLite allows one handle per file per process; there the two planners share it.
    const second = target.dialect === 'postgres' ? (await target.reopen(options)).db : first.db;
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1)
      ids.push((await addIntegration(db, { name: `Integration ${i}`, schedule: { every: '1h', timezone: 'UTC' } })).id);
    await planDueRuns(db, new Date('2026-11-27T12:10:00Z'));
    for (let round = 0; round < 3; round += 1) {
      const at = new Date(Date.parse('2026-11-27T13:00:01Z') + round * 3_600_000);
      const [a, b] = await Promise.all([planDueRuns(first.db, at), planDueRuns(second, at)]);
      assert.equal(a.problems.length + b.problems.length, 0, JSON.stringify([a.problems, b.problems]));
      assert.equal(a.queued.length + b.queued.length, 20, `round ${round}: each due integration queued once`);
      // Workers take this round's runs, so the next round is not coalesced into them.
      for (let i = 0; i < 20; i += 1) {
        const run = await claimNextRun(db, 'w', { now: at });
        assert.ok(run);
        await db.updateTable('runs').set({ state: 'succeeded', finished_at: at.toISOString() }).where('id', '=', run.id).execute();
      }
    }
    const runs = await db.selectFrom('runs').select(['integration_id']).execute();
    assert.equal(runs.length, 60);
    for (const id of ids) assert.equal(runs.filter((r) => r.integration_id === id).length, 3);
  });

  test('a run created by hand does not count as the scheduled one', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff', schedule: { every: '1h', timezone: 'UTC' } });
    await planDueRuns(db, new Date('2026-11-27T12:10:00Z'));
    const manual = await createRun(db, {
      integrationId: staff.id,
      integrationName: 'Staff',
      trigger: 'manual',
      now: new Date('2026-11-27T12:20:00Z'),
    });
    await claimNextRun(db, 'w', { now: new Date('2026-11-27T12:20:00Z') });
    const result = await planDueRuns(db, new Date('2026-11-27T13:00:01Z'));
    assert.equal(result.queued.length, 1);
    assert.notEqual(result.queued[0]?.id, manual.id);
  });
});
