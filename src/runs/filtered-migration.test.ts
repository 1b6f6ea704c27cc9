/**
 * Migration 0006 on a store with runs from before it: records a filter rule dropped (stored as
 * skipped then, with the filter's own reason) become `filtered`, and each run's counts move with
 * them, so an old run reads like a new one; other skipped records stay skipped.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

import { forEachDialect } from '../../test/support/databases.ts';
import { migrations } from '../db/migrations/index.ts';
import { sqliteFileName } from '../db/open-database.ts';
import { listRunRecords } from './run-records.ts';
import { getRun } from './run-store.ts';

const at = '2026-01-05T02:00:00.000Z';

function rawKysely(options: { databaseUrl?: string; dataDir: string }): Kysely<Record<string, Record<string, unknown>>> {
  if (options.databaseUrl)
    return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 2 }) }) });
  const sqlite = new SqliteDatabase(join(options.dataDir, sqliteFileName));
  sqlite.pragma('foreign_keys = ON');
  return new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
}

const record = (seq: number, outcome: string, reason: string | null, kind = 'user') => ({
  run_id: 'r1',
  seq,
  kind,
  source_id: String(seq),
  label: `user${String(seq)}@acme.example`,
  outcome,
  reason,
  destination_id: null,
  changes: '[]',
});

forEachDialect('migration 0006 (filtered outcome)', (target) => {
  test('a run stored before: its filter drops become filtered, its other skips stay skipped', async () => {
    const options = await target.options();
    const raw = rawKysely(options);
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0006'));
      const result = await new Migrator({ db: raw, provider: { getMigrations: async () => before } }).migrateToLatest();
      assert.equal(result.error, undefined);
      await raw
        .insertInto('runs')
        .values({
          id: 'r1',
          integration_id: null,
          integration_name: 'Staff',
          state: 'succeeded',
          dry_run: 0,
          trigger: 'cli',
          queued_at: at,
          created: 1,
          skipped: 3,
          saas_skipped: 1,
        })
        .execute();
      for (const row of [
        record(1, 'created', null),
        record(2, 'skipped', 'filtered out by rule 1: enabled eq true'),
        record(3, 'skipped', 'filtered out by rule 2: userType eq END_USER'),
        record(4, 'skipped', 'no value in the sync key email, so it cannot be matched'),
        record(5, 'skipped', 'filtered out by rule 1: not a user row', 'saas'),
      ])
        await raw.insertInto('run_records').values(row).execute();
    } finally {
      await raw.destroy();
    }

    const { db } = await target.reopen(options);
    const run = await getRun(db, 'r1');
    assert.equal(run?.counts.skipped, 1);
    assert.equal(run?.counts.filtered, 2);
    assert.equal(run?.counts.created, 1);
    assert.equal(run?.saasCounts.skipped, 1, 'SaaS records are never filtered');
    assert.equal(run?.saasCounts.filtered, 0);
    const filtered = await listRunRecords(db, 'r1', { outcome: 'filtered', limit: 10, offset: 0 });
    assert.deepEqual(
      filtered.records.map((r) => r.seq),
      [2, 3],
    );
    const skipped = await listRunRecords(db, 'r1', { outcome: 'skipped', limit: 10, offset: 0 });
    assert.deepEqual(
      skipped.records.map((r) => r.seq),
      [4, 5],
    );
  });
});
