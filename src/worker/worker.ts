/**
 * A worker: claims queued runs one at a time and executes them. The server runs one in-process
 * (all the embedded SQLite default needs); with PostgreSQL any number of `ninja-sync worker`
 * processes can run beside it, since claiming uses `FOR UPDATE SKIP LOCKED` and the database
 * refuses a second running run of one integration.
 *
 * `wake()` makes an idle worker look for work at once (after "Run now"), instead of at its next poll.
 *
 * @example
 * const worker = startWorker(deps, { workerId: 'server-1' });
 * worker.wake();
 * await worker.stop(); // finishes the run in hand first
 */
import { hostname } from 'node:os';

import { claimNextRun } from '../runs/claim.ts';
import { executeRun, type WorkerDeps } from './execute-run.ts';

import type { Run } from '../runs/run.ts';

export interface WorkerOptions {
  readonly workerId?: string;
  /** How often an idle worker looks for queued runs. */
  readonly pollMs?: number;
  /** Only runs of these integrations (a local agent's). */
  readonly integrationIds?: readonly string[];
  /** Called after each run ends (alerts, notifications); its failures are the caller's to log. */
  readonly onRunFinished?: (run: Run) => Promise<void>;
}

export interface Worker {
  readonly workerId: string;
  wake(): void;
  /** Stops the run now if this worker is running it (the stored cancel request is the source of truth). */
  cancel(runId: string): void;
  /** Resolves when the worker has stopped; a run in hand is finished first. */
  stop(): Promise<void>;
  /** Resolves when the worker is idle with nothing queued it could take (tests). */
  idle(): Promise<void>;
}

export function startWorker(deps: WorkerDeps, options: WorkerOptions = {}): Worker {
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const pollMs = options.pollMs ?? 2_000;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  let idleWaiters: (() => void)[] = [];
  let current: { readonly runId: string; readonly controller: AbortController } | null = null;

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
        current = { runId: run.id, controller: new AbortController() };
        await executeRun(deps, run, current.controller);
        current = null;
        await options.onRunFinished?.(run);
        continue;
      }
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      wakeUp = null;
    }
  }

  const done = loop();
  return {
    workerId,
    wake() {
      if (timer) clearTimeout(timer);
      wakeUp?.();
    },
    cancel(runId) {
      if (current?.runId === runId) current.controller.abort();
    },
    async stop() {
      stopping = true;
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
