/**
 * One recorded run for the command line (`run` and `demo`): creates the run row and runs it through
 * the run executor all entry points share (`src/runs/run-executor.ts`), reporting into the store
 * behind a progress display, and keeps a few records of each outcome in memory for the summary.
 *
 * The run's state is always written back, also when the sync throws (a bug): the row then says
 * failed with the message, instead of staying "running".
 *
 * @example
 * const done = await runOnce({ db, integration, source, destination, io, dryRun: false, concurrency: 8, progress: true });
 * io.out(formatSummary(done.summary));
 */
import { hostname } from 'node:os';

import { executeRun } from '../runs/run-executor.ts';
import { createRunReporter } from '../runs/run-reporter.ts';
import { createRun, finishRun, getRun, listRuns, startRun } from '../runs/run-store.ts';
import { createLinkSource, linkKey } from '../runs/user-links.ts';
import { recordOutcomes } from '../sync/ports.ts';
import { withProgress } from './progress.ts';

import type { ExpressionLimits } from '../config.ts';
import type { AppDb } from '../db/app-database.ts';
import type { RetryInfo } from '../http/send-json.ts';
import type { Integration } from '../integrations/schema.ts';
import type { UserSource } from '../mapping/source-record.ts';
import type { Run } from '../runs/run.ts';
import type { RunExecutionReporter } from '../runs/run-executor.ts';
import type { RecordOutcome, RecordOutcomeKind, RunReporter, SaasDestination, UserDestination } from '../sync/ports.ts';
import type { RunResult } from '../sync/run-sync.ts';
import type { CliIo } from './io.ts';
import type { RunSummary } from './summary.ts';

export interface RunOnceInput {
  readonly db: AppDb;
  readonly integration: Integration;
  readonly source: UserSource;
  readonly destination: UserDestination & Partial<SaasDestination>;
  readonly io: CliIo;
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Show the progress bar or log lines on stderr. */
  readonly progress: boolean;
  readonly signal?: AbortSignal;
  /** Records of each outcome kept for the summary (failed and skipped: the summary's list). */
  readonly sampleLimit?: number;
  /** Retried requests by cause, counted by the clients' onRetry (see `retryTally`). */
  readonly retries?: Readonly<Record<string, number>>;
  /** How often the run tells the store it is alive (and learns of a cancel asked elsewhere); 15 s by default. */
  readonly heartbeatMs?: number;
  /** Time and heap for the mapping's expressions (read from the environment when absent). */
  readonly expressionLimits?: ExpressionLimits;
}

export interface RunOnceResult {
  readonly run: Run;
  readonly result: RunResult;
  readonly summary: RunSummary;
  /** Up to `sampleLimit` user records of each outcome, in report order. */
  readonly samples: Readonly<Record<RecordOutcomeKind, readonly RecordOutcome[]>>;
}

export async function runOnce(input: RunOnceInput): Promise<RunOnceResult> {
  const { db, integration, io } = input;
  const limit = input.sampleLimit ?? 20;
  await closeOrphanedRuns(db);
  const created = await createRun(db, { integrationId: null, integrationName: integration.name, trigger: 'cli', dryRun: input.dryRun });
  await startRun(db, created.id, { workerId: `${workerPrefix()}${process.pid}` });

  const samples = Object.fromEntries(recordOutcomes.map((outcome) => [outcome, []])) as unknown as Record<
    RecordOutcomeKind,
    RecordOutcome[]
  >;
  const problemTotal = { n: 0 };
  const store = createRunReporter(db, created.id);
  const sampling: RunReporter = {
    phase: (phase, total) => store.phase(phase, total),
    async records(outcomes) {
      for (const outcome of outcomes) {
        if (outcome.outcome === 'failed' || outcome.outcome === 'skipped') problemTotal.n++;
        const bucket = samples[outcome.outcome];
        if (bucket.length < limit) bucket.push(outcome);
      }
      await store.records(outcomes);
    },
  };
  const progress = withProgress(sampling, io, { enabled: input.progress });
  // A server or worker on the same store fails runs that stop sending heartbeats, and may ask this
  // run to cancel (the web UI's Cancel): the beat keeps the run alive and hears the request.
  const reporter: RunExecutionReporter = {
    phase: (phase, total) => progress.phase(phase, total),
    records: (outcomes) => progress.records(outcomes),
    heartbeat: () => store.heartbeat(),
    flush: () => store.flush(),
    async finish(end) {
      progress.finish();
      await store.finish(end);
    },
  };
  const started = performance.now();
  const done = await executeRun({
    integration,
    // A file's integration has no id: its links are kept under its name (see src/runs/user-links.ts).
    endpoints: {
      source: input.source,
      destination: input.destination,
      links: createLinkSource(db, linkKey({ integrationId: null, integrationName: integration.name })),
    },
    reporter,
    dryRun: input.dryRun,
    concurrency: input.concurrency,
    heartbeatMs: input.heartbeatMs ?? 15_000,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.expressionLimits === undefined ? {} : { expressionLimits: input.expressionLimits }),
  });
  const durationMs = performance.now() - started;
  const run = await getRun(db, created.id);
  if (run === null) throw new Error(`run ${created.id} vanished from the store while it ran`);
  // Failed before it synced (cannot happen after "ninja-sync validate" passed): the run's error says why.
  const result: RunResult = done.result ?? {
    state: done.state,
    counts: run.counts,
    durations: {},
    ...(done.error === null ? {} : { error: done.error }),
  };
  const problems = [...samples.failed, ...samples.skipped].slice(0, limit);
  return {
    run,
    result,
    samples,
    summary: {
      runId: run.id,
      integration: integration.name,
      state: result.state,
      dryRun: input.dryRun,
      counts: result.counts,
      saasCounts: result.saasCounts,
      error: result.error,
      fuseReason: result.fuseTripped,
      durationMs,
      problems,
      problemTotal: problemTotal.n,
      offboarded: [...samples.suspended, ...samples.unsuspended].slice(0, limit),
      ...(input.retries ? { retries: { ...input.retries } } : {}),
    },
  };
}

/** Counts retried requests by vendor and cause: "Oomnitza 429", "NinjaOne html", "Oomnitza network". */
export function retryTally(): { readonly counts: Record<string, number>; readonly onRetry: (info: RetryInfo) => void } {
  const counts: Record<string, number> = {};
  return {
    counts,
    onRetry(info) {
      const vendor = info.error.vendor;
      const cause =
        info.error.kind === 'http' || info.error.kind === 'rate_limited'
          ? String(info.error.status ?? info.error.kind)
          : info.error.kind.replace('_', ' ');
      const key = `${vendor} ${cause}`;
      counts[key] = (counts[key] ?? 0) + 1;
    },
  };
}

function workerPrefix(): string {
  return `cli:${hostname()}:`;
}

export const orphanedRunError =
  'The ninja-sync process running this run stopped before it finished (killed or crashed). Records reported before then stand; a rerun finishes the job without duplicates.';

/**
 * Runs this machine's CLI started whose process is gone (killed, crashed, power lost) would stay
 * "running" for ever; each CLI run closes them as failed first. Only runs of this host are touched,
 * and only when their process id no longer exists.
 */
export async function closeOrphanedRuns(db: AppDb): Promise<number> {
  const running = await listRuns(db, { state: 'running', limit: 100 });
  let closed = 0;
  for (const run of running) {
    if (run.workerId === null || !run.workerId.startsWith(workerPrefix())) continue;
    const pid = Number(run.workerId.slice(workerPrefix().length));
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await finishRun(db, run.id, { state: 'failed', error: orphanedRunError, phase: 'done' });
    closed++;
  }
  return closed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
