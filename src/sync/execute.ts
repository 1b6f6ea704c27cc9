/**
 * The executor: carries out a plan's creates and updates through the UserDestination with a pool of
 * `concurrency` workers, and reports every record's outcome. The Oomnitza client paces requests
 * itself (it backs off on 429 and retries faults); the pool only keeps enough writes in flight.
 *
 * - A failed write is recorded as a failed record with the error's message, and the run goes on.
 * - Cancel (the signal): no new write starts; the outcomes held for the next batch are reported at
 *   once, and so is each write in flight as it finishes (they are not given the signal, so a write
 *   is never left in an unknown state); every write not started is reported as skipped, "not
 *   written: the run was canceled".
 * - Records that need no write are reported first, as planned.
 *
 * Why a kill mid-run leaves nothing a rerun would duplicate: each write is one request for one
 * record, so a record is either written or not; the rerun plans against the destination as it then
 * is, finds a created user by its sync key and updates it or leaves it.
 *
 * @example
 * const result = await executePlan(oomnitza, reporter, plan, { concurrency: 8, signal });
 * result.counts.created;
 */
import { plannedOutcome } from './plan.ts';
import { runPool } from './pool.ts';
import { emptyRunCounts } from './ports.ts';
import { createReportBatcher } from './report-batcher.ts';

import type { Plan, PlanItem } from './plan.ts';
import type { RecordOutcome, RecordOutcomeKind, RunCounts, RunReporter, UserDestination } from './ports.ts';

export interface ExecuteOptions {
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  /** Outcomes per reporter call. */
  readonly reportBatchSize?: number;
}

/** Where a record stands in the destination after the user phase (what the SaaS phase needs). */
export interface Placement {
  readonly outcome: RecordOutcomeKind;
  /** The Oomnitza user the record is, when it is in Oomnitza; null otherwise. */
  readonly destinationId: string | null;
  readonly reason: string | null;
}

export interface ExecuteResult {
  readonly counts: RunCounts;
  /** True when the signal stopped the run before every write was made. */
  readonly canceled: boolean;
  /** By source id, for every planned record. */
  readonly placements: ReadonlyMap<string, Placement>;
}

type WriteItem = Extract<PlanItem, { action: 'create' | 'update' }>;

export const canceledReason = 'not written: the run was canceled before this record';

export function emptyCounts(): RunCounts {
  return emptyRunCounts();
}

export async function executePlan(
  destination: UserDestination,
  reporter: RunReporter,
  plan: Plan,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const batcher = createReportBatcher(reporter, options.reportBatchSize === undefined ? {} : { size: options.reportBatchSize });
  const counts = emptyCounts();
  const placements = new Map<string, Placement>();
  const writes: WriteItem[] = [];

  async function record(outcome: RecordOutcome, inDestination: string | null): Promise<void> {
    counts[outcome.outcome] += 1;
    if (outcome.sourceId !== null)
      placements.set(outcome.sourceId, { outcome: outcome.outcome, destinationId: inDestination, reason: outcome.reason });
    await batcher.add(outcome);
    // Once canceled, what was written is stored at once, not with the next full batch: a run that
    // is then cut off (its thread terminated, the process killed) still counts every write it saw.
    if (options.signal?.aborted === true) await batcher.flush();
  }
  const flushNow = (): void => {
    batcher.flush().catch(() => undefined); // a failure is kept and rethrown by the next add or flush
  };
  options.signal?.addEventListener('abort', flushNow, { once: true });

  for (const item of plan.items) {
    if (item.action === 'create' || item.action === 'update') writes.push(item);
    // A record that failed planning is not trusted to be any one destination user.
    else await record(plannedOutcome(item), item.action === 'fail' ? null : item.destinationId);
  }

  const { started } = await runPool(writes, options.concurrency, options.signal, async (item) => {
    const outcome = await write(destination, item);
    await record(outcome, outcome.destinationId);
  });

  const canceled = started < writes.length;
  for (const item of writes.slice(started)) {
    await record(
      { ...plannedOutcome(item), outcome: 'skipped', reason: canceledReason, changes: [] },
      item.action === 'update' ? item.destinationId : null,
    );
  }
  options.signal?.removeEventListener('abort', flushNow);
  await batcher.flush();
  return { counts, canceled, placements };
}

/** One record's write; never throws: a refused write is that record's failure, not the run's. */
async function write(destination: UserDestination, item: WriteItem): Promise<RecordOutcome> {
  const planned = plannedOutcome(item);
  try {
    if (item.action === 'create') {
      const created = await destination.createUser(item.fields);
      return { ...planned, destinationId: created.id };
    }
    await destination.updateUser(item.destinationId, item.patch);
    return planned;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const what =
      item.action === 'create' ? 'could not create the user in Oomnitza' : `could not update Oomnitza user uid ${item.destinationId}`;
    return { ...planned, outcome: 'failed', reason: `${what}: ${message}` };
  }
}
