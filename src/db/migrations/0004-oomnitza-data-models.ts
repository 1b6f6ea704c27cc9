/**
 * The users data model of each Oomnitza connection, as last read from the instance
 * (`GET /api/v3/users/meta`), so the mapping page, validate and the save can offer and check the
 * tenant's fields without asking Oomnitza every time. One row per connection, replaced on refresh,
 * gone with the connection. Same portable types as 0001 (see `../types.ts`).
 */
import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oomnitza_data_models')
    .addColumn('connection_id', 'text', (c) => c.primaryKey().references('oomnitza_connections.id').onDelete('cascade'))
    .addColumn('available', 'integer', (c) => c.notNull())
    // `OomnitzaFieldInfo[]` as JSON text when available; null otherwise.
    .addColumn('fields', 'text')
    // Why there is no data model (the instance does not serve it, or answered something else).
    .addColumn('reason', 'text')
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .execute();
}

/** @example await down(db) */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oomnitza_data_models').execute();
}
