/**
 * Opens the store: SQLite in the data folder by default, PostgreSQL when a `postgres://` URL is
 * given, and brings the schema up to date before anyone queries it.
 *
 * The same migrations and queries serve both engines (see `./types.ts` for the portable types).
 * Where the engines must differ (row locks), code asks `dialectOf(db)`.
 *
 * @example
 * const store = await openDatabase({ dataDir: './data', databaseUrl: process.env.DATABASE_URL });
 * try { await listRuns(store.db, { limit: 20 }); } finally { await store.close(); }
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresAdapter, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';

import { redactUrl } from '../http/redact.ts';
import { version } from '../version.ts';
import { DatabaseOpenError, MigrationError, StoreTooNewError } from './errors.ts';
import { migrationProvider, migrations } from './migrations/index.ts';

import type { DatabaseConnection, Driver } from 'kysely';
import type { Database } from './types.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /** `postgres://` or `postgresql://`; SQLite in `dataDir` when absent or empty. */
  readonly databaseUrl?: string | undefined;
  /** Folder of the SQLite file `ninja-sync.db`; created with its parents on first start. */
  readonly dataDir: string;
  /** PostgreSQL pool size (10 when absent). */
  readonly maxConnections?: number;
  /** Called when an idle PostgreSQL connection fails (the pool drops it; the next query reconnects). */
  readonly onIdleError?: (error: Error) => void;
  /**
   * False for a second handle on a store another part of this process has opened already (a run's
   * worker thread): no migration, only the connection. True when absent.
   */
  readonly migrate?: boolean;
}

export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** The SQLite file's name inside the data folder. */
export const sqliteFileName = 'ninja-sync.db';

/**
 * Opens the database and runs every pending migration.
 * Throws `DatabaseOpenError` when it cannot be reached, `MigrationError` when a migration fails,
 * `StoreTooNewError` when a newer ninja-sync has migrated the store past what this one knows.
 *
 * @example const { db, close } = await openDatabase({ dataDir: '/tmp/x' });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const url = options.databaseUrl ?? '';
  if (url === '') {
    const { opened, sqlite } = openSqlite(options.dataDir);
    if (options.migrate === false) return opened;
    const where = `SQLite file ${join(options.dataDir, sqliteFileName)}`;
    try {
      // One transaction around all pending migrations: a failed one leaves nothing half-applied,
      // and a second process starting at the same moment waits (busy_timeout) instead of racing.
      // Kysely runs SQLite migrations outside a transaction of its own, so this one is not nested.
      sqlite.exec('BEGIN IMMEDIATE');
      await migrateToLatest(opened.db, where);
      sqlite.exec('COMMIT');
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      await opened.close();
      throw error instanceof DatabaseOpenError || error instanceof MigrationError || error instanceof StoreTooNewError
        ? error
        : new DatabaseOpenError(`cannot prepare the ${where}: ${messageOf(error)}`, { cause: error });
    }
    return opened;
  }
  const opened = openPostgres(url, options);
  if (options.migrate === false) return opened;
  try {
    await migrateToLatest(opened.db, `PostgreSQL at ${redactUrl(url)}`);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/**
 * Which engine a Kysely instance (or transaction) talks to.
 *
 * @example const lock = dialectOf(db) === 'postgres' ? 'for update skip locked' : '';
 */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * One handle per SQLite file per thread: better-sqlite3 waits for a lock synchronously, so a second
 * handle in the same thread would block the thread its holder needs to finish. The runs' worker thread
 * (`src/worker/run-host.ts`) has its own handle: it waits on its own thread, and the server's
 * thread waits at most for one short transaction of the run's.
 *
 * Transactions begin IMMEDIATE (the write lock first): with two handles in WAL mode, a deferred
 * transaction that reads and then writes would fail at once with SQLITE_BUSY when the other handle
 * wrote in between, instead of waiting its turn (busy_timeout is not consulted for that upgrade).
 */
function openSqlite(dataDir: string): { opened: OpenedDatabase; sqlite: SqliteDatabase.Database } {
  const file = join(dataDir, sqliteFileName);
  let sqlite: SqliteDatabase.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    sqlite = new SqliteDatabase(file);
    // WAL lets readers (the UI) go on while a run writes; busy_timeout makes a second process
    // wait for the write lock instead of failing at once.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new DatabaseOpenError(
      `cannot open the SQLite file ${file}: ${messageOf(error)}; check that the data folder (--data-dir / DATA_DIR) is writable`,
      { cause: error },
    );
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return { opened: { db, dialect: 'sqlite', close: () => db.destroy() }, sqlite };
}

/** Kysely's SQLite dialect with `begin immediate` transactions (see `openSqlite`). */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async function beginImmediate(connection: DatabaseConnection): Promise<void> {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

function openPostgres(url: string, options: OpenDatabaseOptions): OpenedDatabase {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new DatabaseOpenError(
      `DATABASE_URL must start with postgres:// (got ${redactUrl(url)}); leave it unset to use SQLite in the data folder`,
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // Without a listener, an idle connection's error (a server restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

async function migrateToLatest(db: Kysely<Database>, where: string): Promise<void> {
  await refuseNewerStore(db, where);
  const migrator = new Migrator({ db, provider: migrationProvider });
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (error) {
    throw new DatabaseOpenError(`cannot reach the ${where}: ${messageOf(error)}`, { cause: error });
  }
  if (outcome.error !== undefined) {
    const failed = outcome.results?.find((r) => r.status === 'Error')?.migrationName ?? null;
    const what = failed === null ? 'migrating' : `migration ${failed}`;
    // Kysely reports a connection failure here too, before any migration ran.
    if (failed === null) throw new DatabaseOpenError(`cannot reach the ${where}: ${messageOf(outcome.error)}`, { cause: outcome.error });
    throw new MigrationError(`${what} failed on the ${where}: ${messageOf(outcome.error)}`, failed, { cause: outcome.error });
  }
}

/**
 * A store that a newer ninja-sync has migrated holds tables and columns this program does not know;
 * writing to it could lose data, so it is refused with what to do, before any migration runs.
 */
async function refuseNewerStore(db: Kysely<Database>, where: string): Promise<void> {
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    applied = rows.rows.map((row) => row.name);
  } catch (error) {
    // A new store has no migration table yet; anything else (unreachable) is Kysely's to report.
    if (/no such table|does not exist/i.test(messageOf(error))) return;
    throw new DatabaseOpenError(`cannot reach the ${where}: ${messageOf(error)}`, { cause: error });
  }
  const unknown = applied.filter((name) => !(name in migrations)).sort();
  if (unknown.length > 0) {
    throw new StoreTooNewError(
      `the ${where} was upgraded by a newer ninja-sync (its migration ${unknown.join(', ')} is unknown to ninja-sync ${version}); install that newer version, or restore a backup made with this one`,
      unknown,
    );
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  return error instanceof Error ? error.message : String(error);
}
