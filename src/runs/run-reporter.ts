/**
 * The runs store's side of `RunReporter`: each `records()` call lands in one transaction (batched
 * inserts of the outcomes plus the running counts on the run), so the run page shows progress while
 * a run goes on and a crash never leaves counts that disagree with the records.
 *
 * Writes are queued and done one after another in call order. `phase()` cannot return a promise
 * (the port says void), so its write joins the same queue; a failure there is rethrown by the next
 * `records()` or `flush()`.
 *
 * @example
 * const reporter = createRunReporter(db, run.id);
 * await runSync({ ..., reporter });
 * await reporter.flush();
 * await finishRun(db, run.id, { state: reporter.counts().failed > 0 ? 'completed_with_errors' : 'succeeded' });
 */
import { appendRunRecords, firstFreeSeq } from './record-batches.ts';

import type { AppDb } from '../db/app-database.ts';
import type { RecordOutcome, RunCounts, RunPhase, RunReporter } from '../sync/ports.ts';

export interface StoreRunReporter extends RunReporter {
  /** User counts of the run as stored after this reporter's last write (earlier reporters' records included); zero before its first. */
  counts(): RunCounts;
  /** SaaS-user counts, likewise. */
  saasCounts(): RunCounts;
  /** Waits for every queued write; rejects with the first write that failed. */
  flush(): Promise<void>;
}

/**
 * A reporter that writes into `run_records` and the counts of `runs`.
 *
 * @example const reporter = createRunReporter(db, runId);
 */
export function createRunReporter(db: AppDb, runId: string): StoreRunReporter {
  let tail: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let nextSeq: number | null = null;
  let userCounts = zeroCounts();
  let saasCounts = zeroCounts();

  function enqueue(write: () => Promise<void>): Promise<void> {
    tail = tail.then(async () => {
      if (failure !== null) return;
      try {
        await write();
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
    });
    return tail.then(() => {
      if (failure !== null) throw failure;
    });
  }

  async function writeRecords(outcomes: readonly RecordOutcome[]): Promise<void> {
    // Continue after records an earlier reporter of this run left (a resumed run), never collide.
    nextSeq ??= await firstFreeSeq(db, runId);
    const firstSeq = nextSeq;
    const row = await db.transaction().execute((trx) => appendRunRecords(trx, runId, firstSeq, outcomes));
    nextSeq = firstSeq + outcomes.length;
    userCounts = { created: row.created, updated: row.updated, unchanged: row.unchanged, skipped: row.skipped, failed: row.failed };
    saasCounts = {
      created: row.saas_created,
      updated: row.saas_updated,
      unchanged: row.saas_unchanged,
      skipped: row.saas_skipped,
      failed: row.saas_failed,
    };
  }

  return {
    phase(phase: RunPhase, total?: number): void {
      enqueue(async () => {
        await db
          .updateTable('runs')
          .set({ phase, phase_total: total ?? null })
          .where('id', '=', runId)
          .execute();
      }).catch(() => {
        // Kept in `failure` and rethrown by the next records() or flush().
      });
    },
    records(outcomes: readonly RecordOutcome[]): Promise<void> {
      if (outcomes.length === 0) return enqueue(async () => {});
      // Copied now: the caller may reuse its array before the queued write runs.
      const batch = [...outcomes];
      return enqueue(() => writeRecords(batch));
    },
    counts: () => ({ ...userCounts }),
    saasCounts: () => ({ ...saasCounts }),
    flush: () => enqueue(async () => {}),
  };
}

function zeroCounts(): RunCounts {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
}
