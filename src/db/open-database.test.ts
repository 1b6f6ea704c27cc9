import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';

import { forEachDialect } from '../../test/support/databases.ts';
import { DatabaseOpenError, isUniqueViolation } from './errors.ts';
import { migrations } from './migrations/index.ts';
import { dialectOf, openDatabase, sqliteFileName } from './open-database.ts';

const now = '2026-11-27T09:00:00.000Z';

forEachDialect('migrations', (target) => {
  test('create every table and record every migration, once', async () => {
    const options = await target.options();
    const first = await target.reopen(options);
    assert.equal(first.dialect, target.dialect);
    assert.equal(dialectOf(first.db), target.dialect);
    const tables = (await first.db.introspection.getTables()).map((t) => t.name).sort();
    for (const table of ['integrations', 'run_records', 'runs']) assert.ok(tables.includes(table), `${table} in ${tables.join(', ')}`);
    const runColumns = (await first.db.introspection.getTables()).find((t) => t.name === 'runs')?.columns.map((c) => c.name) ?? [];
    for (const column of ['integration_id', 'trigger', 'saas_failed', 'heartbeat_at', 'worker_id', 'cancel_requested', 'fuse_reason']) {
      assert.ok(runColumns.includes(column), column);
    }
    await first.close();

    // A second open of the same database finds nothing left to do.
    const second = await target.reopen(options);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      Object.keys(migrations).sort(),
    );
  });

  test('refuse a second running run of one integration, allow it for different ones and for CLI runs', async () => {
    const { db } = await target.open();
    await db
      .insertInto('integrations')
      .values([
        { id: 'i1', name: 'one', document: '{}', enabled: 1, created_at: now, updated_at: now },
        { id: 'i2', name: 'two', document: '{}', enabled: 1, created_at: now, updated_at: now },
      ])
      .execute();
    const run = (id: string, integrationId: string | null) => ({
      id,
      integration_id: integrationId,
      integration_name: 'x',
      state: 'running' as const,
      dry_run: 0 as const,
      trigger: 'manual' as const,
      queued_at: now,
    });
    await db
      .insertInto('runs')
      .values([run('r1', 'i1'), run('r2', 'i2'), run('r3', null), run('r4', null)])
      .execute();
    await assert.rejects(db.insertInto('runs').values(run('r5', 'i1')).execute(), (error) => isUniqueViolation(error));
    await db
      .insertInto('runs')
      .values({ ...run('r6', 'i1'), state: 'queued' })
      .execute();
  });

  test('enforce unique integration names and cascade run records with their run', async () => {
    const { db } = await target.open();
    await db
      .insertInto('integrations')
      .values({ id: 'i1', name: 'same', document: '{}', enabled: 1, created_at: now, updated_at: now })
      .execute();
    await assert.rejects(
      db
        .insertInto('integrations')
        .values({ id: 'i2', name: 'same', document: '{}', enabled: 1, created_at: now, updated_at: now })
        .execute(),
      (error) => isUniqueViolation(error),
    );
    await db
      .insertInto('runs')
      .values({ id: 'r1', integration_id: 'i1', integration_name: 'same', state: 'queued', dry_run: 0, trigger: 'manual', queued_at: now })
      .execute();
    await db
      .insertInto('run_records')
      .values({
        run_id: 'r1',
        seq: 1,
        kind: 'user',
        source_id: '1',
        label: 'a',
        outcome: 'created',
        reason: null,
        destination_id: null,
        changes: '[]',
      })
      .execute();
    // Deleting the integration keeps its runs (history), without the link.
    await db.deleteFrom('integrations').where('id', '=', 'i1').execute();
    const kept = await db
      .selectFrom('runs')
      .select(['integration_id', 'integration_name'])
      .where('id', '=', 'r1')
      .executeTakeFirstOrThrow();
    assert.deepEqual(kept, { integration_id: null, integration_name: 'same' });
    await db.deleteFrom('runs').where('id', '=', 'r1').execute();
    const left = await db.selectFrom('run_records').select('seq').execute();
    assert.equal(left.length, 0);
  });
});

test('SQLite: the data folder and file are created on first start', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ninja-sync-db-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'nested', 'data');
  const store = await openDatabase({ dataDir });
  try {
    assert.ok(existsSync(join(dataDir, sqliteFileName)));
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
    assert.equal(mode.rows[0]?.journal_mode, 'wal');
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
    assert.equal(fk.rows[0]?.foreign_keys, 1);
  } finally {
    await store.close();
  }
});

test('SQLite: processes starting together on a fresh data folder all open it', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ninja-sync-db-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const module = fileURLToPath(new URL('./open-database.ts', import.meta.url));
  const code = `import(${JSON.stringify(module)}).then((m) => m.openDatabase({ dataDir: ${JSON.stringify(dataDir)} })).then((d) => d.close())`;
  const run = promisify(execFile);
  await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, ['--import', 'tsx', '-e', code], { timeout: 60_000 })));
  const store = await openDatabase({ dataDir });
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      Object.keys(migrations),
    );
  } finally {
    await store.close();
  }
});

test('a URL that is not PostgreSQL is refused without showing its password', async () => {
  await assert.rejects(openDatabase({ dataDir: tmpdir(), databaseUrl: 'mysql://app:s3cret@db/x' }), (error: unknown) => {
    assert.ok(error instanceof DatabaseOpenError);
    assert.match(error.message, /DATABASE_URL must start with postgres:\/\//);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});

test('an unreachable PostgreSQL fails with DatabaseOpenError naming the host, not the password', async () => {
  await assert.rejects(openDatabase({ dataDir: tmpdir(), databaseUrl: 'postgres://app:s3cret@127.0.0.1:1/x' }), (error: unknown) => {
    assert.ok(error instanceof DatabaseOpenError, String(error));
    assert.match(error.message, /127\.0\.0\.1:1/);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});
