/**
 * Who started a run, and people who may no longer sign in. `runs.started_by` keeps the starter in
 * words as they were at the start (a person's e-mail, an API token's name), so a run still says who
 * started it after that person or token is gone; `runs.started_by_user_id` tells a failed dry run's
 * starter in the inbox. `app_users.disabled_at` marks a person who may not sign in (their sessions
 * end when it is set); they stay listed, so their runs and history still name them.
 * Same portable types as 0001 (see `../types.ts`).
 */
import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('started_by', 'text').execute();
  await db.schema.alterTable('runs').addColumn('started_by_user_id', 'text').execute();
  await db.schema.alterTable('app_users').addColumn('disabled_at', 'text').execute();
}
