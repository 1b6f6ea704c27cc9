import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { addIntegration, addUser, openAlertsStore } from '../schedule/fixtures.test-support.ts';
import { listAlerts, raiseAlert, resolveAlert, resolveAlerts } from './alerts.ts';
import { listInbox, markAllRead, markRead, unreadCount } from './inbox.ts';
import { listOutbox } from './outbox.ts';

const at = (minutes: number): Date => new Date(Date.parse('2026-11-27T10:00:00Z') + minutes * 60_000);
const failed = (subjectId: string, occurrence: string) => ({
  subjectType: 'integration' as const,
  subjectId,
  subjectName: 'Staff',
  condition: 'run_failed' as const,
  message: `failed (${occurrence})`,
  occurrence,
});

forEachDialect('alerts and inbox', (target) => {
  test('one open alert per subject and condition; other conditions and subjects are separate', async () => {
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff' });
    assert.equal((await raiseAlert(db, failed(staff.id, 'r1'), at(0))).outcome, 'opened');
    assert.equal((await raiseAlert(db, failed(staff.id, 'r1'), at(1))).outcome, 'unchanged');
    const repeat = await raiseAlert(db, failed(staff.id, 'r2'), at(2));
    assert.equal(repeat.outcome, 'repeated');
    assert.equal(repeat.alert.count, 2);
    assert.equal(repeat.alert.message, 'failed (r2)');
    assert.equal(repeat.alert.openedAt, at(0).toISOString());
    assert.equal((await raiseAlert(db, { ...failed(staff.id, 'x'), condition: 'run_stuck' }, at(3))).outcome, 'opened');
    assert.equal((await raiseAlert(db, failed('other-integration', 'r1'), at(3))).outcome, 'opened');
    assert.equal((await listAlerts(db, { status: 'open' })).length, 3);
    assert.equal((await listAlerts(db, { subjectId: staff.id })).length, 2);
  });

  test('racing raisers still make one open alert', async () => {
    const options = await target.options();
    const first = await target.reopen(options);
    const db = first.db;
    const second = target.dialect === 'postgres' ? (await target.reopen(options)).db : first.db;
    const staff = await addIntegration(db, { name: 'Staff', contacts: ['it@acme.example'] });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => raiseAlert(i % 2 === 0 ? first.db : second, failed(staff.id, `r${i}`), at(0))),
    );
    assert.equal(outcomes.filter((o) => o.outcome === 'opened').length, 1);
    const [alert, ...more] = await listAlerts(db);
    assert.equal(more.length, 0);
    assert.equal(alert?.count, 8);
    assert.equal((await listOutbox(db)).length, 1, 'contacts told once');
  });

  test('resolving only covers alerts seen up to the given time, and tells contacts once', async () => {
    const db = await openAlertsStore(target);
    const userId = await addUser(db, 'it@acme.example');
    const staff = await addIntegration(db, { name: 'Staff', contacts: ['it@acme.example'] });
    await raiseAlert(db, failed(staff.id, 'r1'), at(10));
    assert.deepEqual(
      await resolveAlerts(db, { subjectType: 'integration', subjectId: staff.id, seenUpTo: at(5).toISOString() }, at(11)),
      [],
    );
    const [resolved] = await resolveAlerts(db, { subjectType: 'integration', subjectId: staff.id, seenUpTo: at(10).toISOString() }, at(12));
    assert.equal(resolved?.resolvedAt, at(12).toISOString());
    assert.deepEqual(await resolveAlerts(db, { subjectType: 'integration', subjectId: staff.id }, at(13)), []);
    assert.deepEqual(
      (await listInbox(db, userId)).map((n) => [n.kind, n.title]),
      [
        ['recovered', 'Recovered: Staff — a run failed'],
        ['alert', 'Staff: a run failed'],
      ],
    );
    // Resolved by hand: no "recovered" message.
    const opened = await raiseAlert(db, failed(staff.id, 'r2'), at(20));
    assert.equal((await resolveAlert(db, opened.alert.id, at(21)))?.id, opened.alert.id);
    assert.equal(await resolveAlert(db, opened.alert.id, at(22)), null);
    assert.equal((await listInbox(db, userId)).length, 3);
  });

  test("the inbox: unread count, mark read, mark all read, and only one's own", async () => {
    const db = await openAlertsStore(target);
    const ann = await addUser(db, 'ann@acme.example');
    const bob = await addUser(db, 'bob@acme.example');
    const staff = await addIntegration(db, { name: 'Staff', contacts: ['ann@acme.example', 'bob@acme.example'] });
    await raiseAlert(db, failed(staff.id, 'r1'), at(0));
    await raiseAlert(db, { ...failed(staff.id, 'r1'), condition: 'run_stuck' }, at(1));
    await raiseAlert(db, { ...failed(staff.id, 'r1'), condition: 'schedule_missed' }, at(2));
    assert.equal(await unreadCount(db, ann), 3);
    const [newest, middle] = await listInbox(db, ann);
    assert.ok(newest && middle);
    assert.equal(newest.createdAt, at(2).toISOString());
    assert.equal(newest.link, `/integrations/${staff.id}`);

    assert.equal(await markRead(db, bob, newest.id, at(3)), false, "Bob cannot mark Ann's notification");
    assert.equal(await markRead(db, ann, newest.id, at(3)), true);
    assert.equal(await markRead(db, ann, newest.id, at(4)), true);
    assert.equal((await listInbox(db, ann))[0]?.readAt, at(3).toISOString(), 'the first read time stays');
    assert.equal(await unreadCount(db, ann), 2);
    assert.deepEqual((await listInbox(db, ann, { unreadOnly: true })).map((n) => n.id).includes(newest.id), false);
    assert.equal(await markAllRead(db, ann, at(5)), 2);
    assert.equal(await unreadCount(db, ann), 0);
    assert.equal(await unreadCount(db, bob), 3);
  });
});
