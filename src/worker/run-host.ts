/**
 * The server's runs in a worker thread of their own (the run host), so that a run's CPU work
 * (thousands of records read, planned and reported) never holds the event loop the API answers on.
 * The thread runs an ordinary worker (`worker.ts`) with its own handle on the store; this side is a
 * `Worker` like the in-process one: `wake`, `cancel`, `stop`, `idle` become messages.
 *
 * Stopping, within seconds whatever the run is doing:
 * - `cancel(runId)` cancels the run at its next safe point (a user expression in the sandbox is
 *   killed at once, writes in flight finish and are stored). A run still going `cancelMs` later (a
 *   vendor holding a write, a 429 back-off) is stopped by terminating the thread, which holds one
 *   run at a time; the run ends canceled here, with the counts of the records it stored.
 * - `stop()` (SIGTERM) cancels every run in hand the same way, and terminates the thread if it has
 *   not ended `stopMs` later.
 * - A thread that dies (past its heap limit, `memoryMb`, or of a bug) has its runs ended as failed
 *   with the reason, and is started again (1 s, then longer while it keeps failing). The server's
 *   own heap is not touched: a run too big for its limit never takes the API down with it.
 *
 * A run stopped by terminating the thread may have had one write in flight: the vendor may have
 * applied it without the run storing it. A rerun is safe: it finds that user by its sync key.
 *
 * @example
 * const host = startRunHost(setup, { db, now, log, onRunFinished });
 * host.wake();          // after "Run now"
 * host.cancel(run.id);  // after "Cancel"
 * await host.stop();    // SIGTERM
 */
import { hostname } from 'node:os';
import { Worker as NodeWorker } from 'node:worker_threads';

import { credentialLockMemory, releaseThreadLockOf } from '../credentials/thread-lock.ts';
import { IllegalRunTransitionError } from '../runs/errors.ts';
import { finishRun } from '../runs/run-store.ts';

import type { ExpressionLimits } from '../config.ts';
import type { AppDb } from '../db/app-database.ts';
import type { Run } from '../runs/run.ts';
import type { Worker } from './worker.ts';

/** What the thread starts with: plain data, since functions and handles cannot cross into it. */
export interface RunHostSetup {
  readonly store: { readonly databaseUrl?: string | undefined; readonly dataDir: string; readonly maxConnections?: number };
  readonly vaultKeys: { readonly current: Uint8Array; readonly previous: readonly Uint8Array[] };
  /** `allowPrivateVendorHosts` of this process: module state is per thread. */
  readonly allowPrivateHosts: boolean;
  readonly expressionLimits: ExpressionLimits;
  readonly heartbeatMs?: number;
  readonly worker: { readonly workerId?: string; readonly pollMs?: number; readonly runsAtOnce?: number };
  /** The thread's heap limit (MB): a run that needs more ends failed, saying so; the server goes on. */
  readonly memoryMb?: number;
}

export interface RunHostData {
  readonly setup: RunHostSetup;
  /** The lock that keeps the API and a run from renewing one NinjaOne token at once (SQLite). */
  readonly credentialLock: SharedArrayBuffer | null;
}

/** Messages to the thread. */
export type ToHost =
  | { readonly type: 'wake' }
  | { readonly type: 'cancel'; readonly runId: string }
  | { readonly type: 'idle'; readonly id: number }
  | { readonly type: 'stop' };

/** Messages from the thread. */
export type FromHost =
  | { readonly type: 'ready'; readonly workerId: string }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> }
  | { readonly type: 'started'; readonly runId: string; readonly integrationId: string | null }
  | { readonly type: 'finished'; readonly run: Run }
  | { readonly type: 'idle'; readonly id: number }
  | { readonly type: 'stopped' };

export interface RunHostOptions {
  /** This thread's handle on the store: ends the runs of a thread that was terminated or died. */
  readonly db: AppDb;
  readonly now: () => Date;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Called after each run ends, here (alerts, notifications, e-mail). */
  readonly onRunFinished?: (run: Pick<Run, 'id' | 'integrationId'>) => Promise<void>;
  /** How long a canceled run may take to end by itself (1.5 s). */
  readonly cancelMs?: number;
  /** How long a stopping thread may take to end by itself (1.5 s). */
  readonly stopMs?: number;
  /** The first wait before a thread that died is started again (1 s; doubled while it keeps dying, to 1 min). */
  readonly restartMs?: number;
}

/** The error of a run stopped by terminating its thread. */
export const stoppedRunError =
  'The run was canceled and did not stop by itself within seconds, so it was stopped at once; the records reported were written. Run again to finish: a rerun is safe.';

const bootFile = new URL('./run-host-boot.mjs', import.meta.url);

export function startRunHost(setup: RunHostSetup, options: RunHostOptions): Worker {
  const workerId = setup.worker.workerId ?? `${hostname()}:${process.pid}`;
  const runsAtOnce = setup.worker.runsAtOnce ?? 1;
  const cancelMs = options.cancelMs ?? 1_500;
  const stopMs = options.stopMs ?? 1_500;
  const firstRestartMs = options.restartMs ?? 1_000;
  const data: RunHostData = { setup: { ...setup, worker: { ...setup.worker, workerId } }, credentialLock: credentialLockMemory() };

  let thread: NodeWorker | null = null;
  let stopping = false;
  let restartMs = firstRestartMs;
  let restartTimer: NodeJS.Timeout | null = null;
  /** Runs the thread has claimed and not yet ended, with their integrations. */
  const held = new Map<string, string | null>();
  /** Runs asked to cancel: if the thread goes while holding one, it ends canceled, not failed. */
  const canceled = new Set<string>();
  const idleWaiters = new Map<number, () => void>();
  let nextIdleId = 0;
  let exited: Promise<void> = Promise.resolve();
  let terminateForCancel: () => void = () => undefined;

  const post = (message: ToHost): void => thread?.postMessage(message);

  function spawn(): void {
    restartTimer = null;
    const started = new NodeWorker(bootFile, {
      workerData: data,
      ...(setup.memoryMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: setup.memoryMb } }),
    });
    thread = started;
    const { threadId } = started;
    let failure: string | null = null;
    let cutForCancel = false;
    started.on('message', (message: FromHost) => {
      switch (message.type) {
        case 'ready':
          restartMs = firstRestartMs;
          break;
        case 'log':
          options.log(message.level, message.message, message.fields);
          break;
        case 'started':
          held.set(message.runId, message.integrationId);
          break;
        case 'finished':
          held.delete(message.run.id);
          canceled.delete(message.run.id);
          void options.onRunFinished?.(message.run);
          break;
        case 'idle':
          idleWaiters.get(message.id)?.();
          idleWaiters.delete(message.id);
          break;
        case 'stopped':
          break;
      }
    });
    started.on('error', (error) => {
      failure =
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it needed more memory than the ${setup.memoryMb ?? 'default'} MB it may use; raise NINJA_SYNC_RUN_MEMORY_MB`
          : error.message;
      options.log('error', "the runs' thread failed", { error: error.message });
    });
    terminateForCancel = () => {
      cutForCancel = true;
      void started.terminate();
    };
    exited = new Promise((resolve) => {
      started.once('exit', (code) => {
        releaseThreadLockOf(threadId); // terminated while renewing a token
        if (thread === started) thread = null;
        void endOrphans(failure ?? `it exited with code ${code}`).finally(() => {
          if (stopping) {
            for (const resolveIdle of idleWaiters.values()) resolveIdle();
            idleWaiters.clear();
          } else if (cutForCancel) {
            spawn();
          } else {
            options.log('error', "the runs' thread stopped; starting it again", { exitCode: code, inMs: restartMs });
            restartTimer = setTimeout(spawn, restartMs);
            restartMs = Math.min(restartMs * 2, 60_000);
            for (const id of idleWaiters.keys()) post({ type: 'idle', id });
          }
          resolve();
        });
      });
    });
  }

  /** Ends the runs a thread left behind: canceled when they were asked to stop, else failed. */
  async function endOrphans(why: string): Promise<void> {
    const orphans = [...held];
    held.clear();
    for (const [runId, integrationId] of orphans) {
      const asked = canceled.delete(runId) || stopping;
      try {
        await finishRun(options.db, runId, {
          state: asked ? 'canceled' : 'failed',
          error: asked ? stoppedRunError : `The run stopped unexpectedly: its thread ended (${why}). Run again: a rerun is safe.`,
          phase: 'done',
          now: options.now(),
        });
      } catch (error) {
        if (!(error instanceof IllegalRunTransitionError))
          options.log('error', 'could not end a stopped run', { run: runId, error: String(error) });
      }
      await options.onRunFinished?.({ id: runId, integrationId });
    }
  }

  spawn();
  return {
    workerId,
    wake() {
      post({ type: 'wake' });
    },
    cancel(runId) {
      canceled.add(runId);
      post({ type: 'cancel', runId });
      // One run at a time in the thread: terminating it stops exactly that run.
      if (runsAtOnce !== 1) return;
      const started = thread;
      setTimeout(() => {
        if (thread === started && held.has(runId)) {
          options.log('warn', 'a canceled run did not stop by itself within seconds; stopping its thread', { run: runId });
          terminateForCancel();
        }
      }, cancelMs).unref();
    },
    async stop() {
      stopping = true;
      if (restartTimer !== null) clearTimeout(restartTimer);
      const stopped = thread;
      if (stopped === null) return;
      post({ type: 'stop' });
      const killer = setTimeout(() => void stopped.terminate(), stopMs);
      await exited;
      clearTimeout(killer);
    },
    idle() {
      return new Promise<void>((resolve) => {
        if (stopping) return resolve();
        const id = nextIdleId++;
        idleWaiters.set(id, resolve);
        post({ type: 'idle', id });
      });
    },
  };
}
