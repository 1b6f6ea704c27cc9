/**
 * The run's life in the store: queued, running, finished; heartbeats and cancel requests; reading
 * one run or a page of runs.
 *
 * Every change of state is one conditional UPDATE (`... where state in (allowed)`), so two
 * processes racing on a run cannot both win; the loser gets a named error, not a silent overwrite.
 *
 * @example
 * const run = await createRun(db, { integrationId: null, integrationName: 'users.yaml', trigger: 'cli' });
 * await startRun(db, run.id, { workerId: 'cli' });
 * await finishRun(db, run.id, { state: 'succeeded' });
 */
import { randomUUID } from 'node:crypto';

import { isUniqueViolation } from '../db/errors.ts';
import { IllegalRunTransitionError, IntegrationBusyError, RunNotFoundError } from './errors.ts';
import { isoNow, rowToRun, saasCountColumns, statesBefore, userCountColumns } from './run.ts';

import type { Updateable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { RunsTable } from '../db/types.ts';
import type { RunCounts, RunPhase, RunState } from '../sync/ports.ts';
import type { Run, RunTrigger, TerminalRunState } from './run.ts';

export interface CreateRunInput {
  /** Null for a CLI run of a file. */
  readonly integrationId: string | null;
  readonly integrationName: string;
  readonly trigger: RunTrigger;
  readonly dryRun?: boolean;
  readonly now?: Date;
  /** Who pressed "Run now": a person (e-mail and id) or an API token (its name). */
  readonly startedBy?: { readonly words: string; readonly userId?: string | null };
}

/**
 * Adds a queued run.
 *
 * @example const run = await createRun(db, { integrationId: 'i1', integrationName: 'NinjaOne users', trigger: 'manual' });
 */
export async function createRun(db: AppDb, input: CreateRunInput): Promise<Run> {
  const row = await db
    .insertInto('runs')
    .values({
      id: randomUUID(),
      integration_id: input.integrationId,
      integration_name: input.integrationName,
      state: 'queued',
      dry_run: input.dryRun === true ? 1 : 0,
      trigger: input.trigger,
      queued_at: isoNow(input.now),
      started_by: input.startedBy?.words ?? null,
      started_by_user_id: input.startedBy?.userId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToRun(row);
}

/**
 * queued → running, for a run this process already knows (the CLI, "run now").
 * Workers use `claimNextRun` instead. Throws `IntegrationBusyError` when the integration already
 * has a running run.
 *
 * @example await startRun(db, run.id, { workerId: hostname() });
 */
export async function startRun(db: AppDb, id: string, options: { readonly workerId?: string; readonly now?: Date } = {}): Promise<Run> {
  const at = isoNow(options.now);
  return transition(db, id, 'running', { started_at: at, heartbeat_at: at, worker_id: options.workerId ?? null });
}

export interface FinishRunInput {
  readonly state: TerminalRunState;
  /** When absent, the counts the reporter kept stay. */
  readonly counts?: RunCounts;
  readonly saasCounts?: RunCounts;
  readonly error?: string | null;
  readonly fuseReason?: string | null;
  readonly phase?: RunPhase;
  readonly now?: Date;
}

/**
 * running (or queued) → a terminal state, with the final counts and error.
 *
 * @example await finishRun(db, run.id, { state: 'failed', error: 'NinjaOne answered 401: check the credential' });
 */
export async function finishRun(db: AppDb, id: string, input: FinishRunInput): Promise<Run> {
  const set: Updateable<RunsTable> = {
    finished_at: isoNow(input.now),
    ...(input.counts === undefined ? {} : userCountColumns(input.counts)),
    ...(input.saasCounts === undefined ? {} : saasCountColumns(input.saasCounts)),
  };
  if (input.error !== undefined) set.error = input.error;
  if (input.fuseReason !== undefined) set.fuse_reason = input.fuseReason;
  if (input.phase !== undefined) set.phase = input.phase;
  return transition(db, id, input.state, set);
}

export interface HeartbeatResult {
  /** False when the run is no longer running (finished, or failed as stale): the worker should stop. */
  readonly running: boolean;
  readonly state: RunState;
  /** Someone asked to cancel: the worker should stop at the next safe point and finish as canceled. */
  readonly cancelRequested: boolean;
}

/**
 * Stamps a running run as alive, and tells the worker whether to go on.
 *
 * @example const beat = await heartbeat(db, run.id); if (beat.cancelRequested) controller.abort();
 */
export async function heartbeat(db: AppDb, id: string, options: { readonly now?: Date } = {}): Promise<HeartbeatResult> {
  const row = await db
    .updateTable('runs')
    .set({ heartbeat_at: isoNow(options.now) })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .returning(['state', 'cancel_requested'])
    .executeTakeFirst();
  if (row !== undefined) return { running: true, state: row.state, cancelRequested: Number(row.cancel_requested) === 1 };
  const run = await getRun(db, id);
  if (run === null) throw new RunNotFoundError(id);
  return { running: false, state: run.state, cancelRequested: run.cancelRequested };
}

/**
 * Asks a run to stop. A queued run is canceled at once (no worker holds it); a running one gets
 * `cancelRequested`, which its worker sees at the next heartbeat. A finished run cannot be canceled.
 *
 * @example const run = await requestCancel(db, id); // run.state is 'canceled' or run.cancelRequested
 */
export async function requestCancel(db: AppDb, id: string, options: { readonly now?: Date } = {}): Promise<Run> {
  const queued = await db
    .updateTable('runs')
    .set({ state: 'canceled', cancel_requested: 1, finished_at: isoNow(options.now) })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
  if (queued !== undefined) return rowToRun(queued);
  const running = await db
    .updateTable('runs')
    .set({ cancel_requested: 1 })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .returningAll()
    .executeTakeFirst();
  if (running !== undefined) return rowToRun(running);
  const run = await getRun(db, id);
  if (run === null) throw new RunNotFoundError(id);
  // Queued → running between the two updates: the second one covers that; anything else is final.
  throw new IllegalRunTransitionError(id, run.state, 'canceled');
}

/** @example const run = await getRun(db, id); if (run === null) return notFound(); */
export async function getRun(db: AppDb, id: string): Promise<Run | null> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : rowToRun(row);
}

export interface ListRunsOptions {
  readonly integrationId?: string;
  readonly state?: RunState | readonly RunState[];
  /** Page size, 1 to 500. */
  readonly limit: number;
  /** Cursor: the id of the last run of the previous page; the page holds the runs queued before it. */
  readonly before?: string;
}

/**
 * Runs, newest first (by queue time, then id), a page at a time.
 *
 * @example
 * const page = await listRuns(db, { integrationId, limit: 20 });
 * const next = await listRuns(db, { integrationId, limit: 20, before: page.at(-1)?.id });
 */
export async function listRuns(db: AppDb, options: ListRunsOptions): Promise<Run[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit), 1), 500);
  let query = db.selectFrom('runs').selectAll();
  if (options.integrationId !== undefined) query = query.where('integration_id', '=', options.integrationId);
  if (options.state !== undefined) {
    const states = typeof options.state === 'string' ? [options.state] : [...options.state];
    if (states.length === 0) return [];
    query = query.where('state', 'in', states);
  }
  if (options.before !== undefined) {
    const cursor = await db.selectFrom('runs').select(['queued_at', 'id']).where('id', '=', options.before).executeTakeFirst();
    if (cursor === undefined) throw new RunNotFoundError(options.before);
    query = query.where((eb) =>
      eb.or([eb('queued_at', '<', cursor.queued_at), eb.and([eb('queued_at', '=', cursor.queued_at), eb('id', '<', cursor.id)])]),
    );
  }
  const rows = await query.orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(rowToRun);
}

/** One guarded UPDATE; on no match, find out why and say it with a named error. */
async function transition(db: AppDb, id: string, to: RunState, set: Updateable<RunsTable>): Promise<Run> {
  const from = statesBefore(to);
  let row;
  try {
    row = await db
      .updateTable('runs')
      .set({ ...set, state: to })
      .where('id', '=', id)
      .where('state', 'in', from)
      .returningAll()
      .executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error)) {
      const run = await getRun(db, id);
      throw new IntegrationBusyError(id, run?.integrationId ?? null, { cause: error });
    }
    throw error;
  }
  if (row !== undefined) return rowToRun(row);
  const run = await getRun(db, id);
  if (run === null) throw new RunNotFoundError(id);
  throw new IllegalRunTransitionError(id, run.state, to);
}
