/**
 * Errors of the store, and the engine-neutral test for the one constraint error callers act on.
 *
 * @example
 * try { await insert() } catch (error) { if (isUniqueViolation(error)) return conflict(); throw error; }
 */

/** The database could not be opened or reached; the message names the place, never a password. */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A migration failed; the schema is left at the last migration that succeeded. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly migrationName: string | null;
  constructor(message: string, migrationName: string | null, options?: { cause?: unknown }) {
    super(message, options);
    this.migrationName = migrationName;
  }
}

/** A newer ninja-sync has migrated the store: this program would not know its tables. */
export class StoreTooNewError extends Error {
  override readonly name = 'StoreTooNewError';
  constructor(
    message: string,
    readonly unknownMigrations: readonly string[],
  ) {
    super(message);
  }
}

/**
 * True for a unique or primary-key violation on either engine: PostgreSQL's SQLSTATE 23505, or
 * better-sqlite3's `SQLITE_CONSTRAINT_UNIQUE` / `SQLITE_CONSTRAINT_PRIMARYKEY`.
 *
 * @example if (isUniqueViolation(error)) throw new NameTakenError(name, { cause: error });
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = error.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * True for a foreign-key violation on either engine: PostgreSQL's SQLSTATE 23503, or better-sqlite3's
 * `SQLITE_CONSTRAINT_FOREIGNKEY`. A row was written that points at one another request deleted
 * between this request's check and its write.
 *
 * @example if (isForeignKeyViolation(error)) throw new GoneError(id, { cause: error });
 */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === '23503' || error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
