/**
 * A worker: claims queued runs and executes them, one at a time by default, or up to
 * `runsAtOnce` at a time (each a loop of its own: claim, run, claim again). A run spends nearly
 * all its time waiting for the vendors, so one process can keep several in flight. The server
 * runs one worker in-process (all the embedded SQLite default needs); with PostgreSQL any number of
 * `ninja-sync worker` processes can run beside it, since claiming uses `FOR UPDATE SKIP LOCKED`
 * and the database refuses a second running run of one integration.
 *
 * `wake()` makes an idle worker look for work at once (after "Run now"), instead of at its next poll.
 *
 * @example
 * const worker = startWorker(deps, { workerId: 'server-1', runsAtOnce: 4 });
 * worker.wake();
 * await worker.stop(); // cancels the runs in hand at their next safe point
 */
import { hostname } from 'node:os';

import { claimNextRun } from '../runs/claim.ts';
import { executeRun, type WorkerDeps } from './execute-run.ts';

import type { Run } from '../runs/run.ts';

export interface WorkerOptions {
  readonly workerId?: string;
  /**
   * Runs this worker executes at the same time (1 when absent). Each takes its own database
   * connections while it reports, so keep the pool (DATABASE_POOL_SIZE) above it.
   */
  readonly runsAtOnce?: number;
  /** How often an idle worker looks for queued runs. */
  readonly pollMs?: number;
  /** Only runs of these integrations (a local agent's). */
  readonly integrationIds?: readonly string[];
  /** Called when this worker has claimed a run, before it executes it. */
  readonly onRunStarted?: (run: Run) => void;
  /** Called after each run ends (alerts, notifications); its failures are the caller's to log. */
  readonly onRunFinished?: (run: Run) => Promise<void>;
}

export interface Worker {
  readonly workerId: string;
  wake(): void;
  /** Stops the run now if this worker is running it (the stored cancel request is the source of truth). */
  cancel(runId: string): void;
  /** Resolves when the worker has stopped; the runs in hand are canceled first (at their next safe point). */
  stop(): Promise<void>;
  /** Resolves when the worker is idle (no run in hand) with nothing queued it could take (tests). */
  idle(): Promise<void>;
}

export function startWorker(deps: WorkerDeps, options: WorkerOptions = {}): Worker {
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const pollMs = options.pollMs ?? 2_000;
  const runsAtOnce = options.runsAtOnce ?? 1;
  if (!Number.isInteger(runsAtOnce) || runsAtOnce < 1)
    throw new RangeError(`runsAtOnce must be a whole number of at least 1, got ${runsAtOnce}`);
  let stopping = false;
  // Each idle loop waits on its own timer; wake() ends every wait.
  const sleepers = new Set<{ readonly timer: NodeJS.Timeout; readonly resolve: () => void }>();
  let idleWaiters: (() => void)[] = [];
  // Loops claiming or running; the worker is idle when none is.
  let busy = runsAtOnce;
  const current = new Map<string, AbortController>();

  async function loop(): Promise<void> {
    while (!stopping) {
      let run;
      try {
        // Never a Local integration's run: only its agent holds the credentials.
        run = await claimNextRun(deps.db, workerId, {
          now: deps.now(),
          installation: 'cloud',
          ...(options.integrationIds ? { integrationIds: options.integrationIds } : {}),
        });
      } catch (error) {
        deps.log?.('error', 'claiming a run failed', { error: String(error) });
        run = null;
      }
      if (run) {
        const controller = new AbortController();
        current.set(run.id, controller);
        options.onRunStarted?.(run);
        try {
          await executeRun(deps, run, controller);
        } finally {
          current.delete(run.id);
        }
        await options.onRunFinished?.(run);
        continue;
      }
      busy -= 1;
      if (busy === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
      }
      await new Promise<void>((resolve) => {
        const sleeper = { timer: setTimeout(() => wakeOne(sleeper), pollMs), resolve };
        sleepers.add(sleeper);
      });
      busy += 1;
    }
  }

  function wakeOne(sleeper: { readonly timer: NodeJS.Timeout; readonly resolve: () => void }): void {
    clearTimeout(sleeper.timer);
    sleepers.delete(sleeper);
    sleeper.resolve();
  }

  const done = Promise.all(Array.from({ length: runsAtOnce }, () => loop()));
  return {
    workerId,
    wake() {
      for (const sleeper of [...sleepers]) wakeOne(sleeper);
    },
    cancel(runId) {
      current.get(runId)?.abort();
    },
    async stop() {
      stopping = true;
      // One SIGTERM stops the server within seconds: the runs in hand are canceled (their writes in
      // flight finish and are stored), not finished.
      for (const controller of current.values()) controller.abort();
      this.wake();
      await done;
      for (const resolve of idleWaiters) resolve();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        this.wake();
      });
    },
  };
}
