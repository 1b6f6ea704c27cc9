/**
 * Schedules and alerts: where each integration's schedule stands (so a restart loses nothing), one
 * open alert per (subject, condition), the in-app inbox, and the e-mail outbox with retries.
 * Same portable types as 0001 (see `../types.ts`).
 */
import { sql } from 'kysely';

import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_state')
    .addColumn('integration_id', 'text', (c) => c.primaryKey().references('integrations.id').onDelete('cascade'))
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'text')
    .addColumn('last_scheduled_at', 'text')
    .addColumn('last_run_id', 'text')
    .addColumn('catch_up', 'text', (c) => c.notNull().defaultTo('once'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The run watchdog reads each integration's latest finished run on every tick.
  await db.schema.createIndex('runs_integration_finished_at').on('runs').columns(['integration_id', 'finished_at']).execute();
  await db.schema.createIndex('schedule_state_next_run_at').on('schedule_state').column('next_run_at').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_name', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('run_id', 'text')
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  // The database, not the code, guarantees one open alert per problem, whatever races.
  await db.schema
    .createIndex('alerts_one_open')
    .unique()
    .on('alerts')
    .columns(['subject_type', 'subject_id', 'condition'])
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();
  await db.schema.createIndex('alerts_last_seen_at').on('alerts').column('last_seen_at').execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('app_users.id').onDelete('cascade'))
    .addColumn('alert_id', 'text', (c) => c.references('alerts.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_user_created').on('notifications').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text', (c) => c.references('alerts.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('summarized', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('email_outbox_status_next').on('email_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('email_outbox_to_created').on('email_outbox').columns(['to_address', 'created_at']).execute();
}

/** @example await down(db) */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_outbox').execute();
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('schedule_state').execute();
  await db.schema.dropIndex('runs_integration_finished_at').execute();
}
