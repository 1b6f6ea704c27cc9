/**
 * Turns due schedules into queued runs. Each due integration is handled in its own transaction:
 * lock its `schedule_state` row (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so a second planner passes
 * over it instead of waiting and queueing it again), move `next_run_at` on, and queue exactly one
 * run with trigger `schedule`. The move is also conditional on the due time read, which is what
 * makes it safe on SQLite, where a transaction is the only lock there is.
 *
 * A due time more than `graceMs` in the past means nothing was running to plan it: the miss is
 * reported (alert `schedule_missed`) and, with catch-up `once`, one run is queued for all the
 * occurrences missed; with `skip`, none. A due integration that already has a queued run gets no
 * second one (the queue does not grow while workers are away).
 *
 * @example
 * // every 30 s in the scheduler loop:
 * const { queued } = await planDueRuns(db, clock(), { notify: { publicUrl: config.publicUrl } });
 */
import { dialectOf } from '../db/open-database.ts';
import { type NotifyOptions, raiseAlert } from '../notifications/alerts.ts';
import { createRun } from '../runs/run-store.ts';
import { rowToScheduleState, type ScheduleProblem, syncScheduleStates } from './schedule-state.ts';
import { compileSchedule } from './schedule-times.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Run } from '../runs/run.ts';

export const defaultGraceMs = 15 * 60_000;

export interface PlanOptions {
  /** How late a due time may be planned before it counts as missed (default 15 min). */
  readonly graceMs?: number;
  readonly notify?: NotifyOptions;
}

export interface MissedSchedule {
  readonly integrationId: string;
  readonly dueAt: string;
  /** Occurrences missed, counting the first (capped at 1000). */
  readonly occurrences: number;
  /** The catch-up run, when one was queued. */
  readonly catchUpRunId: string | null;
}

export interface PlanResult {
  readonly queued: readonly Run[];
  readonly missed: readonly MissedSchedule[];
  /** Integrations whose schedule cannot be used, with the reason. */
  readonly problems: readonly ScheduleProblem[];
}

/**
 * Queues a run for every due schedule and advances it; see the module comment.
 *
 * @example const result = await planDueRuns(db, new Date('2026-11-28T01:00:00Z'));
 */
export async function planDueRuns(db: AppDb, now: Date, options: PlanOptions = {}): Promise<PlanResult> {
  const problems = await syncScheduleStates(db, now, options.graceMs ?? defaultGraceMs);
  const due = await db
    .selectFrom('schedule_state as s')
    .innerJoin('integrations as i', 'i.id', 's.integration_id')
    .select('s.integration_id')
    .where('i.enabled', '=', 1)
    .where('s.next_run_at', '<=', now.toISOString())
    .orderBy('s.next_run_at')
    .execute();
  const queued: Run[] = [];
  const missed: MissedSchedule[] = [];
  for (const { integration_id: integrationId } of due) {
    try {
      const outcome = await db.transaction().execute((trx) => planOne(trx, integrationId, now, options));
      if (outcome?.run) queued.push(outcome.run);
      if (outcome?.missed) missed.push(outcome.missed);
    } catch (error) {
      // One integration's trouble must not keep the others from running.
      problems.push({
        integrationId,
        integrationName: integrationId,
        message: `could not plan its scheduled run: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return { queued, missed, problems };
}

async function planOne(
  trx: AppDb,
  integrationId: string,
  now: Date,
  options: PlanOptions,
): Promise<{ run: Run | null; missed: MissedSchedule | null } | null> {
  const at = now.toISOString();
  const row = await trx
    .selectFrom('schedule_state')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('next_run_at', '<=', at)
    .$if(dialectOf(trx) === 'postgres', (qb) => qb.forUpdate().skipLocked())
    .executeTakeFirst();
  if (row === undefined || row.next_run_at === null) return null; // another planner has it, or did it
  const integration = await trx.selectFrom('integrations').select(['name', 'enabled']).where('id', '=', integrationId).executeTakeFirst();
  if (integration === undefined || Number(integration.enabled) !== 1) return null;
  const state = rowToScheduleState(row);
  const compiled = compileSchedule(state.schedule);
  const dueAt = new Date(row.next_run_at);
  const next = compiled.next(now, 1)[0] ?? null;
  const moved = await trx
    .updateTable('schedule_state')
    .set({ next_run_at: next?.toISOString() ?? null, last_scheduled_at: row.next_run_at, updated_at: at })
    .where('integration_id', '=', integrationId)
    .where('next_run_at', '=', row.next_run_at)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return null;

  const late = now.getTime() - dueAt.getTime() > (options.graceMs ?? defaultGraceMs);
  const wantRun = !late || state.catchUp === 'once';
  const waiting = await trx
    .selectFrom('runs')
    .select('id')
    .where('integration_id', '=', integrationId)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  const run =
    wantRun && waiting === undefined
      ? await createRun(trx, { integrationId, integrationName: integration.name, trigger: 'schedule', now })
      : null;
  if (run !== null)
    await trx.updateTable('schedule_state').set({ last_run_id: run.id }).where('integration_id', '=', integrationId).execute();
  if (!late) return { run, missed: null };

  const occurrences = 1 + compiled.next(dueAt, 1000).filter((t) => t.getTime() <= now.getTime()).length;
  const times =
    occurrences === 1
      ? `the run due at ${row.next_run_at}`
      : `${occurrences >= 1000 ? '1000 or more' : occurrences} runs due from ${row.next_run_at}`;
  const outcome =
    run !== null
      ? 'One catch-up run was queued now (catch-up: once).'
      : waiting !== undefined
        ? 'A run of this integration is already queued, so no catch-up run was added.'
        : 'No catch-up run was queued (catch-up: skip); the next run is at its usual time.';
  await raiseAlert(
    trx,
    {
      subjectType: 'integration',
      subjectId: integrationId,
      subjectName: integration.name,
      condition: 'schedule_missed',
      message: `Scheduled run did not start: ${times} did not start, because no ninja-sync scheduler was running then. ${outcome}`,
      runId: run?.id ?? null,
      occurrence: `due:${row.next_run_at}`,
    },
    now,
    options.notify,
  );
  return {
    run,
    missed: { integrationId, dueAt: row.next_run_at, occurrences: Math.min(occurrences, 1000), catchUpRunId: run?.id ?? null },
  };
}
