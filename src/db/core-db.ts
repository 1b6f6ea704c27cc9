/**
 * The type store functions take, so a caller holding a Kysely typed with MORE tables (the whole
 * schema, as the server does) can pass it straight in.
 *
 * Kysely's type parameter is invariant (`Kysely<A & B>` is not a `Kysely<A>`), so functions accept
 * any `Kysely<DB>` whose DB has the core tables, and view it through `coreDb()` inside. The cast is
 * safe: the extra tables are only invisible, never different.
 *
 * @example
 * export async function getRun<DB extends Database>(anyDb: Kysely<DB>, id: string) {
 *   const db = coreDb(anyDb);
 *   return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
 * }
 */
import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

/** @example const db = coreDb(appDb); */
export function coreDb<DB extends Database>(db: Kysely<DB>): Kysely<Database> {
  return db as unknown as Kysely<Database>;
}
