/**
 * Offboarding: the links between the Oomnitza users an integration created or matched and the
 * NinjaOne users they are (`user_links`), and the counts of the two new record outcomes,
 * `suspended` and `unsuspended`, on `runs` (user and SaaS, as every outcome has both).
 *
 * A link belongs to an integration by `integration_key`: the stored integration's id, or
 * `file:<name>` for `ninja-sync run --config` of a file (which has no id). One Oomnitza user is one
 * NinjaOne user's, and the other way round, within an integration: both pairs are unique.
 * `suspended_at` is set when offboarding suspended the user, and cleared when it unsuspended it.
 * Same portable types as 0001 (see `../types.ts`).
 */
import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_links')
    .addColumn('integration_key', 'text', (c) => c.notNull())
    .addColumn('ninjaone_uid', 'text', (c) => c.notNull())
    .addColumn('ninjaone_id', 'text', (c) => c.notNull())
    .addColumn('oomnitza_uid', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('suspended_at', 'text')
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_links_pk', ['integration_key', 'ninjaone_uid'])
    .execute();
  await db.schema
    .createIndex('user_links_oomnitza_unique')
    .unique()
    .on('user_links')
    .columns(['integration_key', 'oomnitza_uid'])
    .execute();
  for (const column of ['suspended', 'unsuspended', 'saas_suspended', 'saas_unsuspended'])
    await db.schema
      .alterTable('runs')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
}

/** @example await down(db) // only for tests of the migration itself */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['saas_unsuspended', 'saas_suspended', 'unsuspended', 'suspended'])
    await db.schema.alterTable('runs').dropColumn(column).execute();
  await db.schema.dropTable('user_links').execute();
}
