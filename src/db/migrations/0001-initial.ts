/**
 * First schema: integrations, runs and run records.
 *
 * Written once for both engines: only `text` and `integer` columns, no engine defaults for time
 * (the code stamps ISO text), no JSON column types (JSON is text). Credentials, users, sessions,
 * tokens, alerts and notifications come in later migrations.
 */
import { sql } from 'kysely';

import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integrations_name_unique').unique().on('integrations').column('name').execute();

  let runs = db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('set null'))
    .addColumn('integration_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trigger', 'text', (c) => c.notNull());
  for (const count of countColumns) runs = runs.addColumn(count, 'integer', (c) => c.notNull().defaultTo(0));
  await runs
    .addColumn('phase', 'text')
    .addColumn('phase_total', 'integer')
    .addColumn('error', 'text')
    .addColumn('fuse_reason', 'text')
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('worker_id', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Claiming takes the oldest queued run; the stale-run watchdog scans running ones.
  await db.schema.createIndex('runs_state_queued_at').on('runs').columns(['state', 'queued_at']).execute();
  await db.schema.createIndex('runs_integration_queued_at').on('runs').columns(['integration_id', 'queued_at']).execute();
  await db.schema.createIndex('runs_queued_at').on('runs').column('queued_at').execute();
  // An integration never runs twice at once, whatever the number of workers: the database refuses
  // a second running row, so no race between claimers can get past it. NULLs (CLI runs of a file)
  // are distinct, so they never collide.
  await db.schema
    .createIndex('runs_one_running_per_integration')
    .unique()
    .on('runs')
    .column('integration_id')
    .where(sql.ref('state'), '=', sql.lit('running'))
    .execute();

  await db.schema
    .createTable('run_records')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('destination_id', 'text')
    .addColumn('changes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addPrimaryKeyConstraint('run_records_pk', ['run_id', 'seq'])
    .execute();
  await db.schema.createIndex('run_records_run_outcome').on('run_records').columns(['run_id', 'outcome']).execute();
}

/** @example await down(db) // only for tests of the migration itself */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_records').execute();
  await db.schema.dropTable('runs').execute();
  await db.schema.dropTable('integrations').execute();
}

const countColumns = [
  'created',
  'updated',
  'unchanged',
  'skipped',
  'failed',
  'saas_created',
  'saas_updated',
  'saas_unchanged',
  'saas_skipped',
  'saas_failed',
] as const;
