import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { startSmtpServer } from '../../test/support/smtp.ts';
import { addIntegration, openAlertsStore } from '../schedule/fixtures.test-support.ts';
import { raiseAlert, resolveAlerts } from './alerts.ts';
import { createMailer } from './mailer.ts';
import { deliverPendingEmails, listOutbox, queueEmail } from './outbox.ts';

const publicUrl = 'https://sync.acme.example';
const at = (minutes: number): Date => new Date(Date.parse('2026-11-27T10:00:00Z') + minutes * 60_000);

/** A loopback port nobody listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

forEachDialect('alert e-mail', (target) => {
  test('the SMTP server receives the alert with the integration, what happened, the error, the run link and what to do — and no secret', async (t) => {
    const smtp = await startSmtpServer();
    t.after(() => smtp.close());
    const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'ninja-sync@acme.example' }, { timeoutMs: 5000 });
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    const staff = await addIntegration(db, { name: 'Staff sync', contacts: ['it@acme.example'] });
    const runId = '0f3c2a9e-0000-4000-8000-000000000001';
    await raiseAlert(
      db,
      {
        subjectType: 'integration',
        subjectId: staff.id,
        subjectName: 'Staff sync',
        condition: 'run_failed',
        message: 'The run (scheduled) failed.',
        runId,
        occurrence: `run:${runId}`,
        error: 'Oomnitza at https://admin:hunter2@acme.oomnitza.com answered 401 for token=abc123secret',
      },
      at(0),
      { publicUrl },
    );

    const report = await deliverPendingEmails(db, mailer, at(0));
    assert.deepEqual(report, { sent: 1, retrying: 0, failed: 0 });
    const [mail] = await smtp.waitForMessages(1);
    assert.ok(mail);
    assert.equal(mail.from, 'ninja-sync@acme.example');
    assert.deepEqual(mail.to, ['it@acme.example']);
    assert.equal(mail.subject, '[ninja-sync] Staff sync: a run failed');
    assert.match(mail.text, /A run failed \(integration "Staff sync"\)\./);
    assert.match(mail.text, /What happened: The run \(scheduled\) failed\./);
    assert.match(mail.text, /Error: Oomnitza at https:\/\/acme\.oomnitza\.com answered 401 for token=\*\*\*/);
    assert.match(mail.text, new RegExp(`Run: https://sync\\.acme\\.example/runs/${runId}`));
    assert.match(mail.text, /What to do: Open the run to read the error/);
    assert.doesNotMatch(mail.raw, /hunter2|abc123secret/);
    const [row] = await listOutbox(db);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.sentAt, at(0).toISOString());

    await resolveAlerts(db, { subjectType: 'integration', subjectId: staff.id }, at(30), { publicUrl });
    await resolveAlerts(db, { subjectType: 'integration', subjectId: staff.id }, at(31), { publicUrl });
    assert.equal((await deliverPendingEmails(db, mailer, at(31))).sent, 1, 'recovered is said once');
    const [, recovered] = await smtp.waitForMessages(2);
    assert.equal(recovered?.subject, '[ninja-sync] Recovered: Staff sync — a run failed');
    assert.match(recovered.text, /is over: a run failed, and now it works again/);
  });

  test('SMTP down: the failure is recorded and retried later with backoff, never thrown; it goes out when the server is back', async (t) => {
    const port = await closedPort();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: 'ninja-sync@acme.example' }, { timeoutMs: 2000 });
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    await queueEmail(db, { to: 'it@acme.example', subject: 'Alert', text: 'body' }, at(0));

    assert.deepEqual(await deliverPendingEmails(db, mailer, at(0)), { sent: 0, retrying: 1, failed: 0 });
    let [row] = await listOutbox(db);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.attempts, 1);
    assert.match(row?.lastError ?? '', /ECONNREFUSED/);
    assert.equal(row?.nextAttemptAt, at(1).toISOString(), 'first retry after one minute');
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(0.5)), { sent: 0, retrying: 0, failed: 0 }, 'not before its time');
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(1)), { sent: 0, retrying: 1, failed: 0 });
    [row] = await listOutbox(db);
    assert.equal(row?.attempts, 2);
    assert.equal(row?.nextAttemptAt, at(3).toISOString(), 'then after two more');

    const smtp = await startSmtpServer({ port });
    t.after(() => smtp.close());
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(3)), { sent: 1, retrying: 0, failed: 0 });
    assert.equal((await smtp.waitForMessages(1))[0]?.subject, 'Alert');
    [row] = await listOutbox(db);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 3);
  });

  test('after the last attempt a message is failed for good', async (t) => {
    const mailer = createMailer(
      { smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, smtpFrom: 'ninja-sync@acme.example' },
      { timeoutMs: 2000 },
    );
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    await queueEmail(db, { to: 'it@acme.example', subject: 'Alert', text: 'body' }, at(0));
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(0), { maxAttempts: 2 }), { sent: 0, retrying: 1, failed: 0 });
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(10), { maxAttempts: 2 }), { sent: 0, retrying: 0, failed: 1 });
    assert.deepEqual(await deliverPendingEmails(db, mailer, at(100), { maxAttempts: 2 }), { sent: 0, retrying: 0, failed: 0 });
    assert.equal((await listOutbox(db, { status: 'failed' })).length, 1);
  });

  test('at most 10 e-mails per contact per hour; the rest are held and summed up in one e-mail later', async (t) => {
    const smtp = await startSmtpServer();
    t.after(() => smtp.close());
    const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'ninja-sync@acme.example' }, { timeoutMs: 5000 });
    assert.ok(mailer);
    t.after(() => mailer.close());
    const db = await openAlertsStore(target);
    for (let i = 0; i < 13; i += 1) {
      const integration = await addIntegration(db, {
        name: `Integration ${i}`,
        contacts: ['it@acme.example', i === 0 ? 'other@acme.example' : 'it@acme.example'],
      });
      await raiseAlert(
        db,
        {
          subjectType: 'integration',
          subjectId: integration.id,
          subjectName: integration.name,
          condition: 'run_failed',
          message: 'failed',
          occurrence: `i${i}`,
        },
        at(i),
        { publicUrl },
      );
    }
    assert.equal((await listOutbox(db, { to: 'it@acme.example', status: 'pending' })).length, 10);
    assert.equal((await listOutbox(db, { to: 'it@acme.example', status: 'suppressed' })).length, 3);
    assert.equal((await listOutbox(db, { to: 'other@acme.example', status: 'pending' })).length, 1, 'the cap is per contact');

    assert.equal((await deliverPendingEmails(db, mailer, at(13))).sent, 11);
    // An hour after the first e-mails there is room again: one summary of the three held back.
    assert.equal((await deliverPendingEmails(db, mailer, at(61), { publicUrl })).sent, 1);
    assert.equal((await deliverPendingEmails(db, mailer, at(62))).sent, 0);
    const received = await smtp.waitForMessages(12);
    const summary = received[11];
    assert.equal(summary?.subject, '[ninja-sync] 3 more alerts held back');
    assert.match(summary.text, /3 alert e-mails were not sent to you because you had 10 in one hour already/);
    assert.match(summary.text, /https:\/\/sync\.acme\.example\/notifications/);
  });
});
