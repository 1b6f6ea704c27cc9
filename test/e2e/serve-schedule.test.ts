/**
 * `ninja-sync serve` on the embedded default runs scheduled syncs by itself, with no other process:
 * time comes from a test clock; when a scheduled run fails, the integration's contacts hear about
 * it in the app and by e-mail (a real SMTP server on loopback), and the next success resolves it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';
import { startSmtpServer } from '../support/smtp.ts';
import { addClientCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

const password = 'correct horse battery staple';

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, debug?: () => Promise<unknown>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`gave up waiting: ${what}${debug ? ': ' + JSON.stringify(await debug()) : ''}`);
}

async function scheduledRuns(admin: ApiClient, integrationId: string): Promise<any[]> {
  const answer = await admin.get(`/api/runs?integrationId=${integrationId}`);
  assert.equal(answer.status, 200, answer.text);
  const { runs } = answer.body;
  return runs.filter((r: { trigger: string }) => r.trigger === 'schedule');
}

// The embedded default only: SQLite in a fresh folder (many workers on PostgreSQL have their own test).
const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'serve-schedule-')) }),
} as unknown as TestDatabaseTarget;

{
  test('serve on SQLite: a due schedule runs with no other process; a failure reaches the inbox and e-mail, a success resolves it', async (t) => {
    const target = sqlite;
    const ninja = await startNinjaOneEmulator({ seed: 21, users: 8 });
    t.after(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator({ seed: 21, users: 0 });
    t.after(() => oomnitza.close());
    const smtp = await startSmtpServer();
    t.after(() => smtp.close());

    let clock = new Date('2026-12-01T00:30:00.000Z');
    const server = await startTestServer(target, {
      now: () => clock,
      workerPollMs: 50,
      maintenanceIntervalMs: 100,
      env: { SMTP_URL: smtp.url, SMTP_FROM: 'ninja-sync@test.example' },
    });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    const setup = await admin.post('/api/setup', { email: 'it@acme.example', password });
    assert.equal(setup.status, 201, setup.text);
    await addClientCredential(admin, ninja);
    await addOomnitzaConnection(admin, oomnitza);
    const created = await admin.post('/api/integrations', {
      // Keyed by NinjaOne id, so the tenant's awkward e-mails (none, shared) do not fail records here.
      name: 'Nightly users',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['username'],
      mapping: { username: { expr: "'ninja-' & $string(id)" }, first_name: 'firstName' },
      schedule: { daily: '02:00', timezone: 'UTC' },
      contacts: ['it@acme.example', 'oncall@acme.example'],
    });
    assert.equal(created.status, 201, created.text);
    const id: string = created.body.id;
    // Sessions expire on the test clock too; a token does not, so the test watches with one.
    const watcher = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'watcher', role: 'viewer' })).body.token });
    const schedule = await admin.get(`/api/integrations/${id}/schedule`);
    assert.equal(schedule.status, 200, schedule.text);
    assert.equal(schedule.body.nextRuns[0].at, '2026-12-01T02:00:00.000Z');
    // The clock jumps 90 minutes at once: let the scheduler store the due time first, as it would
    // in the 90 minutes of ticks a real clock gives it.
    await until('the scheduler plans 02:00', async () => {
      const state = await watcher.get(`/api/integrations/${id}/schedule`);
      return state.body.plannedNextRunAt === '2026-12-01T02:00:00.000Z';
    });

    // Oomnitza is down at 02:00: the scheduled run fails.
    oomnitza.knobs.settings.faults.push({ kind: 'status503', retryAfterSeconds: 0 });
    clock = new Date('2026-12-01T02:00:05.000Z');
    const failed = await until(
      'the 02:00 run fails',
      async () => {
        const runs = await scheduledRuns(watcher, id);
        return runs.length === 1 && runs[0].state === 'failed' ? runs[0] : null;
      },
      async () => ({ runs: (await watcher.get('/api/runs')).body, alerts: (await watcher.get('/api/alerts?status=all')).body }),
    );
    assert.match(failed.error, /Oomnitza/);

    const inbox = await until('the failure in the inbox', async () => {
      const body = (await admin.get('/api/notifications')).body;
      return body.unreadCount > 0 ? body : null;
    });
    assert.match(JSON.stringify(inbox.notifications[0]), /Nightly users/);
    const mails = await smtp.waitForMessages(2);
    assert.deepEqual(new Set(mails.flatMap((m) => m.to)), new Set(['it@acme.example', 'oncall@acme.example']));
    assert.match(mails[0]!.subject, /Nightly users/);
    assert.match(mails[0]!.text, new RegExp(`/runs/${failed.id}`));
    assert.ok(!mails.some((m) => m.raw.includes(oomnitza.apiToken) || m.raw.includes('demo-m2m-secret')), 'no secret in an e-mail');
    const open = (await watcher.get(`/api/alerts?status=open&subjectId=${id}`)).body.alerts;
    assert.equal(open.length, 1);

    // Oomnitza is back; the next day's run succeeds and resolves the alert, telling the contacts once.
    oomnitza.knobs.settings.faults.length = 0;
    clock = new Date('2026-12-02T02:00:05.000Z');
    await until('the next scheduled run succeeds', async () => {
      const runs = await scheduledRuns(watcher, id);
      return runs.length === 2 && runs[0].state === 'succeeded' ? runs[0] : null;
    });
    await until('the alert resolved', async () => (await watcher.get(`/api/alerts?status=open&subjectId=${id}`)).body.alerts.length === 0);
    const recovered = await smtp.waitForMessages(4);
    assert.match(
      recovered
        .slice(2)
        .map((m) => m.subject)
        .join(' '),
      /recovered|resolved|back/i,
    );
    assert.ok(oomnitza.store.users.size > 0, 'the scheduled run wrote the users');
  });
}
