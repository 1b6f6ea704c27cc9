/**
 * Offboarding, the writing half: each planned suspension is one `PATCH` of `suspended` on one
 * Oomnitza user, made with the same bounded pool as the other writes, and reported as `suspended`
 * or `unsuspended` (or `failed` with the reason, and the run goes on).
 *
 * Crash safety: the store marks a link suspended only when the outcome is stored, after the write.
 * A run killed between the two leaves the link unmarked and the next run suspends the user again —
 * the same `suspended: true` once more, harmless. A link is never marked for a write not made.
 *
 * @example
 * const result = await executeOffboarding(oomnitza, batcher, offboard.items, { concurrency: 8, signal });
 * result.counts.suspended;
 */
import { canceledReason, emptyCounts } from './execute.ts';
import { offboardOutcome } from './offboard.ts';
import { runPool } from './pool.ts';

import type { OffboardItem } from './offboard.ts';
import type { RecordOutcome, RunCounts, UserDestination } from './ports.ts';
import type { ReportBatcher } from './report-batcher.ts';

export interface OffboardResult {
  readonly counts: RunCounts;
  readonly canceled: boolean;
}

export async function executeOffboarding(
  destination: UserDestination,
  batcher: ReportBatcher,
  items: readonly OffboardItem[],
  options: { readonly concurrency: number; readonly signal?: AbortSignal },
): Promise<OffboardResult> {
  const counts = emptyCounts();
  async function record(outcome: RecordOutcome): Promise<void> {
    counts[outcome.outcome] += 1;
    await batcher.add(outcome);
  }
  const { started } = await runPool(items, options.concurrency, options.signal, async (item) => {
    await record(await write(destination, item));
  });
  for (const item of items.slice(started))
    await record({ ...offboardOutcome(item), outcome: 'skipped', reason: canceledReason, changes: [] });
  await batcher.flush();
  return { counts, canceled: started < items.length };
}

/** One user's suspension or its undoing; never throws: a refused write is that record's failure. */
async function write(destination: UserDestination, item: OffboardItem): Promise<RecordOutcome> {
  const planned = offboardOutcome(item);
  const suspend = item.action === 'suspend';
  try {
    await destination.updateUser(item.link.oomnitzaUid, { suspended: suspend });
    return planned;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...planned,
      outcome: 'failed',
      reason: `could not ${suspend ? 'suspend' : 'unsuspend'} Oomnitza user uid ${item.link.oomnitzaUid} (${item.reason.split(';')[0] ?? ''}): ${message}`,
      changes: [],
    };
  }
}
