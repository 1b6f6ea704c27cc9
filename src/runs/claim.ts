/**
 * Workers taking queued runs, and the watchdog for runs whose worker died.
 *
 * Claiming is one statement on both engines: `update runs set state = 'running' ... where id =
 * (oldest queued run whose integration has none running)`. On PostgreSQL the inner select takes
 * `FOR UPDATE SKIP LOCKED`, so concurrent workers pass over each other's rows instead of queueing
 * behind them; on SQLite the statement is atomic by itself (one writer at a time). The unique index
 * `runs_one_running_per_integration` is the real guarantee that an integration never runs twice at
 * once: a claimer that loses that race gets a constraint error and tries the next run.
 *
 * These are the simple versions the scheduler builds on: no priorities, no per-worker limits.
 *
 * @example
 * const run = await claimNextRun(db, `worker-${process.pid}`);
 * if (run !== null) await execute(run);
 */
import { isUniqueViolation } from '../db/errors.ts';
import { dialectOf } from '../db/open-database.ts';
import { isoNow, rowToRun } from './run.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Run } from './run.ts';

/** How often a claim retries after losing a race on the one-running-run-per-integration index. */
const claimAttempts = 5;

export interface ClaimOptions {
  /** Only runs of these integrations (a local agent takes its own integration's runs). */
  readonly integrationIds?: readonly string[];
  /**
   * 'cloud': pass over the runs of Local integrations, which only their agent may take (the
   * server's workers never hold a Local integration's credentials).
   */
  readonly installation?: 'cloud';
  readonly now?: Date;
}

/**
 * Takes the oldest queued run (of an integration with no running run) and marks it running for
 * `workerId`; null when there is none.
 *
 * @example const run = await claimNextRun(db, 'worker-1', { now: clock() });
 */
export async function claimNextRun(db: AppDb, workerId: string, options: ClaimOptions = {}): Promise<Run | null> {
  if (options.integrationIds?.length === 0) return null;
  const lock = dialectOf(db) === 'postgres';
  const at = isoNow(options.now);
  for (let attempt = 1; ; attempt += 1) {
    const next = db
      .selectFrom('runs as q')
      .select('q.id')
      .where('q.state', '=', 'queued')
      .where((eb) =>
        eb.or([
          eb('q.integration_id', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('runs as r')
                .select('r.id')
                .where('r.state', '=', 'running')
                .whereRef('r.integration_id', '=', 'q.integration_id'),
            ),
          ),
        ]),
      )
      .$if(options.integrationIds !== undefined, (qb) => qb.where('q.integration_id', 'in', [...(options.integrationIds ?? [])]))
      .$if(options.installation === 'cloud', (qb) =>
        qb.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('integrations as i')
                .select('i.id')
                .whereRef('i.id', '=', 'q.integration_id')
                .where('i.installation', '=', 'local'),
            ),
          ),
        ),
      )
      .orderBy('q.queued_at')
      .orderBy('q.id')
      .limit(1)
      .$if(lock, (qb) => qb.forUpdate().skipLocked());
    try {
      const row = await db
        .updateTable('runs')
        .set({ state: 'running', started_at: at, heartbeat_at: at, worker_id: workerId })
        .where('id', '=', next)
        .where('state', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : rowToRun(row);
    } catch (error) {
      // Another worker started a run of the same integration between our select and update.
      if (isUniqueViolation(error) && attempt < claimAttempts) continue;
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}

/**
 * Fails every running run whose last heartbeat is older than `olderThan`: its worker stopped or
 * crashed. Returns the runs it failed, so the caller can raise alerts. Runs held by a local agent
 * (`agent:<id>`) are left to `failVanishedAgentRuns`, which names the agent.
 *
 * @example const dead = await failStaleRuns(db, new Date(Date.now() - 5 * 60_000));
 */
export async function failStaleRuns(db: AppDb, olderThan: Date, options: { readonly now?: Date } = {}): Promise<Run[]> {
  const cutoff = olderThan.toISOString();
  const rows = await db
    .updateTable('runs')
    .set({
      state: 'failed',
      finished_at: isoNow(options.now),
      error: `The worker running this run stopped sending heartbeats (none since ${cutoff}); it was probably stopped or crashed. Run the integration again: a rerun is safe, sync keys keep it from writing anything twice.`,
    })
    .where('state', '=', 'running')
    .where((eb) => eb.or([eb('worker_id', 'is', null), eb('worker_id', 'not like', 'agent:%')]))
    .where((eb) => eb.or([eb('heartbeat_at', '<', cutoff), eb.and([eb('heartbeat_at', 'is', null), eb('started_at', '<', cutoff)])]))
    .returningAll()
    .execute();
  return rows.map(rowToRun);
}
