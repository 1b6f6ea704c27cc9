import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../../../test/support/api-client.ts';
import { forEachDialect } from '../../../test/support/databases.ts';
import { startRoutesServer } from '../../../test/support/server.ts';
import { raiseAlert, resolveAlerts } from '../../notifications/alerts.ts';
import { addIntegration, testClock } from '../../schedule/fixtures.test-support.ts';
import { registerNotificationRoutes } from './notifications.ts';

forEachDialect('notification routes', (target) => {
  test('the inbox of the signed-in person with unread count and mark read; alerts filtered by status', async (t) => {
    const clock = testClock('2026-11-27T12:00:00Z');
    const server = await startRoutesServer(target, [registerNotificationRoutes], clock.now);
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal(
      (await admin.post('/api/setup', { email: 'admin@acme.example', name: 'Admin', password: 'a long enough passphrase 42' })).status,
      201,
    );
    const viewerCreated = await admin.post('/api/users', {
      email: 'viewer@acme.example',
      name: 'Viewer',
      role: 'viewer',
      password: 'another long passphrase 43',
    });
    assert.equal(viewerCreated.status, 201, viewerCreated.text);
    const viewer = apiClient(server.url);
    assert.equal((await viewer.post('/api/session', { email: 'viewer@acme.example', password: 'another long passphrase 43' })).status, 200);

    const staff = await addIntegration(server.db, { name: 'Staff', contacts: ['admin@acme.example'] });
    const other = await addIntegration(server.db, { name: 'Other', contacts: ['admin@acme.example'] });
    await raiseAlert(
      server.db,
      {
        subjectType: 'integration',
        subjectId: staff.id,
        subjectName: 'Staff',
        condition: 'run_failed',
        message: 'The run failed.',
        error: 'boom',
        runId: 'run-1',
        occurrence: 'run-1',
      },
      clock.now(),
    );
    clock.advance(60_000);
    await raiseAlert(
      server.db,
      {
        subjectType: 'integration',
        subjectId: other.id,
        subjectName: 'Other',
        condition: 'run_stuck',
        message: 'Still running.',
        occurrence: 'run-2',
      },
      clock.now(),
    );
    clock.advance(60_000);
    await resolveAlerts(server.db, { subjectType: 'integration', subjectId: other.id }, clock.now());

    const inbox = await admin.get('/api/notifications');
    assert.equal(inbox.status, 200, inbox.text);
    assert.equal(inbox.body.unreadCount, 3);
    assert.deepEqual(
      inbox.body.notifications.map((n: any) => n.title),
      ['Recovered: Other — a run has not finished', 'Other: a run has not finished', 'Staff: a run failed'],
    );
    assert.equal(inbox.body.notifications[2].link, '/runs/run-1');
    assert.deepEqual((await viewer.get('/api/notifications')).body, { notifications: [], unreadCount: 0 });

    const first = inbox.body.notifications[2].id;
    assert.equal((await viewer.post(`/api/notifications/${first}/read`)).status, 404, "not the viewer's");
    assert.equal((await admin.post(`/api/notifications/${first}/read`)).status, 204);
    const unread = await admin.get('/api/notifications?unreadOnly=true');
    assert.equal(unread.body.unreadCount, 2);
    assert.equal(unread.body.notifications.length, 2);
    assert.deepEqual((await admin.post('/api/notifications/read-all')).body, { marked: 2 });
    assert.equal((await admin.get('/api/notifications')).body.unreadCount, 0);

    const open = await viewer.get('/api/alerts');
    assert.equal(open.status, 200, open.text);
    assert.deepEqual(
      open.body.alerts.map((a: any) => [a.subjectName, a.condition, a.error]),
      [['Staff', 'run_failed', 'boom']],
    );
    const resolved = await viewer.get('/api/alerts?status=resolved');
    assert.deepEqual(
      resolved.body.alerts.map((a: any) => a.subjectName),
      ['Other'],
    );
    assert.equal((await viewer.get('/api/alerts?status=all')).body.alerts.length, 2);

    const token = await admin.post('/api/tokens', { name: 'script', role: 'viewer' });
    const script = apiClient(server.url, { bearer: token.body.token });
    const noInbox = await script.get('/api/notifications');
    assert.equal(noInbox.status, 403);
    assert.equal(noInbox.body.error.code, 'no_inbox');
    assert.equal((await script.get('/api/alerts')).status, 200);
    assert.equal((await apiClient(server.url).get('/api/alerts')).status, 401);
  });
});
