/**
 * The run as the rest of the program sees it, the state machine, and the one place a `runs` row
 * becomes a `Run` (`rowToRun`).
 *
 * @example
 * const run = rowToRun(await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
 */
import { emptyRunCounts, recordOutcomes } from '../sync/ports.ts';

import type { Selectable, Updateable } from 'kysely';
import type { IsoTimestamp, RunsTable, RunTrigger } from '../db/types.ts';
import type { RecordOutcomeKind, RunCounts, RunPhase, RunState } from '../sync/ports.ts';

export type { RunTrigger } from '../db/types.ts';
export { runTriggers } from '../db/types.ts';
export type { TerminalRunState } from '../sync/ports.ts';

export interface Run {
  readonly id: string;
  readonly integrationId: string | null;
  readonly integrationName: string;
  readonly state: RunState;
  readonly dryRun: boolean;
  readonly trigger: RunTrigger;
  /** Oomnitza users. */
  readonly counts: RunCounts;
  /** SaaS-user assignments (all zero for a "User only" integration). */
  readonly saasCounts: RunCounts;
  readonly phase: RunPhase | null;
  readonly phaseTotal: number | null;
  readonly error: string | null;
  /** Why the safety fuse stopped the run before its first write; null when it did not. */
  readonly fuseReason: string | null;
  readonly queuedAt: IsoTimestamp;
  readonly startedAt: IsoTimestamp | null;
  readonly finishedAt: IsoTimestamp | null;
  readonly heartbeatAt: IsoTimestamp | null;
  readonly workerId: string | null;
  readonly cancelRequested: boolean;
  /** The person's e-mail or the API token's name as it was at the start; null for the schedule and the CLI. */
  readonly startedBy: string | null;
  readonly startedByUserId: string | null;
}

/**
 * Which state may follow which. A queued run may also end without running (canceled before a
 * worker took it, or failed because it could not start); a terminal state is final.
 */
export const runTransitions: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['running', 'canceled', 'failed'],
  running: ['succeeded', 'completed_with_errors', 'failed', 'canceled'],
  succeeded: [],
  completed_with_errors: [],
  failed: [],
  canceled: [],
};

/**
 * The states a run may be in to move to `to`.
 *
 * @example statesBefore('running') // ['queued']
 */
export function statesBefore(to: RunState): RunState[] {
  return (Object.keys(runTransitions) as RunState[]).filter((from) => runTransitions[from].includes(to));
}

/** @example rowToRun(row).counts.created */
export function rowToRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    integrationId: row.integration_id,
    integrationName: row.integration_name,
    state: row.state,
    dryRun: Number(row.dry_run) === 1,
    trigger: row.trigger,
    counts: userCountsOfRow(row),
    saasCounts: saasCountsOfRow(row),
    phase: row.phase,
    phaseTotal: row.phase_total,
    error: row.error,
    fuseReason: row.fuse_reason,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
    workerId: row.worker_id,
    cancelRequested: Number(row.cancel_requested) === 1,
    startedBy: row.started_by,
    startedByUserId: row.started_by_user_id,
  };
}

type UserCountColumn = RecordOutcomeKind;
type SaasCountColumn = `saas_${RecordOutcomeKind}`;

/** The user counts of a `runs` row. @example userCountsOfRow(row).filtered */
export function userCountsOfRow(row: Pick<Selectable<RunsTable>, UserCountColumn>): RunCounts {
  const counts = emptyRunCounts();
  for (const outcome of recordOutcomes) counts[outcome] = Number(row[outcome]);
  return counts;
}

/** The SaaS counts of a `runs` row. @example saasCountsOfRow(row).created */
export function saasCountsOfRow(row: Pick<Selectable<RunsTable>, SaasCountColumn>): RunCounts {
  const counts = emptyRunCounts();
  for (const outcome of recordOutcomes) counts[outcome] = Number(row[`saas_${outcome}`]);
  return counts;
}

/** User counts as the columns of `runs` spell them. @example db.updateTable('runs').set(userCountColumns(counts)) */
export function userCountColumns(c: RunCounts): Pick<Updateable<RunsTable>, UserCountColumn> {
  return { ...c };
}

/** SaaS counts as the columns of `runs` spell them. @example db.updateTable('runs').set(saasCountColumns(counts)) */
export function saasCountColumns(c: RunCounts): Pick<Updateable<RunsTable>, SaasCountColumn> {
  return Object.fromEntries(recordOutcomes.map((outcome) => [`saas_${outcome}`, c[outcome]]));
}

/** @example isoNow(options.now) */
export function isoNow(now?: Date): IsoTimestamp {
  return (now ?? new Date()).toISOString();
}
