/**
 * The in-app inbox: one row per recipient per alert event, with an unread count and mark-read.
 * Every function takes the user id, so one person can never read or mark another's notifications.
 *
 * @example
 * const items = await listInbox(db, user.id, { unreadOnly: true });
 * await markRead(db, user.id, items[0].id, now);
 */

import type { Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { IsoTimestamp } from '../db/types.ts';
import type { NotificationsTable } from '../db/types-alerts.ts';

export interface InboxNotification {
  readonly id: string;
  readonly alertId: string | null;
  readonly kind: 'alert' | 'recovered';
  readonly title: string;
  readonly body: string;
  readonly link: string | null;
  readonly createdAt: IsoTimestamp;
  readonly readAt: IsoTimestamp | null;
}

/** @example rowToNotification(row).title */
export function rowToNotification(row: Selectable<NotificationsTable>): InboxNotification {
  return {
    id: row.id,
    alertId: row.alert_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}

/**
 * The user's notifications, newest first.
 *
 * @example await listInbox(db, userId, { unreadOnly: true, limit: 20 })
 */
export async function listInbox(
  db: AppDb,
  userId: string,
  options: { readonly unreadOnly?: boolean; readonly limit?: number } = {},
): Promise<InboxNotification[]> {
  let query = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (options.unreadOnly === true) query = query.where('read_at', 'is', null);
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(rowToNotification);
}

/** @example const badge = await unreadCount(db, userId); */
export async function unreadCount(db: AppDb, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks one of the user's notifications read. False when the user has no notification with that id.
 *
 * @example if (!(await markRead(db, userId, id, now))) throw notFound('notification', id);
 */
export async function markRead(db: AppDb, userId: string, id: string, now: Date): Promise<boolean> {
  const exists = await db
    .selectFrom('notifications')
    .select('read_at')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (exists === undefined) return false;
  // Reading it twice keeps the first read time.
  await db
    .updateTable('notifications')
    .set({ read_at: now.toISOString() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  return true;
}

/**
 * Marks all the user's notifications read; returns how many were unread.
 *
 * @example const marked = await markAllRead(db, userId, now);
 */
export async function markAllRead(db: AppDb, userId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
