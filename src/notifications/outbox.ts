/**
 * E-mail goes through an outbox table: raising an alert only inserts rows (inside the caller's
 * transaction), and `deliverPendingEmails` sends them later, retrying with backoff and recording
 * every attempt. So a slow or dead mail server never fails or slows a run, and several processes
 * may deliver at once: each message is leased by a conditional update before it is sent.
 *
 * A contact gets at most `hourlyCap` e-mails an hour (default 10); the rest are kept as
 * `suppressed` and summed up in one e-mail once the hour has room again. The inbox keeps them all.
 *
 * @example
 * await queueEmail(db, { to: 'it@acme.example', subject, text, alertId }, now);
 * const report = await deliverPendingEmails(db, mailer, now);
 */
import { randomUUID } from 'node:crypto';

import { redactText } from '../http/redact.ts';

import type { AppDb } from '../db/app-database.ts';
import type { EmailStatus } from '../db/types-alerts.ts';
import type { Mailer } from './mailer.ts';

export const defaultHourlyEmailCap = 10;
const hourMs = 3_600_000;

export interface QueueEmailInput {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly alertId?: string | null;
}

/**
 * Adds an e-mail to the outbox, as `pending`, or as `suppressed` when the address had `hourlyCap`
 * e-mails in the past hour.
 *
 * @example const status = await queueEmail(trx, { to, subject, text }, now); // 'pending' | 'suppressed'
 */
export async function queueEmail(db: AppDb, input: QueueEmailInput, now: Date, hourlyCap = defaultHourlyEmailCap): Promise<EmailStatus> {
  const to = input.to.trim().toLowerCase();
  const recent = await countRecent(db, to, now);
  const status: EmailStatus = recent >= hourlyCap ? 'suppressed' : 'pending';
  await db
    .insertInto('email_outbox')
    .values({
      id: randomUUID(),
      to_address: to,
      subject: input.subject,
      body: input.text,
      alert_id: input.alertId ?? null,
      status,
      attempts: 0,
      next_attempt_at: now.toISOString(),
      last_error: null,
      created_at: now.toISOString(),
      sent_at: null,
      summarized: 0,
    })
    .execute();
  return status;
}

export interface DeliverOptions {
  /** After this many failed attempts a message is `failed` for good (default 8). */
  readonly maxAttempts?: number;
  /** Messages per call (default 50). */
  readonly batchSize?: number;
  /** First retry delay; doubles per attempt up to six hours (default one minute). */
  readonly retryBaseMs?: number;
  readonly hourlyCap?: number;
  /** Where the summary of suppressed e-mails points to (the inbox). */
  readonly publicUrl?: string | URL | undefined;
}

export interface DeliveryReport {
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Sends what is due in the outbox. Never throws for a mail failure: each one is recorded on its
 * message (attempts, last_error, next_attempt_at) and retried later.
 *
 * @example const { sent, retrying } = await deliverPendingEmails(db, mailer, clock());
 */
export async function deliverPendingEmails(db: AppDb, mailer: Mailer, now: Date, options: DeliverOptions = {}): Promise<DeliveryReport> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseMs = options.retryBaseMs ?? 60_000;
  await queueSuppressionSummaries(db, now, options);
  const due = await db
    .selectFrom('email_outbox')
    .select(['id', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .limit(options.batchSize ?? 50)
    .execute();
  let sent = 0;
  let retrying = 0;
  let failed = 0;
  for (const candidate of due) {
    // Lease: move next_attempt_at ahead only if nobody did since we read it; the winner sends.
    const lease = new Date(now.getTime() + 10 * 60_000).toISOString();
    const taken = await db
      .updateTable('email_outbox')
      .set({ next_attempt_at: lease })
      .where('id', '=', candidate.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', candidate.next_attempt_at)
      .returningAll()
      .executeTakeFirst();
    if (taken === undefined) continue;
    try {
      await mailer.send({ to: taken.to_address, subject: taken.subject, text: taken.body });
      await db
        .updateTable('email_outbox')
        .set({ status: 'sent', sent_at: now.toISOString(), attempts: taken.attempts + 1, last_error: null })
        .where('id', '=', taken.id)
        .execute();
      sent += 1;
    } catch (error) {
      const attempts = taken.attempts + 1;
      const giveUp = attempts >= maxAttempts;
      const delay = Math.min(baseMs * 2 ** (attempts - 1), 6 * hourMs);
      await db
        .updateTable('email_outbox')
        .set({
          status: giveUp ? 'failed' : 'pending',
          attempts,
          last_error: redactText(error instanceof Error ? error.message : String(error)).slice(0, 1000),
          next_attempt_at: new Date(now.getTime() + delay).toISOString(),
        })
        .where('id', '=', taken.id)
        .execute();
      if (giveUp) failed += 1;
      else retrying += 1;
    }
  }
  return { sent, retrying, failed };
}

export interface OutboxEmail {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly status: EmailStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** The outbox, oldest first (for the admin view and tests). @example await listOutbox(db, { status: 'failed' }) */
export async function listOutbox(db: AppDb, filter: { readonly status?: EmailStatus; readonly to?: string } = {}): Promise<OutboxEmail[]> {
  let query = db.selectFrom('email_outbox').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.to !== undefined) query = query.where('to_address', '=', filter.to.trim().toLowerCase());
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}

async function countRecent(db: AppDb, to: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('email_outbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('to_address', '=', to)
    .where('status', '!=', 'suppressed')
    .where('created_at', '>', new Date(now.getTime() - hourMs).toISOString())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One e-mail per address that had e-mails held back, once its hour has room again. */
async function queueSuppressionSummaries(db: AppDb, now: Date, options: DeliverOptions): Promise<void> {
  const cap = options.hourlyCap ?? defaultHourlyEmailCap;
  const held = await db
    .selectFrom('email_outbox')
    .select('to_address')
    .where('status', '=', 'suppressed')
    .where('summarized', '=', 0)
    .distinct()
    .execute();
  for (const { to_address: to } of held) {
    if ((await countRecent(db, to, now)) >= cap) continue;
    const marked = await db
      .updateTable('email_outbox')
      .set({ summarized: 1 })
      .where('to_address', '=', to)
      .where('status', '=', 'suppressed')
      .where('summarized', '=', 0)
      .executeTakeFirst();
    const count = Number(marked.numUpdatedRows);
    if (count === 0) continue; // another process summed them up first
    const inbox = options.publicUrl === undefined ? 'the ninja-sync inbox' : new URL('/notifications', options.publicUrl).toString();
    await queueEmail(
      db,
      {
        to,
        subject: `[ninja-sync] ${count} more alert${count === 1 ? '' : 's'} held back`,
        text: `${count} alert e-mail${count === 1 ? ' was' : 's were'} not sent to you because you had ${cap} in one hour already (the limit keeps an outage from flooding your mailbox).\nEvery alert is in ${inbox}.`,
      },
      now,
      cap,
    );
  }
}
