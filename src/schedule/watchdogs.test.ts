import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { listAlerts } from '../notifications/alerts.ts';
import { listInbox } from '../notifications/inbox.ts';
import { listOutbox } from '../notifications/outbox.ts';
import { failStaleRuns } from '../runs/claim.ts';
import { createRun, finishRun, startRun } from '../runs/run-store.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { addCredential, addIntegration, addUser, openAlertsStore } from './fixtures.test-support.ts';
import { planDueRuns } from './plan-due-runs.ts';
import { alertsForFinishedRun, applyWatchdogFindings, runWatchdogs } from './watchdogs.ts';

import type { RunCounts } from '../sync/ports.ts';

type Db = Awaited<ReturnType<typeof openAlertsStore>>;

const counts = (ok: number, failed: number): RunCounts => ({ ...emptyRunCounts(), unchanged: ok, failed });
const at = (minutes: number): Date => new Date(Date.parse('2026-11-27T10:00:00Z') + minutes * 60_000);

async function finishedRun(
  db: Db,
  integration: { id: string; name: string },
  minute: number,
  outcome: { state: 'succeeded' | 'failed' | 'completed_with_errors'; ok?: number; failed?: number; error?: string },
) {
  const run = await createRun(db, {
    integrationId: integration.id,
    integrationName: integration.name,
    trigger: 'schedule',
    now: at(minute),
  });
  await startRun(db, run.id, { workerId: 'w', now: at(minute) });
  return finishRun(db, run.id, {
    state: outcome.state,
    counts: counts(outcome.ok ?? 100, outcome.failed ?? 0),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    now: at(minute + 1),
  });
}

async function watch(db: Db, minute: number, options = {}) {
  return applyWatchdogFindings(db, await runWatchdogs(db, at(minute), options), at(minute), { publicUrl: 'https://sync.acme.example' });
}

forEachDialect('watchdogs', (target) => {
  test('a failed run opens one alert; repeats update it; the next success resolves it and says so once', async () => {
    const db = await openAlertsStore(target);
    const userId = await addUser(db, 'ops@acme.example');
    const staff = await addIntegration(db, { name: 'Staff', contacts: ['ops@acme.example', 'pager@acme.example'] });

    const first = await finishedRun(db, staff, 0, {
      state: 'failed',
      error: 'NinjaOne answered 401 for GET /v2/users: check the credential',
    });
    assert.deepEqual(await watch(db, 5), { opened: 1, repeated: 0, resolved: 0 });
    assert.deepEqual(await watch(db, 6), { opened: 0, repeated: 0, resolved: 0 }, 'the same failed run counts once');
    let [alert, ...others] = await listAlerts(db, { status: 'open' });
    assert.equal(others.length, 0);
    assert.equal(alert?.condition, 'run_failed');
    assert.equal(alert?.runId, first.id);
    assert.equal(alert?.count, 1);
    assert.equal(alert?.error, 'NinjaOne answered 401 for GET /v2/users: check the credential');

    const second = await finishedRun(db, staff, 10, { state: 'failed', error: 'NinjaOne answered 503' });
    await alertsForFinishedRun(db, second, at(11), { publicUrl: 'https://sync.acme.example' });
    [alert, ...others] = await listAlerts(db, { status: 'all' });
    assert.equal(others.length, 0, 'still one alert');
    assert.equal(alert?.count, 2);
    assert.equal(alert?.runId, second.id);
    assert.equal(alert?.error, 'NinjaOne answered 503');
    assert.equal(alert?.lastSeenAt, at(11).toISOString());
    assert.equal((await listInbox(db, userId)).length, 1, 'a repeat tells nobody again');
    assert.equal((await listOutbox(db)).length, 2);

    await finishedRun(db, staff, 20, { state: 'succeeded' });
    assert.deepEqual(await watch(db, 25), { opened: 0, repeated: 0, resolved: 1 });
    assert.deepEqual(await watch(db, 26), { opened: 0, repeated: 0, resolved: 0 });
    assert.equal((await listAlerts(db, { status: 'open' })).length, 0);
    assert.equal((await listAlerts(db, { status: 'resolved' }))[0]?.resolvedAt, at(25).toISOString());
    const inbox = await listInbox(db, userId);
    assert.deepEqual(
      inbox.map((n) => n.kind),
      ['recovered', 'alert'],
    );
    const mails = await listOutbox(db);
    assert.equal(mails.length, 4);
    assert.equal(mails.filter((m) => m.subject.startsWith('[ninja-sync] Recovered: Staff')).length, 2);

    await finishedRun(db, staff, 30, { state: 'failed', error: 'again' });
    assert.deepEqual(await watch(db, 35), { opened: 1, repeated: 0, resolved: 0 }, 'a failure after recovery is a new alert');
  });

  test('completed with errors alerts only past the share of failed records (default 10%)', async () => {
    const db = await openAlertsStore(target);
    const few = await addIntegration(db, { name: 'Few errors' });
    const many = await addIntegration(db, { name: 'Many errors' });
    await finishedRun(db, few, 0, { state: 'completed_with_errors', ok: 95, failed: 5 });
    await finishedRun(db, many, 0, { state: 'completed_with_errors', ok: 85, failed: 15 });
    await watch(db, 5);
    const alerts = await listAlerts(db, { status: 'open' });
    assert.deepEqual(
      alerts.map((a) => a.subjectName),
      ['Many errors'],
    );
    assert.match(alerts[0]!.message, /15 of 100 records failed \(15%, more than the 10% allowed\)/);
    await watch(db, 6);
    assert.equal((await applyWatchdogFindings(db, await runWatchdogs(db, at(7), { errorShare: 0.2 }), at(7))).opened, 0);
  });

  test('a run not finished within 24 h (configurable) is an alert; its success resolves it', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff' });
    const run = await createRun(db, { integrationId: staff.id, integrationName: 'Staff', trigger: 'schedule', now: at(0) });
    await startRun(db, run.id, { now: at(0) });
    assert.equal((await watch(db, 23 * 60)).opened, 0);
    assert.equal((await watch(db, 23 * 60, { maxRunMs: 12 * 3_600_000 })).opened, 1);
    assert.equal((await watch(db, 25 * 60)).opened, 0, 'the same run stays one alert');
    const [alert] = await listAlerts(db, { status: 'open' });
    assert.equal(alert?.condition, 'run_stuck');
    assert.match(alert.message, /has not finished after 12 h/);
    await finishRun(db, run.id, { state: 'succeeded', counts: counts(10, 0), now: at(26 * 60) });
    assert.equal((await watch(db, 26 * 60 + 1)).resolved, 1);
  });

  test('a worker that died: its run is failed by the stale-run check and alerted as failed', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff' });
    const run = await createRun(db, { integrationId: staff.id, integrationName: 'Staff', trigger: 'schedule', now: at(0) });
    await startRun(db, run.id, { now: at(0) });
    await failStaleRuns(db, at(5), { now: at(10) });
    await watch(db, 10);
    const [alert] = await listAlerts(db, { status: 'open' });
    assert.equal(alert?.condition, 'run_failed');
    assert.match(alert.error ?? '', /stopped sending heartbeats/);
  });

  test('a scheduled run not started within the grace period: queued but unclaimed, or never queued', async () => {
    const db = await openAlertsStore(target);
    const queued = await addIntegration(db, { name: 'Queued', schedule: { daily: '10:00', timezone: 'UTC' } });
    const unplanned = await addIntegration(db, { name: 'Unplanned', schedule: { daily: '10:00', timezone: 'UTC' } });
    await planDueRuns(db, new Date('2026-11-26T12:00:00Z'));
    // Only Queued gets planned (as if the planner ran for it), at 10:00; no worker takes it.
    await db
      .updateTable('schedule_state')
      .set({ next_run_at: '2026-11-28T10:00:00.000Z' })
      .where('integration_id', '=', queued.id)
      .execute();
    await createRun(db, { integrationId: queued.id, integrationName: 'Queued', trigger: 'schedule', now: at(0) });
    assert.equal((await watch(db, 14)).opened, 0, 'within 15 minutes nothing is late yet');
    assert.equal((await watch(db, 16)).opened, 2);
    const alerts = await listAlerts(db, { status: 'open' });
    const byName = new Map(alerts.map((a) => [a.subjectName, a]));
    assert.equal(byName.get('Queued')?.condition, 'schedule_missed');
    assert.match(byName.get('Queued')!.message, /queued at 2026-11-27T10:00:00.000Z and no worker has taken it within 15 min/);
    assert.match(byName.get('Unplanned')!.message, /due at 2026-11-27T10:00:00.000Z and was never queued/);
    assert.equal(byName.get('Unplanned')?.subjectId, unplanned.id);
  });

  test('a credential that needs re-authorisation alerts the contacts of the integrations using it, until it is active again', async () => {
    const db = await openAlertsStore(target);
    const adminId = await addUser(db, 'admin@acme.example', 'admin');
    const credentialId = await addCredential(db, 'ninja', 'needs_reauth');
    await addIntegration(db, { name: 'Staff', credential: 'ninja', contacts: ['it@acme.example'] });
    await addIntegration(db, { name: 'Other', credential: 'other', contacts: ['else@acme.example'] });
    await watch(db, 0);
    const [alert] = await listAlerts(db, { status: 'open' });
    assert.equal(alert?.subjectType, 'credential');
    assert.equal(alert?.subjectId, credentialId);
    assert.equal(alert?.condition, 'credential_needs_reauth');
    assert.deepEqual(
      (await listOutbox(db)).map((m) => m.to),
      ['it@acme.example'],
    );
    assert.equal((await listInbox(db, adminId)).length, 0, 'named contacts exist, so admins are not added');
    await db.updateTable('credentials').set({ status: 'active' }).where('id', '=', credentialId).execute();
    assert.equal((await watch(db, 5)).resolved, 1);
    assert.deepEqual(
      (await listOutbox(db)).map((m) => m.subject),
      [
        '[ninja-sync] ninja: the NinjaOne credential needs to be authorised again',
        '[ninja-sync] Recovered: ninja — the NinjaOne credential needs to be authorised again',
      ],
    );
  });

  test('with no contacts named, the admins hear about it in the inbox', async () => {
    const db = await openAlertsStore(target);
    const adminId = await addUser(db, 'admin@acme.example', 'admin');
    const viewerId = await addUser(db, 'viewer@acme.example', 'viewer');
    const staff = await addIntegration(db, { name: 'Staff' });
    await finishedRun(db, staff, 0, { state: 'failed', error: 'boom' });
    await watch(db, 5);
    assert.equal((await listInbox(db, adminId)).length, 1);
    assert.equal((await listInbox(db, viewerId)).length, 0);
    assert.equal((await listOutbox(db)).length, 0);
  });
});
