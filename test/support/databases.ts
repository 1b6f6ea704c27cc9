/**
 * Runs a block of store tests against both engines: SQLite in a temporary folder and PostgreSQL on
 * the shared test server (`./postgres.ts`). Every test gets an empty, migrated database of its own;
 * everything opened through the helper is closed and removed after the block.
 *
 * @example
 * forEachDialect('runs store', (target) => {
 *   test('creates a run', async () => {
 *     const { db } = await target.open();
 *     ...
 *   });
 * });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';

import { openDatabase } from '../../src/db/open-database.ts';
import { createPostgresDatabase, dropPostgresDatabase, stopSharedPostgres } from './postgres.ts';

import type { Dialect, OpenDatabaseOptions, OpenedDatabase } from '../../src/db/open-database.ts';

export interface TestDatabaseTarget {
  readonly dialect: Dialect;
  /** Options for `openDatabase` that point at a new, empty database (not opened yet). */
  options(): Promise<{ databaseUrl?: string; dataDir: string }>;
  /** A new, empty, migrated database; closed after the block. */
  open(): Promise<OpenedDatabase>;
  /** Opens the database of `options` (again): e.g. a second pool on the same database. Closed after the block. */
  reopen(options: OpenDatabaseOptions): Promise<OpenedDatabase>;
}

export const testDialects: readonly Dialect[] = ['sqlite', 'postgres'];

let stopHookInstalled = false;

/**
 * Declares `describe(`${name} [sqlite]`)` and `describe(`${name} [postgres]`)`, each calling `fn`
 * with a target for that engine. Call it at the top level of a test file.
 *
 * @example forEachDialect('run records', (target) => { test('pages', async () => { ... }); });
 */
export function forEachDialect(name: string, fn: (target: TestDatabaseTarget) => void): void {
  if (!stopHookInstalled) {
    stopHookInstalled = true;
    // Registered outside any describe, this runs once after the whole file.
    after(() => stopSharedPostgres());
  }
  for (const dialect of testDialects) {
    describe(`${name} [${dialect}]`, () => {
      const target = createTarget(dialect);
      after(() => target.cleanup());
      fn(target);
    });
  }
}

function createTarget(dialect: Dialect): TestDatabaseTarget & { cleanup(): Promise<void> } {
  const opened: OpenedDatabase[] = [];
  const folders: string[] = [];
  const databases: string[] = [];

  async function options(): Promise<{ databaseUrl?: string; dataDir: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ninja-sync-db-'));
    folders.push(dataDir);
    if (dialect === 'sqlite') return { dataDir };
    const databaseUrl = await createPostgresDatabase();
    databases.push(databaseUrl);
    return { databaseUrl, dataDir };
  }

  async function reopen(openOptions: OpenDatabaseOptions): Promise<OpenedDatabase> {
    const database = await openDatabase(openOptions);
    opened.push(database);
    return database;
  }

  return {
    dialect,
    options,
    reopen,
    open: async () => reopen(await options()),
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((d) => d.close()));
      await Promise.all(databases.splice(0).map((url) => dropPostgresDatabase(url)));
      for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
    },
  };
}
