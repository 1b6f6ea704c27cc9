/**
 * The lock under which "which integrations name which credential or Oomnitza connection" is checked
 * and changed. Integrations name them by name (as the YAML file does), so no foreign key keeps a
 * reference alive: a save that checked a credential exists and a delete that checked no integration
 * names it must not interleave, or the integration is stored naming nothing. Each takes this lock in
 * its transaction, around its last check and its write. On SQLite the one connection already runs
 * one transaction at a time; on PostgreSQL it is a transaction-scoped advisory lock.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await lockNameReferences(trx);
 *   if ((await integrationsUsing(trx, name)).length === 0) await trx.deleteFrom('credentials').where('id', '=', id).execute();
 * });
 */
import { sql } from 'kysely';

import { dialectOf } from './open-database.ts';

import type { AppDb } from './app-database.ts';

/** An arbitrary, fixed advisory-lock number for "integrations and the names they reference". */
const nameReferencesLock = 7_201_104_502;

export async function lockNameReferences(trx: AppDb): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${nameReferencesLock})`.execute(trx);
}
