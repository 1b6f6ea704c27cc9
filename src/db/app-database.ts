/**
 * The store as every function takes it: one Kysely type over the whole schema (every migration's
 * tables; see `types.ts`). A transaction (`trx`) is one too.
 *
 * @example export async function getRun(db: AppDb, id: string): Promise<Run | null> { ... }
 */
import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

export type AppDb = Kysely<Database>;
