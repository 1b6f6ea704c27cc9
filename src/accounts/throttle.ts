/**
 * Sign-in throttling. Each attempt first takes a slot, atomically, under three keys, and only then
 * is the password checked, so 20 guesses sent at once count as 20 and at most the allowed number
 * reach the password check. The keys are chosen so that an attacker cannot lock a real user out
 * for long:
 * - `login:<e-mail>|<client>`: 5 attempts per 15 minutes for one account from one client, then a
 *   lock that doubles with every further failure (1, 2, 4 … 15 minutes). Only that client is locked.
 * - `client:<client>`: 30 attempts per 15 minutes from one client across all accounts (password
 *   spraying), with the same backoff.
 * - `account:<e-mail>`: 20 attempts per 15 minutes for one account from all clients together
 *   (guessing from many addresses); its lock lasts one minute at most, so the real owner waits
 *   a minute, never a quarter of an hour.
 * A correct password clears the account's keys and gives the client its slot back. The client is
 * the socket's address, or the one the proxy reports when `TRUST_PROXY` is set (see config.ts).
 * Kept in the database so several server processes share it; on PostgreSQL the row is locked
 * (`FOR UPDATE`), on SQLite the one connection serialises transactions.
 *
 * @example
 * const wait = await takeLoginAttempts(db, loginThrottleKeys(email, request.ip), now);   // ms to wait, or 0
 * if (wait === 0 && user) await loginSucceeded(db, loginThrottleKeys(email, request.ip));
 */
import { dialectOf } from '../db/open-database.ts';

import type { AppDb } from '../db/app-database.ts';

export interface ThrottleRule {
  /** Attempts allowed per window before the key locks. */
  readonly maxAttempts: number;
  readonly windowMs: number;
  /** The first lock; each further attempt past the limit doubles it, up to `maxLockMs`. */
  readonly lockMs: number;
  readonly maxLockMs: number;
}

const minute = 60_000;
export const throttleRules = {
  login: { maxAttempts: 5, windowMs: 15 * minute, lockMs: minute, maxLockMs: 15 * minute },
  client: { maxAttempts: 30, windowMs: 15 * minute, lockMs: minute, maxLockMs: 15 * minute },
  account: { maxAttempts: 20, windowMs: 15 * minute, lockMs: minute, maxLockMs: minute },
} as const satisfies Record<string, ThrottleRule>;

export interface ThrottleKey {
  readonly key: string;
  readonly rule: ThrottleRule;
}

export function loginThrottleKeys(email: string, client: string): ThrottleKey[] {
  const account = email.trim().toLowerCase();
  return [
    { key: `login:${account}|${client}`, rule: throttleRules.login },
    { key: `client:${client}`, rule: throttleRules.client },
    { key: `account:${account}`, rule: throttleRules.account },
  ];
}

/**
 * Takes one attempt under every key, or none: the milliseconds to wait when any key is locked
 * (nothing is counted then), else 0 and the attempt is counted everywhere.
 */
export async function takeLoginAttempts(db: AppDb, keys: readonly ThrottleKey[], now: Date): Promise<number> {
  const lock = dialectOf(db) === 'postgres';
  return db.transaction().execute(async function takeSlots(trx) {
    const rows = [];
    for (const { key } of keys) {
      await trx
        .insertInto('login_attempts')
        .values({ key, failures: 0, window_started_at: now.toISOString(), locked_until: null })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      rows.push(
        await trx
          .selectFrom('login_attempts')
          .selectAll()
          .where('key', '=', key)
          .$if(lock, (query) => query.forUpdate())
          .executeTakeFirstOrThrow(),
      );
    }
    const wait = Math.max(0, ...rows.map((row) => (row.locked_until ? new Date(row.locked_until).getTime() - now.getTime() : 0)));
    if (wait > 0) return wait;
    for (const [index, { key, rule }] of keys.entries()) {
      const row = rows[index]!;
      const windowOpen = now.getTime() - new Date(row.window_started_at).getTime() < rule.windowMs;
      const attempts = windowOpen ? row.failures + 1 : 1;
      const past = attempts - rule.maxAttempts;
      const lockMs = past >= 0 ? Math.min(rule.maxLockMs, rule.lockMs * 2 ** Math.min(past, 20)) : 0;
      await trx
        .updateTable('login_attempts')
        .set({
          failures: attempts,
          window_started_at: windowOpen ? row.window_started_at : now.toISOString(),
          locked_until: lockMs > 0 ? new Date(now.getTime() + lockMs).toISOString() : null,
        })
        .where('key', '=', key)
        .execute();
    }
    return 0;
  });
}

/** A right password: the account's keys are cleared, the client gets back the slot it took. */
export async function loginSucceeded(db: AppDb, keys: readonly ThrottleKey[]): Promise<void> {
  for (const { key, rule } of keys) {
    if (key.startsWith('client:')) {
      const row = await db.selectFrom('login_attempts').selectAll().where('key', '=', key).executeTakeFirst();
      if (!row) continue;
      const attempts = Math.max(0, row.failures - 1);
      await db
        .updateTable('login_attempts')
        .set({ failures: attempts, ...(attempts < rule.maxAttempts ? { locked_until: null } : {}) })
        .where('key', '=', key)
        .execute();
    } else await db.deleteFrom('login_attempts').where('key', '=', key).execute();
  }
}
