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
import { sql } from 'kysely';

import { recordOutcomes } from '../sync/ports.ts';
import { insertRunRecords } from './run-records.ts';

import type { AppDb } from '../db/app-database.ts';
import type { RecordOutcome, RecordOutcomeKind, RunCounts, RunPhase, RunReporter } from '../sync/ports.ts';

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
    const user = tally(outcomes, 'user');
    const saas = tally(outcomes, 'saas');
    const row = await db.transaction().execute(async (trx) => {
      await insertRunRecords(trx, runId, firstSeq, outcomes);
      return trx
        .updateTable('runs')
        .set((eb) => ({
          created: eb('created', '+', user.created),
          updated: eb('updated', '+', user.updated),
          unchanged: eb('unchanged', '+', user.unchanged),
          skipped: eb('skipped', '+', user.skipped),
          failed: eb('failed', '+', user.failed),
          saas_created: eb('saas_created', '+', saas.created),
          saas_updated: eb('saas_updated', '+', saas.updated),
          saas_unchanged: eb('saas_unchanged', '+', saas.unchanged),
          saas_skipped: eb('saas_skipped', '+', saas.skipped),
          saas_failed: eb('saas_failed', '+', saas.failed),
        }))
        .where('id', '=', runId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
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

async function firstFreeSeq(db: AppDb, runId: string): Promise<number> {
  const row = await db
    .selectFrom('run_records')
    .select(sql<number | string | null>`max(seq)`.as('last'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

function tally(outcomes: readonly RecordOutcome[], kind: 'user' | 'saas'): RunCounts {
  const counts = zeroCounts();
  for (const o of outcomes) {
    if ((o.kind === 'saas' ? 'saas' : 'user') === kind && isOutcome(o.outcome)) counts[o.outcome] += 1;
  }
  return counts;
}

function isOutcome(value: unknown): value is RecordOutcomeKind {
  return (recordOutcomes as readonly unknown[]).includes(value);
}

function zeroCounts(): RunCounts {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
}
