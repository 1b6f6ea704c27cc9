/**
 * Backups of the embedded SQLite store: SQLite's online backup (a consistent copy while the server
 * runs and writes), and a restore that refuses while a server uses the store, checks the copy
 * before it replaces anything, and puts it in place with one rename. PostgreSQL has its own tools
 * (`pg_dump` / `pg_restore`); `postgresBackupAdvice` says how.
 *
 * A backup holds the stored secrets sealed by the vault key; it cannot be read without that key,
 * which is kept apart from it (`NINJA_SYNC_KEY` or `DATA_DIR/vault.key`).
 *
 * @example
 * await backupSqlite('./data', '/backups/ninja-sync-2026-12-01.db');
 * await restoreSqlite('/backups/ninja-sync-2026-12-01.db', './data-new');
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

import { version } from '../version.ts';
import { migrations } from './migrations/index.ts';
import { sqliteFileName } from './open-database.ts';

/** The file `serve` keeps in the data folder while it runs: its process id. */
export const serverPidFileName = 'serve.pid';

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/**
 * Copies the store of `dataDir` to `file` with SQLite's online backup API: the copy is one
 * consistent moment, taken while the server goes on writing.
 * Refuses to overwrite a file. Returns the number of runs in the copy.
 */
export async function backupSqlite(dataDir: string, file: string): Promise<{ runs: number }> {
  const source = join(dataDir, sqliteFileName);
  if (!existsSync(source)) throw new BackupError(`there is no store to back up: ${source} does not exist (check --data-dir / DATA_DIR)`);
  if (existsSync(file)) throw new BackupError(`${file} already exists; give a new file name (a backup never overwrites one)`);
  if (!existsSync(dirname(file)))
    throw new BackupError(`the folder ${dirname(file)} does not exist; create it first, or give --to a file in a folder that does`);
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // SQLite restarts an online backup whenever another connection writes between its steps, so
    // one that copies in small steps may never finish under a busy server. After the first step,
    // copy the rest in one: a read transaction, which in WAL mode never blocks the server's writes.
    await db.backup(file, { progress: () => 1_000_000_000 });
  } finally {
    db.close();
  }
  return { runs: checkStore(file).runs };
}

/** True while a `serve` process that wrote its pid file into `dataDir` is alive. */
export function serverRunningOn(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, serverPidFileName), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive but another user's; ESRCH: gone (a crash left the file behind).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** `serve` calls this once it listens; the returned function removes the file again. */
export function writeServerPidFile(dataDir: string): () => void {
  const file = join(dataDir, serverPidFileName);
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/**
 * Puts the backup `file` in place as the store of `dataDir`. Refuses while a server runs on that
 * folder, when the file is not an intact ninja-sync store, when a newer ninja-sync made it, and
 * when a store is already there unless `replace` (then the old one is kept beside it, renamed).
 */
export function restoreSqlite(
  file: string,
  dataDir: string,
  options: { readonly replace?: boolean } = {},
): { runs: number; keptAs: string | null } {
  const pid = serverRunningOn(dataDir);
  if (pid !== null) throw new BackupError(`a ninja-sync server (pid ${pid}) is using ${dataDir}; stop it first, then restore`);
  if (!existsSync(file)) throw new BackupError(`the backup ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new BackupError(`${file} is a folder; give --from the file ninja-sync backup wrote`);
  const { runs } = checkStore(file);
  mkdirSync(dataDir, { recursive: true });
  const target = join(dataDir, sqliteFileName);
  let keptAs: string | null = null;
  if (existsSync(target)) {
    if (options.replace !== true)
      throw new BackupError(`${target} already holds a store; add --replace to replace it (the old one is kept beside it)`);
    keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // Fold the old store's write-ahead log into it, so the kept file is whole on its own.
    const old = new SqliteDatabase(target);
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    renameSync(target, keptAs);
  }
  for (const extra of ['-wal', '-shm']) rmSync(`${target}${extra}`, { force: true });
  const temp = `${target}.restoring-${process.pid}`;
  const copy = new SqliteDatabase(file, { readonly: true });
  try {
    // VACUUM INTO writes a fresh, compact copy (no WAL of the backup's own).
    copy.prepare('vacuum into ?').run(temp);
  } finally {
    copy.close();
  }
  renameSync(temp, target);
  return { runs, keptAs };
}

/** Opens a store file read-only and checks it is an intact ninja-sync store this program knows. */
function checkStore(file: string): { runs: number } {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} is not a SQLite file: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged (SQLite integrity check: ${String(integrity)})`);
    let applied: string[];
    try {
      applied = (db.prepare('select name from kysely_migration').all() as { name: string }[]).map((row) => row.name);
    } catch {
      throw new BackupError(`${file} is not a ninja-sync store (it has no migration table)`);
    }
    const unknown = applied.filter((name) => !(name in migrations));
    if (unknown.length > 0)
      throw new BackupError(
        `${file} was made by a newer ninja-sync (migration ${unknown.join(', ')} is unknown to ninja-sync ${version}); restore it with that version`,
      );
    return { runs: (db.prepare('select count(*) as n from runs').get() as { n: number }).n };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} could not be read as a store: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db.close();
  }
}

/** What to do instead on PostgreSQL, where the database server owns the data. */
export const postgresBackupAdvice = [
  "The store is PostgreSQL (DATABASE_URL): back it up with PostgreSQL's own tools, which copy one consistent moment while ninja-sync runs:",
  '  pg_dump --format=custom --file=ninja-sync.dump "$DATABASE_URL"',
  'and restore into an empty database with the server and workers stopped:',
  '  pg_restore --no-owner --dbname="$DATABASE_URL" ninja-sync.dump',
].join('\n');
