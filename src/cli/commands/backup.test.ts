import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';

import { serverPidFileName, writeServerPidFile } from '../../db/backup.ts';
import { openDatabase, sqliteFileName } from '../../db/open-database.ts';
import { captureIo } from '../test-io.test-support.ts';
import { backupCommand, restoreCommand } from './backup.ts';

import type { AppDb } from '../../db/app-database.ts';

function folder(t: { after: (fn: () => void) => void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ninja-sync-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One finished run with `count` records, written in one transaction, as a run's end writes them. */
async function writeRun(db: AppDb, n: number, count: number): Promise<void> {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('runs')
      .values({
        id: `run-${n}`,
        integration_id: null,
        integration_name: 'bench',
        state: 'succeeded',
        dry_run: 0,
        trigger: 'manual',
        queued_at: at,
        created: count,
      })
      .execute();
    await trx
      .insertInto('run_records')
      .values(
        Array.from({ length: count }, (_, i) => ({
          run_id: `run-${n}`,
          seq: i + 1,
          kind: 'user' as const,
          source_id: String(i),
          label: `user-${i}@acme.example`,
          outcome: 'created' as const,
          reason: null,
          destination_id: `u-${i}`,
          changes: JSON.stringify([{ field: 'notes', old: null, new: 'x'.repeat(400) }]),
        })),
      )
      .execute();
  });
}

test('a backup taken while runs are written is one consistent moment, and restores into a fresh folder with the same runs and records', async (t) => {
  const dataDir = folder(t, 'live');
  const store = await openDatabase({ dataDir });
  t.after(() => store.close());
  for (let n = 0; n < 20; n += 1) await writeRun(store.db, n, 100);

  // Runs go on being written while the backup copies pages (it yields between steps).
  let writing = true;
  let written = 20;
  const writer = (async () => {
    while (writing) {
      await writeRun(store.db, written, 100);
      written += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const backupFile = join(folder(t, 'backups'), 'ninja-sync.db');
  const io = captureIo();
  const code = await backupCommand(io, { to: backupFile, dataDir });
  writing = false;
  await writer;
  assert.equal(code, 0, io.stderr());
  assert.match(io.stdout(), /cannot be read without it/);
  assert.ok(written > 20, 'runs were written during the backup');

  const restored = folder(t, 'restored');
  const restoreIo = captureIo();
  assert.equal(await restoreCommand(restoreIo, { from: backupFile, dataDir: restored, replace: false }), 0, restoreIo.stderr());
  const copy = await openDatabase({ dataDir: restored });
  t.after(() => copy.close());
  const runs = await copy.db.selectFrom('runs').selectAll().orderBy('id').execute();
  assert.ok(runs.length >= 20 && runs.length <= written, `${runs.length} runs in the copy`);
  assert.match(restoreIo.stdout(), new RegExp(`restored ${runs.length} runs`));
  // No half-written run: each has exactly the records its count says, and they match the live store's.
  for (const run of runs) {
    const records = await copy.db.selectFrom('run_records').selectAll().where('run_id', '=', run.id).orderBy('seq').execute();
    assert.equal(records.length, run.created, run.id);
    assert.deepEqual(await store.db.selectFrom('runs').selectAll().where('id', '=', run.id).executeTakeFirst(), run);
    assert.deepEqual(await store.db.selectFrom('run_records').selectAll().where('run_id', '=', run.id).orderBy('seq').execute(), records);
  }
});

test('restore refuses while a server uses the folder, over a store unless --replace, and anything that is not a store this program knows', async (t) => {
  const dataDir = folder(t, 'source');
  const store = await openDatabase({ dataDir });
  await writeRun(store.db, 1, 3);
  await store.close();
  const backups = folder(t, 'backups');
  const backupFile = join(backups, 'one.db');
  assert.equal(await backupCommand(captureIo(), { to: backupFile, dataDir }), 0);

  const again = captureIo();
  assert.equal(await backupCommand(again, { to: backupFile, dataDir }), 1);
  assert.match(again.stderr(), /already exists; give a new file name/);

  const target = folder(t, 'target');
  const removePid = writeServerPidFile(target); // this test's own process: alive
  const busy = captureIo();
  assert.equal(await restoreCommand(busy, { from: backupFile, dataDir: target, replace: true }), 1);
  assert.match(busy.stderr(), new RegExp(`a ninja-sync server \\(pid ${process.pid}\\) is using .*; stop it first`));
  assert.equal(existsSync(join(target, sqliteFileName)), false, 'nothing was written');
  removePid();

  // A pid file left by a crashed server does not block.
  writeFileSync(join(target, serverPidFileName), '999999999\n');
  assert.equal(await restoreCommand(captureIo(), { from: backupFile, dataDir: target, replace: false }), 0);

  const over = captureIo();
  assert.equal(await restoreCommand(over, { from: backupFile, dataDir: target, replace: false }), 1);
  assert.match(over.stderr(), /already holds a store; add --replace/);
  const replaced = captureIo();
  assert.equal(await restoreCommand(replaced, { from: backupFile, dataDir: target, replace: true }), 0, replaced.stderr());
  assert.match(replaced.stdout(), /the store it replaced is kept as .*before-restore-/);
  assert.equal(readdirSync(target).filter((name) => name.includes('before-restore-')).length, 1);

  const notAStore = join(backups, 'notes.txt');
  writeFileSync(notAStore, 'hello');
  const bad = captureIo();
  assert.equal(await restoreCommand(bad, { from: notAStore, dataDir: folder(t, 'x'), replace: false }), 1);
  assert.match(bad.stderr(), /notes\.txt (is not a SQLite file|could not be read as a store)/);

  const futureDir = folder(t, 'future');
  const futureStore = await openDatabase({ dataDir: futureDir });
  await sql`insert into kysely_migration (name, timestamp) values ('9999-later', 'x')`.execute(futureStore.db);
  await futureStore.close();
  const newer = captureIo();
  assert.equal(await restoreCommand(newer, { from: join(futureDir, sqliteFileName), dataDir: folder(t, 'y'), replace: false }), 1);
  assert.match(newer.stderr(), /was made by a newer ninja-sync \(migration 9999-later is unknown/);
});

test('backup into a folder that does not exist, and restore from a folder, say so and write nothing', async (t) => {
  const dataDir = folder(t, 'to-nowhere');
  const store = await openDatabase({ dataDir });
  await store.close();
  const to = join(dataDir, 'no such folder', 'b.db');
  const io = captureIo();
  assert.equal(await backupCommand(io, { to, dataDir }), 1);
  assert.match(io.stderr(), /^ninja-sync backup: the folder .*no such folder does not exist; create it first/);
  assert.equal(existsSync(join(dataDir, 'no such folder')), false);

  const fromFolder = captureIo();
  assert.equal(await restoreCommand(fromFolder, { from: dataDir, dataDir: join(dataDir, 'target'), replace: false }), 1);
  assert.match(fromFolder.stderr(), /^ninja-sync restore: .*to-nowhere\S* is a folder; give --from the file ninja-sync backup wrote/);
  assert.equal(existsSync(join(dataDir, 'target')), false);
});

test('on PostgreSQL, backup and restore say how with pg_dump and pg_restore', async () => {
  for (const run of [
    (io: ReturnType<typeof captureIo>) => backupCommand(io, { to: 'x.db' }),
    (io: ReturnType<typeof captureIo>) => restoreCommand(io, { from: 'x.db', replace: false }),
  ]) {
    const io = captureIo({ env: { DATABASE_URL: 'postgres://app:secret@db/sync' } });
    assert.equal(await run(io), 64);
    assert.match(io.stderr(), /pg_dump --format=custom/);
    assert.match(io.stderr(), /pg_restore/);
  }
});
