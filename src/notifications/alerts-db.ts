/**
 * The store as the scheduler and notifications see it: the core tables plus migration 0003's.
 * Same invariance trick as `coreDb` (`../db/core-db.ts`): functions accept any Kysely whose schema
 * has the core tables and view it with the alert tables added; the cast hides nothing that differs.
 *
 * @example
 * const db = alertsDb(anyDb);
 * await db.selectFrom('alerts').selectAll().execute();
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';
import type { AlertsTables } from '../db/types-alerts.ts';

export type AlertsDatabase = Database & AlertsTables;

/** @example const db = alertsDb(context.db); */
export function alertsDb<DB extends Database>(db: Kysely<DB>): Kysely<AlertsDatabase> {
  return db as unknown as Kysely<AlertsDatabase>;
}
