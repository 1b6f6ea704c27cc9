/**
 * Where each integration's schedule stands, kept in `schedule_state` so a restart loses nothing:
 * the next due time, the last one turned into a run, and the catch-up policy. `syncScheduleStates`
 * keeps the rows in step with the integrations (new ones get a row, a changed schedule gets a new
 * next time, a disabled integration has none).
 *
 * @example
 * await syncScheduleStates(db, now);
 * const state = await getScheduleState(db, integrationId);
 */
import { isForeignKeyViolation } from '../db/errors.ts';
import { integrationSchema } from '../integrations/schema.ts';
import { compileSchedule } from './schedule-times.ts';

import type { Insertable, Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { IsoTimestamp } from '../db/types.ts';
import type { CatchUpPolicy, ScheduleStateTable } from '../db/types-alerts.ts';
import type { Schedule } from '../integrations/schema.ts';

export interface ScheduleState {
  readonly integrationId: string;
  readonly schedule: Schedule;
  readonly nextRunAt: IsoTimestamp | null;
  readonly lastScheduledAt: IsoTimestamp | null;
  readonly lastRunId: string | null;
  readonly catchUp: CatchUpPolicy;
}

/** @example rowToScheduleState(row).nextRunAt */
export function rowToScheduleState(row: Selectable<ScheduleStateTable>): ScheduleState {
  return {
    integrationId: row.integration_id,
    schedule: JSON.parse(row.schedule) as Schedule,
    nextRunAt: row.next_run_at,
    lastScheduledAt: row.last_scheduled_at,
    lastRunId: row.last_run_id,
    catchUp: row.catch_up,
  };
}

/**
 * The schedule of a stored integration document (the default when it has none).
 * Throws a zod error for a malformed one; `compileSchedule` checks the zone and the cron.
 *
 * @example scheduleOfDocument(row.document) // { daily: '02:00', timezone: 'UTC' }
 */
export function scheduleOfDocument(document: string): Schedule {
  const parsed = JSON.parse(document) as { schedule?: unknown };
  return integrationSchema.shape.schedule.parse(parsed.schedule);
}

export interface ScheduleProblem {
  readonly integrationId: string;
  readonly integrationName: string;
  readonly message: string;
}

/**
 * Brings `schedule_state` in step with the integrations. Returns the integrations whose schedule
 * cannot be used (they get no runs until fixed), each with the reason.
 *
 * @example const problems = await syncScheduleStates(db, clock());
 */
export async function syncScheduleStates(db: AppDb, now: Date, lookBackMs = 15 * 60_000): Promise<ScheduleProblem[]> {
  const rows = await db
    .selectFrom('integrations as i')
    .leftJoin('schedule_state as s', 's.integration_id', 'i.id')
    .select(['i.id', 'i.name', 'i.document', 'i.enabled', 'i.updated_at', 's.schedule', 's.next_run_at', 's.integration_id as state_id'])
    .execute();
  const problems: ScheduleProblem[] = [];
  const at = now.toISOString();
  for (const row of rows) {
    let schedule: Schedule;
    let next: string | null;
    try {
      schedule = scheduleOfDocument(row.document);
      // Counted from when the schedule was saved, if that was within lookBackMs, not from when a tick
      // first sees it: a daily 02:00 saved at 01:59:59 and first seen at 02:00:05 still runs today.
      const saved = Date.parse(row.updated_at);
      const from = saved <= now.getTime() && saved >= now.getTime() - lookBackMs ? new Date(saved) : now;
      next = Number(row.enabled) === 1 ? (compileSchedule(schedule).next(from, 1)[0]?.toISOString() ?? null) : null;
    } catch (error) {
      problems.push({ integrationId: row.id, integrationName: row.name, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const key = JSON.stringify(schedule);
    if (row.state_id === null) {
      await insertScheduleState(db, {
        integration_id: row.id,
        schedule: key,
        next_run_at: next,
        last_scheduled_at: null,
        last_run_id: null,
        catch_up: 'once',
        updated_at: at,
      });
      continue;
    }
    const enabled = Number(row.enabled) === 1;
    const stale = row.schedule !== key || (enabled && row.next_run_at === null) || (!enabled && row.next_run_at !== null);
    if (!stale) continue;
    // Conditional on what we read: if another process moved it meanwhile, its write stands.
    await db
      .updateTable('schedule_state')
      .set({ schedule: key, next_run_at: next, updated_at: at })
      .where('integration_id', '=', row.id)
      .where('schedule', '=', row.schedule ?? '')
      .where((eb) => (row.next_run_at === null ? eb('next_run_at', 'is', null) : eb('next_run_at', '=', row.next_run_at)))
      .execute();
  }
  return problems;
}

/**
 * The first state row of an integration. One deleted since it was read has nothing to schedule: its
 * row is refused by the foreign key and skipped, so a delete never fails the sync of the others
 * (a scheduler tick, or the catch-up setting of another integration).
 */
async function insertScheduleState(db: AppDb, row: Insertable<ScheduleStateTable>): Promise<void> {
  try {
    await db
      .insertInto('schedule_state')
      .values(row)
      .onConflict((oc) => oc.column('integration_id').doNothing())
      .execute();
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
  }
}

/** @example const state = await getScheduleState(db, id); state?.nextRunAt */
export async function getScheduleState(db: AppDb, integrationId: string): Promise<ScheduleState | null> {
  const row = await db.selectFrom('schedule_state').selectAll().where('integration_id', '=', integrationId).executeTakeFirst();
  return row === undefined ? null : rowToScheduleState(row);
}

/**
 * Sets what happens to a run missed while ninja-sync was down: `'once'` runs it once on start,
 * `'skip'` only reports it. Creates the state row when the scheduler has not seen the integration yet.
 *
 * @example await setCatchUp(db, integrationId, 'skip', now);
 */
export async function setCatchUp(db: AppDb, integrationId: string, catchUp: CatchUpPolicy, now: Date): Promise<void> {
  await syncScheduleStates(db, now);
  await db
    .updateTable('schedule_state')
    .set({ catch_up: catchUp, updated_at: now.toISOString() })
    .where('integration_id', '=', integrationId)
    .execute();
}
