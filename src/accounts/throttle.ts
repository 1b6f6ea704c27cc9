/**
 * Login throttling: after `maxFailures` failed sign-ins for one key (e-mail, and separately the
 * client address) within the window, further attempts are refused until the lock ends. Kept in the
 * database so several server processes share it.
 *
 * @example
 * const wait = await loginLockedFor(db, key, now); // ms to wait, or 0
 * await recordLoginFailure(db, key, now);
 */
import type { AppDb } from '../db/app-database.ts';

export const throttle = { maxFailures: 5, windowMs: 15 * 60 * 1000, lockMs: 15 * 60 * 1000 } as const;

export async function loginLockedFor(db: AppDb, key: string, now: Date): Promise<number> {
  const row = await db.selectFrom('login_attempts').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row?.locked_until) return 0;
  return Math.max(0, new Date(row.locked_until).getTime() - now.getTime());
}

export async function recordLoginFailure(db: AppDb, key: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('login_attempts').selectAll().where('key', '=', key).executeTakeFirst();
    const windowOpen = row && now.getTime() - new Date(row.window_started_at).getTime() < throttle.windowMs;
    const failures = windowOpen ? row.failures + 1 : 1;
    const values = {
      failures,
      window_started_at: windowOpen ? row.window_started_at : now.toISOString(),
      locked_until: failures >= throttle.maxFailures ? new Date(now.getTime() + throttle.lockMs).toISOString() : null,
    };
    if (row) await trx.updateTable('login_attempts').set(values).where('key', '=', key).execute();
    else
      await trx
        .insertInto('login_attempts')
        .values({ key, ...values })
        .execute();
  });
}

export async function clearLoginFailures(db: AppDb, key: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('key', '=', key).execute();
}
