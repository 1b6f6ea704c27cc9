/** The whole schema as one Kysely type (every migration's tables; see `types.ts`). */
import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

export type AppTables = Database;
export type AppDb = Kysely<Database>;
