/**
 * Records reported from afar (a local agent) in numbered batches. Each batch lands in one
 * transaction with its number: the records, the run's running counts, and a row saying the batch
 * arrived. An agent that lost the answer sends the batch again; the number is recognised and
 * nothing is stored or counted twice.
 *
 * `appendRunRecords` is the shared step: the store's own reporter (`run-reporter.ts`) uses it too,
 * so records and counts move together whoever reports them.
 *
 * @example
 * const result = await storeRecordBatch(db, run.id, 3, outcomes, now);
 * if (result.duplicate) log('batch 3 was stored already');
 */
import { sql } from 'kysely';

import { isUniqueViolation } from '../db/errors.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { insertRunRecords } from './run-records.ts';
import { applyLinkOutcomes, linkKey } from './user-links.ts';

import type { Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { RunsTable } from '../db/types.ts';
import type { RecordOutcome, RunCounts } from '../sync/ports.ts';

/**
 * Inserts outcomes as `seq` firstSeq, ... and adds them to the run's counts and the integration's
 * user links; answers the run row as it stands after. Call it inside a transaction.
 */
export async function appendRunRecords(
  trx: AppDb,
  runId: string,
  firstSeq: number,
  outcomes: readonly RecordOutcome[],
  now: Date = new Date(),
): Promise<Selectable<RunsTable>> {
  const user = tally(outcomes, 'user');
  const saas = tally(outcomes, 'saas');
  await insertRunRecords(trx, runId, firstSeq, outcomes);
  const row = await trx
    .updateTable('runs')
    .set((eb) => ({
      created: eb('created', '+', user.created),
      updated: eb('updated', '+', user.updated),
      unchanged: eb('unchanged', '+', user.unchanged),
      skipped: eb('skipped', '+', user.skipped),
      filtered: eb('filtered', '+', user.filtered),
      failed: eb('failed', '+', user.failed),
      suspended: eb('suspended', '+', user.suspended),
      unsuspended: eb('unsuspended', '+', user.unsuspended),
      saas_created: eb('saas_created', '+', saas.created),
      saas_updated: eb('saas_updated', '+', saas.updated),
      saas_unchanged: eb('saas_unchanged', '+', saas.unchanged),
      saas_skipped: eb('saas_skipped', '+', saas.skipped),
      saas_filtered: eb('saas_filtered', '+', saas.filtered),
      saas_failed: eb('saas_failed', '+', saas.failed),
      saas_suspended: eb('saas_suspended', '+', saas.suspended),
      saas_unsuspended: eb('saas_unsuspended', '+', saas.unsuspended),
    }))
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
  // The offboarding links move with the records that make them (a dry run makes none).
  if (Number(row.dry_run) !== 1)
    await applyLinkOutcomes(trx, linkKey({ integrationId: row.integration_id, integrationName: row.integration_name }), outcomes, now);
  return row;
}

/** The next free `seq` of a run's records (1 for a run without records). */
export async function firstFreeSeq(db: AppDb, runId: string): Promise<number> {
  const row = await db
    .selectFrom('run_records')
    .select(sql<number | string | null>`max(seq)`.as('last'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

export type BatchResult =
  | { readonly outcome: 'stored'; readonly records: number }
  | { readonly outcome: 'duplicate'; readonly records: number }
  /** The run is not running any more (finished, canceled, or failed as vanished): nothing stored. */
  | { readonly outcome: 'not_running'; readonly state: string };

/**
 * Stores batch number `batch` of a running run once; see the module comment.
 *
 * @example await storeRecordBatch(db, runId, 1, outcomes, new Date());
 */
export async function storeRecordBatch(
  db: AppDb,
  runId: string,
  batch: number,
  outcomes: readonly RecordOutcome[],
  now: Date,
): Promise<BatchResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      const seen = await trx
        .selectFrom('run_record_batches')
        .select('records')
        .where('run_id', '=', runId)
        .where('batch', '=', batch)
        .executeTakeFirst();
      if (seen !== undefined) return { outcome: 'duplicate' as const, records: seen.records };
      const run = await trx.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirst();
      if (run?.state !== 'running') return { outcome: 'not_running' as const, state: run?.state ?? 'missing' };
      await trx
        .insertInto('run_record_batches')
        .values({ run_id: runId, batch, records: outcomes.length, received_at: now.toISOString() })
        .execute();
      if (outcomes.length > 0) await appendRunRecords(trx, runId, await firstFreeSeq(trx, runId), outcomes, now);
      return { outcome: 'stored' as const, records: outcomes.length };
    });
  } catch (error) {
    // The same batch arriving twice at once: the second insert loses on the primary key.
    if (isUniqueViolation(error)) return { outcome: 'duplicate', records: outcomes.length };
    throw error;
  }
}

function tally(outcomes: readonly RecordOutcome[], kind: 'user' | 'saas'): RunCounts {
  const counts = emptyRunCounts();
  for (const o of outcomes) {
    if ((o.kind === 'saas' ? 'saas' : 'user') === kind && Object.hasOwn(counts, o.outcome)) counts[o.outcome] += 1;
  }
  return counts;
}
