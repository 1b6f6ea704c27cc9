import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../../../test/support/api-client.ts';
import { forEachDialect } from '../../../test/support/databases.ts';
import { startRoutesServer } from '../../../test/support/server.ts';
import { addIntegration, testClock } from '../../schedule/fixtures.test-support.ts';
import { registerScheduleRoutes } from './schedule.ts';

forEachDialect('schedule routes', (target) => {
  test("an integration's schedule, a preview while editing, and the catch-up setting", async (t) => {
    const clock = testClock('2026-11-27T12:00:00Z');
    const server = await startRoutesServer(target, [registerScheduleRoutes], clock.now);
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal(
      (await admin.post('/api/setup', { email: 'admin@acme.example', name: 'Admin', password: 'a long enough passphrase 42' })).status,
      201,
    );
    const staff = await addIntegration(server.db, { name: 'Staff', schedule: { daily: '02:00', timezone: 'Europe/Berlin' } });

    const shown = await admin.get(`/api/integrations/${staff.id}/schedule`);
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.body.description, 'every day at 02:00 (Europe/Berlin)');
    assert.equal(shown.body.nextRuns.length, 5);
    assert.deepEqual(shown.body.nextRuns[0], { at: '2026-11-28T01:00:00.000Z', words: 'tomorrow at 02:00' });
    assert.match(shown.body.summary, /^next: tomorrow at 02:00, then Sun 29 Nov at 02:00/);
    assert.equal(shown.body.catchUp, 'once');

    const set = await admin.put(`/api/integrations/${staff.id}/catch-up`, { catchUp: 'skip' });
    assert.equal(set.status, 200, set.text);
    assert.equal((await admin.get(`/api/integrations/${staff.id}/schedule`)).body.catchUp, 'skip');
    assert.equal((await admin.get('/api/integrations/nope/schedule')).status, 404);

    const preview = await admin.post('/api/schedules/preview', { every: '6h', timezone: 'America/New_York' });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.description, 'every 6 hours, at 00:00, 06:00, 12:00 and 18:00 (America/New_York)');
    assert.deepEqual(preview.body.nextRuns[0], { at: '2026-11-27T17:00:00.000Z', words: 'today at 12:00' });

    const badZone = await admin.post('/api/schedules/preview', { daily: '02:00', timezone: 'Europe/Berlln' });
    assert.equal(badZone.status, 400);
    assert.equal(badZone.body.error.code, 'validation_failed');
    assert.equal(badZone.body.error.details.fields[0].path, 'timezone');
    assert.match(badZone.body.error.message, /"Europe\/Berlln" is not a known time zone; use an IANA name/);
    const badCron = await admin.post('/api/schedules/preview', { cron: '0 25 * * *', timezone: 'UTC' });
    assert.equal(badCron.status, 400);
    assert.equal(badCron.body.error.details.fields[0].path, 'cron');
    const badShape = await admin.post('/api/schedules/preview', { daily: '2am', timezone: 'UTC' });
    assert.equal(badShape.status, 400);
  });
});
