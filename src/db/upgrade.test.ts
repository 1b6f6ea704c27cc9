/**
 * Upgrades: a store made by the oldest migration, with data in every table it has, is brought up
 * to date by `openDatabase` with every row and value still there, whatever migrations were added
 * since (the test reads them from the migration list). A store that a newer program migrated is
 * refused with what to do, before anything is written.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';

import { forEachDialect } from '../../test/support/databases.ts';
import { StoreTooNewError } from './errors.ts';
import { migrations } from './migrations/index.ts';
import { openDatabase, sqliteFileName } from './open-database.ts';

const at = '2026-01-05T02:00:00.000Z';
const document = {
  name: 'Staff',
  source: { credential: 'ninjaone-prod', userType: 'END_USER' },
  destination: { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_API_TOKEN}' },
  recordType: 'user',
  installation: 'cloud',
  preference: 'create_and_update',
  syncKeys: ['email'],
  mapping: { email: { field: 'email', transform: ['trim', 'lower'] }, first_name: 'firstName' },
  schedule: { daily: '02:00', timezone: 'Europe/Berlin' },
  contacts: ['it-ops@acme.example'],
};

/** What the oldest migration's tables hold before the upgrade. */
const seed = {
  integrations: [
    { id: 'i1', name: 'Staff', document: JSON.stringify(document), enabled: 1, created_at: at, updated_at: at },
    {
      id: 'i2',
      name: 'Contractors',
      document: JSON.stringify({ ...document, name: 'Contractors' }),
      enabled: 0,
      created_at: at,
      updated_at: at,
    },
  ],
  runs: [
    {
      id: 'r1',
      integration_id: 'i1',
      integration_name: 'Staff',
      state: 'completed_with_errors',
      dry_run: 0,
      trigger: 'schedule',
      created: 3,
      updated: 2,
      unchanged: 40,
      skipped: 1,
      failed: 1,
      queued_at: at,
      started_at: at,
      finished_at: '2026-01-05T02:01:00.000Z',
      worker_id: 'host:1',
      error: null,
    },
    { id: 'r2', integration_id: null, integration_name: 'a file run', state: 'succeeded', dry_run: 1, trigger: 'manual', queued_at: at },
    { id: 'r3', integration_id: 'i2', integration_name: 'Contractors', state: 'queued', dry_run: 0, trigger: 'manual', queued_at: at },
  ],
  run_records: [
    {
      run_id: 'r1',
      seq: 1,
      kind: 'user',
      source_id: '17',
      label: 'ada@acme.example',
      outcome: 'updated',
      reason: null,
      destination_id: 'u-17',
      changes: JSON.stringify([{ field: 'first_name', old: 'Ad', new: 'Ada' }]),
    },
    {
      run_id: 'r1',
      seq: 2,
      kind: 'user',
      source_id: '18',
      label: 'bob@acme.example',
      outcome: 'failed',
      reason: 'Oomnitza refused: phone_number is not a phone number',
      destination_id: null,
      changes: '[]',
    },
  ],
} as const;

const oldest = Object.keys(migrations).sort()[0] ?? '';

/** A Kysely on the store of `options`, without running any migration. */
function rawKysely(options: { databaseUrl?: string; dataDir: string }): Kysely<Record<string, Record<string, unknown>>> {
  if (options.databaseUrl)
    return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 2 }) }) });
  const sqlite = new SqliteDatabase(join(options.dataDir, sqliteFileName));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
}

async function tableRows(db: Kysely<Record<string, Record<string, unknown>>>, table: string): Promise<Record<string, unknown>[]> {
  const rows = await db.selectFrom(table).selectAll().execute();
  // Numbers come back as numbers on SQLite and PostgreSQL alike for these integer columns; order by key.
  return rows.sort((a, b) =>
    JSON.stringify([a['id'], a['run_id'], a['seq']]).localeCompare(JSON.stringify([b['id'], b['run_id'], b['seq']])),
  );
}

forEachDialect('upgrades', (target) => {
  test(`a store made by the oldest migration (${oldest}) upgrades to the newest with nothing lost`, async () => {
    const options = await target.options();
    const raw = rawKysely(options);
    let before: Record<string, Record<string, unknown>[]>;
    try {
      const first = new Migrator({ db: raw, provider: { getMigrations: async () => ({ [oldest]: migrations[oldest]! }) } });
      const result = await first.migrateToLatest();
      assert.equal(result.error, undefined);
      const tables = (await raw.introspection.getTables()).map((t) => t.name).filter((name) => !name.startsWith('kysely_'));
      assert.deepEqual(tables.sort(), Object.keys(seed).sort(), 'the seed fills every table of the oldest migration');
      // One row at a time: a multi-row insert on SQLite fills a column some rows leave out with NULL, not its default.
      for (const [table, rows] of Object.entries(seed))
        for (const row of rows)
          await raw
            .insertInto(table)
            .values({ ...row })
            .execute();
      before = Object.fromEntries(await Promise.all(Object.keys(seed).map(async (table) => [table, await tableRows(raw, table)] as const)));
    } finally {
      await raw.destroy();
    }

    const upgraded = await target.reopen(options);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(upgraded.db);
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      Object.keys(migrations).sort(),
      'every migration ran',
    );
    const db = upgraded.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const [table, rows] of Object.entries(before)) {
      const after = await tableRows(db, table);
      assert.equal(after.length, rows.length, `${table}: as many rows as before`);
      // Each column the old store had keeps its value; columns added since may hold anything.
      for (const [index, row] of rows.entries()) {
        const kept = Object.fromEntries(Object.keys(row).map((column) => [column, after[index]?.[column]]));
        assert.deepEqual(kept, row, `${table} row ${index + 1}`);
      }
    }
  });

  test('a store migrated by a newer ninja-sync is refused with what to do, and left as it was', async () => {
    const options = await target.options();
    const store = await target.reopen(options);
    await sql`insert into kysely_migration (name, timestamp) values (${'9999-from-the-future'}, ${at})`.execute(store.db);
    const count = async (): Promise<number> =>
      Number((await sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(store.db)).rows[0]?.n);
    const migrationsBefore = await count();

    await assert.rejects(openDatabase(options), (error: unknown) => {
      assert.ok(error instanceof StoreTooNewError, String(error));
      assert.deepEqual(error.unknownMigrations, ['9999-from-the-future']);
      assert.match(
        error.message,
        /upgraded by a newer ninja-sync \(its migration 9999-from-the-future is unknown to ninja-sync \d+\.\d+\.\d+\); install that newer version, or restore a backup/,
      );
      return true;
    });
    assert.equal(await count(), migrationsBefore);
  });
});

test('the oldest migration is the first in the list', () => {
  assert.match(oldest, /^0001-/);
});
