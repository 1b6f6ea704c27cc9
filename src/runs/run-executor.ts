/**
 * The one run executor every entry point shares: `ninja-sync run` (`src/cli/run-once.ts`), the queue
 * worker (`src/worker/execute-run.ts`) and the local agent. Given an integration, its endpoints and a
 * reporter, it compiles the mapping (evaluated in the expression sandbox, within the run's budget),
 * heartbeats while the run goes on (a heartbeat may say stop: a cancel asked elsewhere, or the run
 * ended by someone else), aborts on that or on the caller's signal, runs the sync, flushes the
 * reported records and finishes the run with its end state.
 *
 * What differs between entry points is only the reporter: the runs store for the CLI and the
 * workers (`createRunReporter`), an HTTP client of the server for the agent.
 *
 * Failures: a problem the integration's owner can fix (the mapping, a missing credential: a
 * `RunSetupError` or `MappingValidationError`) finishes the run as failed with its message and is
 * returned; anything else is a bug, finished as failed ("The run stopped unexpectedly: …") and
 * rethrown, so the caller logs it or exits non-zero.
 *
 * @example
 * const reporter = createRunReporter(db, run.id, { now });
 * const done = await executeRun({ integration, endpoints: { source, destination }, reporter, dryRun: false, heartbeatMs: 5_000 });
 * done.state; // 'succeeded' | 'completed_with_errors' | 'failed' | 'canceled'
 */
import { readExpressionLimits } from '../config.ts';
import { MappingValidationError } from '../mapping/compile.ts';
import { compileSandboxedMapping, runBudget } from '../mapping/sandbox/sandboxed-mapping.ts';
import { type RunResult, runSync } from '../sync/run-sync.ts';

import type { ExpressionLimits } from '../config.ts';
import type { Integration } from '../integrations/schema.ts';
import type { UserSource } from '../mapping/source-record.ts';
import type { LinkSource, RunCounts, RunReporter, SaasDestination, TerminalRunState, UserDestination } from '../sync/ports.ts';

/** Where a run reads from and writes to. */
export interface RunEndpoints {
  readonly source: UserSource;
  /** Oomnitza users, plus the SaaS operations a "User plus SaaS user" run needs. */
  readonly destination: UserDestination & Partial<SaasDestination>;
  /** The integration's user links, for offboarding (none: nothing is suspended or unsuspended). */
  readonly links?: LinkSource;
}

/** How a run ended, as its reporter stores or sends it. */
export interface RunEnd {
  readonly state: TerminalRunState;
  /** The user counts of the whole run; absent when the run never started syncing (the reported records say all). */
  readonly counts?: RunCounts;
  readonly saasCounts?: RunCounts;
  /** What went wrong and what to do; null when nothing did. */
  readonly error: string | null;
  /** Why the safety fuse stopped the run (or would have, in a dry run); null otherwise. */
  readonly fuseReason: string | null;
}

/**
 * Where a run reports, from start to end. `phase` and `records` are the sync's `RunReporter`;
 * the executor adds the heartbeat, a flush and the end.
 *
 * Contract, for an implementation that stores the run or sends it elsewhere:
 * - `records(batch)` may be called again before an earlier call's promise settles; keep the call
 *   order (number the batches in call order). A rejection fails the run ("the run report could not
 *   be stored"), so retry transient faults inside, and make a resend of one batch idempotent.
 * - `phase(phase, total)` returns nothing: queue it with the records, and surface its failure in
 *   the next `records` or `flush`.
 * - `heartbeat()` is called every `heartbeatMs` while the run goes on; `{ stop: true }` cancels the
 *   run at its next safe point. A rejected heartbeat is ignored until the next one.
 * - `flush()` resolves once every batch is stored (rejects with the first that could not be).
 * - `finish(end)` is called exactly once, last. If the run was already ended elsewhere (failed as
 *   stale by a watchdog), that verdict stands: resolve without overwriting it.
 *
 * @example
 * // A reporter that posts to the server, as the local agent's does:
 * const reporter: RunExecutionReporter = {
 *   phase: (phase, total) => queue.push({ type: 'phase', phase, total }),
 *   records: (outcomes) => post(`/api/agent/runs/${id}/records`, { batch: nextBatch++, outcomes }),
 *   heartbeat: async () => ({ stop: (await post(`/api/agent/runs/${id}/heartbeat`, {})).cancelRequested }),
 *   flush: () => queue.drained(),
 *   finish: (end) => post(`/api/agent/runs/${id}/finish`, end),
 * };
 */
export interface RunExecutionReporter extends RunReporter {
  heartbeat(): Promise<{ readonly stop: boolean }>;
  flush(): Promise<void>;
  finish(end: RunEnd): Promise<void>;
}

/** A problem that ends a run before it syncs, in words that say what to do. Fails the run; not a bug. */
export class RunSetupError extends Error {
  override readonly name = 'RunSetupError';
}

export interface ExecuteRunInput {
  /** The integration, or how to get it (a stored one is read once the heartbeat runs). */
  readonly integration: Integration | (() => Promise<Integration>);
  /** The endpoints, or how to build them for the integration (from stored credentials, say). */
  readonly endpoints: RunEndpoints | ((integration: Integration) => Promise<RunEndpoints>);
  readonly reporter: RunExecutionReporter;
  readonly dryRun: boolean;
  /** Cancels the run from this process (Ctrl-C, a worker shutting down). */
  readonly signal?: AbortSignal;
  /** How often to call `reporter.heartbeat()`. */
  readonly heartbeatMs: number;
  /** Writes in flight at once (the sync's default when absent). */
  readonly concurrency?: number;
  readonly now?: () => Date;
  /** What the integration's expressions may use; from the environment when absent. */
  readonly expressionLimits?: ExpressionLimits;
}

export interface ExecutedRun {
  readonly state: TerminalRunState;
  /** The sync's result; null when the run failed before it synced (see `error`). */
  readonly result: RunResult | null;
  readonly error: string | null;
}

/** runSync always ends in a terminal state; a non-terminal one would be a bug, stored as failed. */
function terminal(state: RunResult['state']): TerminalRunState {
  return state === 'queued' || state === 'running' ? 'failed' : state;
}

function isSetupProblem(error: unknown): error is Error {
  return error instanceof RunSetupError || error instanceof MappingValidationError;
}

/**
 * Runs one integration to its end and reports it. Resolves with the end state; rejects only for a
 * bug (after finishing the run as failed) or when the end could not be reported.
 */
export async function executeRun(input: ExecuteRunInput): Promise<ExecutedRun> {
  const { reporter } = input;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  if (input.signal?.aborted) stop();
  input.signal?.addEventListener('abort', stop, { once: true });
  const beat = setInterval(() => {
    reporter.heartbeat().then(
      (answer) => {
        if (answer.stop) stop();
      },
      () => undefined, // a missed beat is retried at the next one
    );
  }, input.heartbeatMs);
  beat.unref();

  try {
    let result: RunResult;
    try {
      const integration = typeof input.integration === 'function' ? await input.integration() : input.integration;
      // The user's expressions and regexes run in the sandbox, within the run's budget.
      const compiled = compileSandboxedMapping(integration, runBudget(input.expressionLimits ?? readExpressionLimits(process.env)));
      const endpoints = typeof input.endpoints === 'function' ? await input.endpoints(integration) : input.endpoints;
      result = await runSync({
        integration,
        compiled,
        source: endpoints.source,
        destination: endpoints.destination,
        ...(endpoints.links === undefined ? {} : { links: endpoints.links }),
        reporter,
        dryRun: input.dryRun,
        signal: controller.signal,
        ...(input.now === undefined ? {} : { now: input.now }),
        ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
      });
      await reporter.flush();
    } catch (error) {
      if (isSetupProblem(error)) {
        await reporter.finish({ state: 'failed', error: error.message, fuseReason: null });
        return { state: 'failed', result: null, error: error.message };
      }
      const message = `The run stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
      await reporter.finish({ state: 'failed', error: message, fuseReason: null }).catch(() => undefined);
      throw error;
    }
    const state = terminal(result.state);
    await reporter.finish({
      state,
      counts: result.counts,
      ...(result.saasCounts ? { saasCounts: result.saasCounts } : {}),
      error: result.error ?? null,
      fuseReason: result.fuseTripped ?? null,
    });
    return { state, result, error: result.error ?? null };
  } finally {
    clearInterval(beat);
    input.signal?.removeEventListener('abort', stop);
  }
}
