/**
 * The runs store's side of `RunReporter`: each `records()` call lands in one transaction (batched
 * inserts of the outcomes plus the running counts on the run), so the run page shows progress while
 * a run goes on and a crash never leaves counts that disagree with the records.
 *
 * Writes are queued and done one after another in call order. `phase()` cannot return a promise
 * (the port says void), so its write joins the same queue; a failure there is rethrown by the next
 * `records()` or `flush()`.
 *
 * It is the `RunExecutionReporter` of the CLI and the workers: it also heartbeats the run and writes
 * its end (`finish`).
 *
 * @example
 * const reporter = createRunReporter(db, run.id);
 * await executeRun({ integration, endpoints, reporter, dryRun: false, heartbeatMs: 5_000 });
 * reporter.counts(); // as stored
 */
import { emptyRunCounts } from '../sync/ports.ts';
import { IllegalRunTransitionError } from './errors.ts';
import { appendRunRecords, firstFreeSeq } from './record-batches.ts';
import { saasCountsOfRow, userCountsOfRow } from './run.ts';
import { finishRun, heartbeat } from './run-store.ts';

import type { AppDb } from '../db/app-database.ts';
import type { RecordOutcome, RunCounts, RunPhase } from '../sync/ports.ts';
import type { RunEnd, RunExecutionReporter } from './run-executor.ts';

export interface StoreRunReporter extends RunExecutionReporter {
  /** User counts of the run as stored after this reporter's last write (earlier reporters' records included); zero before its first. */
  counts(): RunCounts;
  /** SaaS-user counts, likewise. */
  saasCounts(): RunCounts;
  /** Waits for every queued write; rejects with the first write that failed. */
  flush(): Promise<void>;
  /** Stamps the run as alive; stop when a cancel was asked for or the run is no longer running. */
  heartbeat(): Promise<{ readonly stop: boolean }>;
  /**
   * Writes the end state (phase done). A run something else already ended (failed as stale while
   * this process was stopped, say) keeps that verdict.
   */
  finish(end: RunEnd): Promise<void>;
}

/**
 * A reporter that writes into `run_records` and the counts of `runs`, heartbeats the run and
 * finishes it: the runs store's side of the run executor, for the CLI and the workers.
 *
 * @example const reporter = createRunReporter(db, runId, { now: () => new Date() });
 */
export function createRunReporter(db: AppDb, runId: string, options: { readonly now?: () => Date } = {}): StoreRunReporter {
  const now = options.now ?? (() => new Date());
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
    const row = await db.transaction().execute((trx) => appendRunRecords(trx, runId, firstSeq, outcomes, now()));
    nextSeq = firstSeq + outcomes.length;
    userCounts = userCountsOfRow(row);
    saasCounts = saasCountsOfRow(row);
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
    async heartbeat() {
      const state = await heartbeat(db, runId, { now: now() });
      return { stop: state.cancelRequested || !state.running };
    },
    async finish(end) {
      await tail; // the records still queued land before the end (a failed write was kept in `failure`)
      try {
        await finishRun(db, runId, {
          state: end.state,
          ...(end.counts === undefined ? {} : { counts: end.counts }),
          ...(end.saasCounts === undefined ? {} : { saasCounts: end.saasCounts }),
          error: end.error,
          fuseReason: end.fuseReason,
          phase: 'done',
          now: now(),
        });
      } catch (error) {
        if (!(error instanceof IllegalRunTransitionError)) throw error;
      }
    },
  };
}

function zeroCounts(): RunCounts {
  return emptyRunCounts();
}
