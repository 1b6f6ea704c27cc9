/**
 * The housekeeping every server and worker process does on a short beat (`schedulerTick`): turn
 * due schedules into queued runs, fail runs whose worker stopped heartbeating, run the watchdogs
 * (failed, stuck and missed runs, credentials needing re-authorisation) and deliver queued e-mails.
 * This module adds the beat itself, the logging, and alerts right after each run.
 *
 * Every step is safe to run in several processes at once: due schedules are claimed with row locks,
 * a stale run can be failed only once, alerts are one per problem, and e-mails are leased before
 * they are sent. A step that fails is logged and the others still run; nothing here throws into a run.
 *
 * @example
 * const maintenance = startMaintenance(deps, { intervalMs: 15_000, onQueued: () => worker.wake() });
 * await maintenance.tick(); // at once, e.g. on start
 * await maintenance.stop();
 */
import { notifyFailedDryRun } from '../notifications/dry-run.ts';
import { getRun } from '../runs/run-store.ts';
import { schedulerTick } from '../schedule/tick.ts';
import { alertsForFinishedRun } from '../schedule/watchdogs.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Mailer } from '../notifications/mailer.ts';
import type { Run } from '../runs/run.ts';

export interface MaintenanceDeps {
  readonly db: AppDb;
  readonly now: () => Date;
  /** For links in e-mails and notifications. */
  readonly publicUrl?: URL | undefined;
  /** Null when no SMTP server is configured: alerts still reach the in-app inbox. */
  readonly mailer: Mailer | null;
  /** A running run without a heartbeat for this long is failed (its worker died). */
  readonly staleAfterMs?: number;
  /** A run still running after this long raises "not finished" (default 24 h). */
  readonly maxRunMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface TickReport {
  readonly queued: number;
  readonly missed: number;
  readonly staleFailed: number;
  readonly alertsOpened: number;
  readonly alertsResolved: number;
  readonly emailsSent: number;
}

/** Heartbeats come every 5 s; a minute without one is a dead worker, not a slow vendor. */
export const defaultStaleAfterMs = 60_000;

function notifyOptions(deps: MaintenanceDeps) {
  return { publicUrl: deps.publicUrl, email: deps.mailer !== null };
}

/**
 * Alerts for a run that just ended (call after `finishRun`), without waiting for the next tick; a
 * failed dry run tells the person who started it.
 */
export async function afterRunFinished(deps: MaintenanceDeps, run: Pick<Run, 'id' | 'integrationId'>): Promise<void> {
  try {
    await alertsForFinishedRun(deps.db, run, deps.now(), notifyOptions(deps));
    // Read again: the caller may hold the run as it was claimed, before it ended.
    const finished = await getRun(deps.db, run.id);
    if (finished !== null) await notifyFailedDryRun(deps.db, finished, deps.now());
  } catch (error) {
    deps.log?.('error', 'could not raise alerts for a finished run', { error: String(error) });
  }
}

export async function maintenanceTick(deps: MaintenanceDeps): Promise<TickReport> {
  const log = deps.log ?? (() => undefined);
  const result = await schedulerTick(deps.db, deps.now(), {
    mailer: deps.mailer,
    notify: notifyOptions(deps),
    staleAfterMs: deps.staleAfterMs ?? defaultStaleAfterMs,
    ...(deps.maxRunMs === undefined ? {} : { maxRunMs: deps.maxRunMs }),
  });
  for (const problem of result.plan?.problems ?? []) log('warn', "an integration's schedule cannot be used", { ...problem });
  for (const run of result.staleRuns)
    log('warn', "a run's worker stopped heartbeating; the run is failed", { run: run.id, worker: run.workerId });
  for (const error of result.errors) log('error', `maintenance: ${error.step} failed`, { error: error.message });
  return {
    queued: result.plan?.queued.length ?? 0,
    missed: result.plan?.missed.length ?? 0,
    staleFailed: result.staleRuns.length,
    alertsOpened: result.alerts?.opened ?? 0,
    alertsResolved: result.alerts?.resolved ?? 0,
    emailsSent: result.email?.sent ?? 0,
  };
}

export interface Maintenance {
  tick(): Promise<TickReport>;
  stop(): Promise<void>;
}

export function startMaintenance(
  deps: MaintenanceDeps,
  options: { readonly intervalMs?: number; readonly onQueued?: () => void } = {},
): Maintenance {
  let running: Promise<TickReport> | null = null;
  let stopped = false;
  const tick = (): Promise<TickReport> => {
    // One tick at a time per process; a tick asked for meanwhile shares the one in flight.
    running ??= maintenanceTick(deps)
      .then((report) => {
        if (report.queued > 0) options.onQueued?.();
        return report;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, options.intervalMs ?? 15_000);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
