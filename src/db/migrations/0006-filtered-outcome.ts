/**
 * "Filtered" becomes its own record outcome: a record a filter rule dropped on purpose is counted
 * apart from one skipped for lacking a sync-key value. Adds `runs.filtered` and `runs.saas_filtered`,
 * and moves the runs stored before into the new vocabulary, so an old run reads like a new one: its
 * records whose reason is the filter's own ("filtered out by rule N: …") become `filtered`, and
 * their number moves from the run's skipped count to its filtered count.
 * Same portable types as 0001 (see `../types.ts`).
 */
import { sql } from 'kysely';

import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('filtered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('runs')
    .addColumn('saas_filtered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The filter's reason has always begun so (src/mapping/compile.ts); no other skip reason does.
  await sql`update run_records set outcome = 'filtered'
            where outcome = 'skipped' and kind = 'user' and reason like 'filtered out by rule %'`.execute(db);
  await sql`update runs set filtered = (select count(*) from run_records r
                                        where r.run_id = runs.id and r.outcome = 'filtered' and r.kind = 'user')`.execute(db);
  await sql`update runs set skipped = case when skipped >= filtered then skipped - filtered else 0 end where filtered > 0`.execute(db);
}

/** @example await down(db) // only for tests of the migration itself */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update runs set skipped = skipped + filtered`.execute(db);
  await sql`update run_records set outcome = 'skipped' where outcome = 'filtered'`.execute(db);
  await db.schema.alterTable('runs').dropColumn('saas_filtered').execute();
  await db.schema.alterTable('runs').dropColumn('filtered').execute();
}
