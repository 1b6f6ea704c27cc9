/**
 * Alerts: one open alert per (subject, condition). Raising it again for a new occurrence (another
 * failed run) updates that alert — count, last_seen_at, latest message — instead of adding one, so
 * an outage is one alert and one e-mail, not a storm. Resolving it (the next success) tells the
 * contacts once. The partial unique index `alerts_one_open` holds the rule against racing processes.
 *
 * Contacts hear about an alert when it opens and when it resolves, in the inbox and by e-mail
 * (through the outbox, `./outbox.ts`); all writes happen in the caller's transaction when there is one.
 *
 * @example
 * await raiseAlert(db, { subjectType: 'integration', subjectId: id, subjectName: 'Staff', condition: 'run_failed',
 *   message: 'The run failed.', error: run.error, runId: run.id, occurrence: run.id }, now, { publicUrl });
 * await resolveAlerts(db, { subjectType: 'integration', subjectId: id }, now, { publicUrl });
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';

import { contactsFor } from './contacts.ts';
import { alertMessage } from './message.ts';
import { defaultHourlyEmailCap, queueEmail } from './outbox.ts';

import type { Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { IsoTimestamp } from '../db/types.ts';
import type { AlertCondition, AlertsTable, AlertSubjectType } from '../db/types-alerts.ts';
import type { Alert } from './alert.ts';

export type { Alert } from './alert.ts';

export interface RaiseAlertInput {
  readonly subjectType: AlertSubjectType;
  readonly subjectId: string;
  readonly subjectName: string;
  readonly condition: AlertCondition;
  /** What happened, in a sentence a contact can read. Never a secret. */
  readonly message: string;
  readonly error?: string | null;
  readonly runId?: string | null;
  /** What this raise is about (a run id, a due time): raising the same occurrence again counts nothing. */
  readonly occurrence: string;
}

export interface NotifyOptions {
  /** `<PUBLIC_URL>` for links in e-mails. */
  readonly publicUrl?: string | URL | undefined;
  /** E-mails per contact per hour (default 10). */
  readonly hourlyEmailCap?: number;
  /** False when no SMTP server is configured: then only the inbox is written. Default true. */
  readonly email?: boolean;
}

export type RaiseOutcome = 'opened' | 'repeated' | 'unchanged';

/** @example rowToAlert(row).condition */
export function rowToAlert(row: Selectable<AlertsTable>): Alert {
  return {
    id: row.id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    subjectName: row.subject_name,
    condition: row.condition,
    message: row.message,
    error: row.error,
    runId: row.run_id,
    count: Number(row.count),
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
  };
}

/**
 * Opens the alert, or updates the open one. Contacts are told only when it opens.
 *
 * @example const { outcome } = await raiseAlert(db, input, now); // 'opened' | 'repeated' | 'unchanged'
 */
export async function raiseAlert(
  db: AppDb,
  input: RaiseAlertInput,
  now: Date,
  options: NotifyOptions = {},
): Promise<{ alert: Alert; outcome: RaiseOutcome }> {
  return inTransaction(db, async (db) => {
    const at = now.toISOString();
    const inserted = await db
      .insertInto('alerts')
      .values({
        id: randomUUID(),
        subject_type: input.subjectType,
        subject_id: input.subjectId,
        subject_name: input.subjectName,
        condition: input.condition,
        message: input.message,
        error: input.error ?? null,
        run_id: input.runId ?? null,
        occurrence: input.occurrence,
        count: 1,
        opened_at: at,
        last_seen_at: at,
        resolved_at: null,
      })
      // The conflict target names the partial index, so a concurrent opener is a no-op, not an error
      // (an error would abort the caller's PostgreSQL transaction).
      .onConflict((oc) => oc.columns(['subject_type', 'subject_id', 'condition']).where('resolved_at', 'is', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) {
      const alert = rowToAlert(inserted);
      await notifyContacts(db, alert, 'alert', now, options);
      return { alert, outcome: 'opened' as const };
    }
    const repeated = await db
      .updateTable('alerts')
      .set({
        count: sql<number>`count + 1`,
        last_seen_at: at,
        message: input.message,
        error: input.error ?? null,
        run_id: input.runId ?? null,
        occurrence: input.occurrence,
        subject_name: input.subjectName,
      })
      .where('subject_type', '=', input.subjectType)
      .where('subject_id', '=', input.subjectId)
      .where('condition', '=', input.condition)
      .where('resolved_at', 'is', null)
      .where('occurrence', '!=', input.occurrence)
      .returningAll()
      .executeTakeFirst();
    if (repeated !== undefined) return { alert: rowToAlert(repeated), outcome: 'repeated' as const };
    const same = await db
      .updateTable('alerts')
      .set({ last_seen_at: at })
      .where('subject_type', '=', input.subjectType)
      .where('subject_id', '=', input.subjectId)
      .where('condition', '=', input.condition)
      .where('resolved_at', 'is', null)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { alert: rowToAlert(same), outcome: 'unchanged' as const };
  });
}

export interface ResolveAlertsInput {
  readonly subjectType: AlertSubjectType;
  readonly subjectId: string;
  /** Only these conditions (all when absent). */
  readonly conditions?: readonly AlertCondition[];
  /** Only alerts last seen at or before this instant: a success resolves what came before it, not after. */
  readonly seenUpTo?: IsoTimestamp;
}

/**
 * Resolves the subject's open alerts and tells their contacts once ("recovered"). The UPDATE …
 * RETURNING picks each alert exactly once, so two processes resolving together notify once.
 *
 * @example const resolved = await resolveAlerts(db, { subjectType: 'integration', subjectId: id, seenUpTo: run.finishedAt }, now);
 */
export async function resolveAlerts(db: AppDb, input: ResolveAlertsInput, now: Date, options: NotifyOptions = {}): Promise<Alert[]> {
  if (input.conditions?.length === 0) return [];
  return inTransaction(db, async (db) => {
    let query = db
      .updateTable('alerts')
      .set({ resolved_at: now.toISOString() })
      .where('subject_type', '=', input.subjectType)
      .where('subject_id', '=', input.subjectId)
      .where('resolved_at', 'is', null);
    if (input.conditions !== undefined) query = query.where('condition', 'in', [...input.conditions]);
    if (input.seenUpTo !== undefined) query = query.where('last_seen_at', '<=', input.seenUpTo);
    const rows = await query.returningAll().execute();
    const alerts = rows.map(rowToAlert);
    for (const alert of alerts) await notifyContacts(db, alert, 'recovered', now, options);
    return alerts;
  });
}

/**
 * Resolves one alert by id (an admin closing it by hand); no "recovered" message.
 *
 * @example await resolveAlert(db, alertId, now)
 */
export async function resolveAlert(db: AppDb, id: string, now: Date): Promise<Alert | null> {
  const row = await db
    .updateTable('alerts')
    .set({ resolved_at: now.toISOString() })
    .where('id', '=', id)
    .where('resolved_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? null : rowToAlert(row);
}

export interface ListAlertsOptions {
  readonly status?: 'open' | 'resolved' | 'all';
  readonly subjectId?: string;
  /** 1 to 500, default 100. */
  readonly limit?: number;
}

/**
 * Alerts, most recently seen first.
 *
 * @example const open = await listAlerts(db, { status: 'open' });
 */
export async function listAlerts(db: AppDb, options: ListAlertsOptions = {}): Promise<Alert[]> {
  let query = db.selectFrom('alerts').selectAll();
  if (options.status === 'open') query = query.where('resolved_at', 'is', null);
  if (options.status === 'resolved') query = query.where('resolved_at', 'is not', null);
  if (options.subjectId !== undefined) query = query.where('subject_id', '=', options.subjectId);
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 500);
  const rows = await query.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(rowToAlert);
}

/** Inbox rows for the app users among the contacts, outbox rows for every address. */
async function notifyContacts(db: AppDb, alert: Alert, kind: 'alert' | 'recovered', now: Date, options: NotifyOptions): Promise<void> {
  const contacts = await contactsFor(db, { type: alert.subjectType, id: alert.subjectId });
  const message = alertMessage(alert, kind, options.publicUrl);
  const at = now.toISOString();
  if (contacts.userIds.length > 0) {
    await db
      .insertInto('notifications')
      .values(
        contacts.userIds.map((userId) => ({
          id: randomUUID(),
          user_id: userId,
          alert_id: alert.id,
          kind,
          title: message.subject.replace(/^\[ninja-sync\] /, ''),
          body: message.summary,
          link: message.link,
          created_at: at,
          read_at: null,
        })),
      )
      .execute();
  }
  if (options.email === false) return;
  for (const to of contacts.emails) {
    await queueEmail(
      db,
      { to, subject: message.subject, text: message.text, alertId: alert.id },
      now,
      options.hourlyEmailCap ?? defaultHourlyEmailCap,
    );
  }
}

/** Runs `fn` in the caller's transaction when there is one, else in a new one. */
export async function inTransaction<T>(db: AppDb, fn: (trx: AppDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
