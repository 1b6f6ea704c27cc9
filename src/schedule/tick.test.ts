import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { startSmtpServer } from '../../test/support/smtp.ts';
import { createAppUser } from '../accounts/users.ts';
import { listAlerts } from '../notifications/alerts.ts';
import { listInbox } from '../notifications/inbox.ts';
import { createMailer } from '../notifications/mailer.ts';
import { listOutbox } from '../notifications/outbox.ts';
import { claimNextRun } from '../runs/claim.ts';
import { createRun, finishRun, heartbeat, listRuns } from '../runs/run-store.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { addIntegration, openAlertsStore, testClock } from './fixtures.test-support.ts';
import { schedulerTick } from './tick.ts';

const publicUrl = 'https://sync.acme.example';
const counts = { ...emptyRunCounts(), created: 1, updated: 2, unchanged: 50, skipped: 0, filtered: 0, failed: 0 };

forEachDialect('schedulerTick', (target) => {
  test("a day of a scheduled integration: queued on time, a dead worker's run failed and alerted by e-mail, the next success recovers", async (t) => {
    const smtp = await startSmtpServer();
    t.after(() => smtp.close());
    const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'ninja-sync@acme.example' }, { timeoutMs: 5000 });
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    const clock = testClock('2026-11-27T12:00:00Z');
    const staff = await addIntegration(db, {
      name: 'Staff',
      schedule: { daily: '02:00', timezone: 'Europe/Berlin' },
      contacts: ['it@acme.example'],
    });
    const tick = () => schedulerTick(db, clock.now(), { mailer, notify: { publicUrl }, staleAfterMs: 5 * 60_000 });

    assert.equal((await tick()).plan?.queued.length, 0);
    clock.set('2026-11-28T01:00:10Z');
    const due = await tick();
    assert.deepEqual(due.errors, []);
    assert.equal(due.plan?.queued.length, 1);
    const run = await claimNextRun(db, 'worker-1', { now: clock.now() });
    assert.equal(run?.integrationId, staff.id);
    // The worker is killed: no heartbeat after this one.
    clock.advance(60_000);
    await heartbeat(db, run.id, { now: clock.now() });
    clock.advance(10 * 60_000);
    const dead = await tick();
    assert.deepEqual(
      dead.staleRuns.map((r) => r.id),
      [run.id],
    );
    assert.deepEqual(dead.alerts, { opened: 1, repeated: 0, resolved: 0 });
    assert.equal(dead.email?.sent, 1);
    const [mail] = await smtp.waitForMessages(1);
    assert.equal(mail?.subject, '[ninja-sync] Staff: a run failed');
    assert.match(mail.text, /stopped sending heartbeats/);
    assert.match(mail.text, new RegExp(`${publicUrl}/runs/${run.id}`));

    clock.set('2026-11-29T01:00:05Z');
    assert.equal((await tick()).plan?.queued.length, 1);
    const next = await claimNextRun(db, 'worker-2', { now: clock.now() });
    clock.advance(4 * 60_000);
    await finishRun(db, next!.id, { state: 'succeeded', counts, now: clock.now() });
    const recovered = await tick();
    assert.deepEqual(recovered.alerts, { opened: 0, repeated: 0, resolved: 1 });
    assert.equal((await smtp.waitForMessages(2))[1]?.subject, '[ninja-sync] Recovered: Staff — a run failed');
    assert.equal((await tick()).email?.sent, 0, 'said once');
    assert.equal((await listRuns(db, { integrationId: staff.id, limit: 10 })).length, 2);
  });

  test('a dry run whose worker died tells the person who started it in the inbox, as its worker would have', async () => {
    const db = await openAlertsStore(target);
    const clock = testClock('2026-11-27T12:00:00Z');
    const staff = await addIntegration(db, { name: 'Staff' });
    const person = await createAppUser(
      db,
      { email: 'ana@acme.example', name: 'Ana', role: 'admin', password: 'a long enough password' },
      clock.now(),
    );
    const queued = await createRun(db, {
      integrationId: staff.id,
      integrationName: 'Staff',
      trigger: 'manual',
      dryRun: true,
      now: clock.now(),
      startedBy: { words: 'ana@acme.example', userId: person.id },
    });
    const run = await claimNextRun(db, 'worker-1', { now: clock.now() });
    assert.equal(run?.id, queued.id);
    assert.equal((await listInbox(db, person.id)).length, 0);
    clock.advance(10 * 60_000);
    const dead = await schedulerTick(db, clock.now(), { staleAfterMs: 5 * 60_000 });
    assert.deepEqual(dead.errors, []);
    assert.deepEqual(
      dead.staleRuns.map((r) => r.id),
      [queued.id],
    );
    const inbox = await listInbox(db, person.id);
    assert.deepEqual(
      inbox.map((n) => [n.title, n.link]),
      [['Staff: the dry run failed', `/runs/${queued.id}`]],
    );
    assert.match(inbox[0]!.body, /heartbeat/);
  });

  test('with the mail server down, runs are still planned and alerts raised; the e-mail waits for a retry', async (t) => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const mailer = createMailer(
      {
        smtpUrl: `smtp://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
        smtpFrom: 'ninja-sync@acme.example',
      },
      { timeoutMs: 2000 },
    );
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    const clock = testClock('2026-11-27T12:00:00Z');
    await addIntegration(db, { name: 'Staff', schedule: { every: '1h', timezone: 'UTC' }, contacts: ['it@acme.example'] });
    await schedulerTick(db, clock.now(), { mailer });
    clock.set('2026-11-27T15:30:00Z'); // down since 13:00: missed
    const result = await schedulerTick(db, clock.now(), { mailer, notify: { publicUrl } });
    assert.deepEqual(result.errors, []);
    assert.equal(result.plan?.queued.length, 1, 'one catch-up run');
    assert.equal((await listAlerts(db, { status: 'open' }))[0]?.condition, 'schedule_missed');
    assert.deepEqual(result.email, { sent: 0, retrying: 1, failed: 0 });
    const [waiting] = await listOutbox(db);
    assert.equal(waiting?.status, 'pending');
    assert.match(waiting?.lastError ?? '', /ECONNREFUSED/);
  });

  test('without a mailer only the inbox is written; nothing piles up in the outbox', async () => {
    const db = await openAlertsStore(target);
    const clock = testClock('2026-11-27T12:00:00Z');
    await addIntegration(db, { name: 'Staff', schedule: { every: '1h', timezone: 'UTC' }, contacts: ['it@acme.example'] });
    await schedulerTick(db, clock.now());
    clock.set('2026-11-27T15:30:00Z');
    const result = await schedulerTick(db, clock.now(), { mailer: null });
    assert.equal(result.email, null);
    assert.equal((await listAlerts(db, { status: 'open' })).length, 1);
    assert.equal((await listOutbox(db)).length, 0);
  });
});
