/**
 * Watchdogs: pure checks over the store and a clock that say which alert conditions hold now, and
 * which have cleared. They write nothing; `applyWatchdogFindings` raises and resolves the alerts.
 * Each finding is keyed by (subject, condition) and carries an `occurrence` (a run id, a due time),
 * so checking every few seconds counts each failure once.
 *
 * - `checkFinishedRuns`: the latest finished run of an integration failed, or completed with more
 *   than `errorShare` of its records failed (default 10%). A success clears every condition of the
 *   integration that was last seen before it ("the next success resolves it").
 * - `checkLongRuns`: a run has been running longer than `maxRunMs` (default 24 h).
 * - `checkMissedStarts`: a scheduled run did not start within `graceMs` of its due time (default
 *   15 min): queued but not claimed, or never queued because no planner ran. A Local integration's
 *   run whose agent is offline at the due time is reported at once, naming the agent.
 * - `checkCredentials`: a credential needs re-authorisation; an active one clears it.
 *
 * @example
 * const findings = await runWatchdogs(db, clock());
 * await applyWatchdogFindings(db, findings, clock(), { publicUrl: config.publicUrl });
 */
import { type Agent, agentRowToAgent, defaultAgentOfflineAfterMs, isAgentOnline } from '../agents/agent-store.ts';
import { type NotifyOptions, raiseAlert, resolveAlerts } from '../notifications/alerts.ts';
import { rowToRun, type Run } from '../runs/run.ts';
import { defaultGraceMs } from './plan-due-runs.ts';

import type { AppDb } from '../db/app-database.ts';
import type { IsoTimestamp } from '../db/types.ts';
import type { AlertCondition, AlertSubjectType } from '../db/types-alerts.ts';

export const defaultErrorShare = 0.1;
export const defaultMaxRunMs = 24 * 3_600_000;

/** A condition that holds: raise (or keep) its alert. */
export interface AlertFinding {
  readonly subjectType: AlertSubjectType;
  readonly subjectId: string;
  readonly subjectName: string;
  readonly condition: AlertCondition;
  readonly message: string;
  readonly error: string | null;
  readonly runId: string | null;
  readonly occurrence: string;
}

/** Conditions that no longer hold for a subject: resolve their alerts last seen up to `seenUpTo`. */
export interface AlertClearing {
  readonly subjectType: AlertSubjectType;
  readonly subjectId: string;
  readonly conditions: readonly AlertCondition[];
  readonly seenUpTo: IsoTimestamp;
}

export interface WatchdogFindings {
  readonly raise: readonly AlertFinding[];
  readonly clear: readonly AlertClearing[];
}

export interface WatchdogOptions {
  readonly errorShare?: number;
  readonly maxRunMs?: number;
  readonly graceMs?: number;
  /** Only these integrations (e.g. the one whose run just finished). */
  readonly integrationIds?: readonly string[];
  /** A local agent silent for this long is offline (default `defaultAgentOfflineAfterMs`). */
  readonly agentOfflineAfterMs?: number;
}

const integrationConditions: readonly AlertCondition[] = ['run_failed', 'run_stuck', 'schedule_missed'];

/**
 * Latest finished (non-dry, not canceled) run per integration: failure → `run_failed`; success → clear.
 *
 * @example const { raise, clear } = await checkFinishedRuns(db, { integrationIds: [run.integrationId] });
 */
export async function checkFinishedRuns(db: AppDb, options: WatchdogOptions = {}): Promise<WatchdogFindings> {
  const share = options.errorShare ?? defaultErrorShare;
  const ids = options.integrationIds ?? (await db.selectFrom('integrations').select('id').execute()).map((r) => r.id);
  const raise: AlertFinding[] = [];
  const clear: AlertClearing[] = [];
  for (const id of ids) {
    const row = await db
      .selectFrom('runs')
      .selectAll()
      .where('integration_id', '=', id)
      .where('dry_run', '=', 0)
      .where('state', 'in', ['succeeded', 'completed_with_errors', 'failed'])
      .where('finished_at', 'is not', null)
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined) continue;
    const run = rowToRun(row);
    const failedShare = failureShare(run);
    if (run.state === 'failed') {
      raise.push(
        runFinding(
          run,
          'run_failed',
          `The run ${run.trigger === 'schedule' ? '(scheduled) ' : ''}failed${run.fuseReason === null ? '' : ' before writing: the safety fuse stopped it'}.`,
          run.error ?? run.fuseReason,
        ),
      );
    } else if (run.state === 'completed_with_errors' && failedShare > share) {
      const failed = run.counts.failed + run.saasCounts.failed;
      raise.push(
        runFinding(
          run,
          'run_failed',
          `The run completed with errors: ${failed} of ${totalRecords(run)} records failed (${formatShare(failedShare)}, more than the ${formatShare(share)} allowed).`,
          run.error,
        ),
      );
    } else if (run.finishedAt !== null) {
      clear.push({ subjectType: 'integration', subjectId: id, conditions: integrationConditions, seenUpTo: run.finishedAt });
    }
  }
  return { raise, clear };
}

/**
 * Runs still running after `maxRunMs` → `run_stuck`.
 *
 * @example await checkLongRuns(db, now, { maxRunMs: 6 * 3_600_000 })
 */
export async function checkLongRuns(db: AppDb, now: Date, options: WatchdogOptions = {}): Promise<WatchdogFindings> {
  const maxRunMs = options.maxRunMs ?? defaultMaxRunMs;
  const cutoff = new Date(now.getTime() - maxRunMs).toISOString();
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('state', '=', 'running')
    .where('integration_id', 'is not', null)
    .where('started_at', '<', cutoff)
    .$if(options.integrationIds !== undefined, (qb) => qb.where('integration_id', 'in', [...(options.integrationIds ?? [])]))
    .execute();
  const raise = rows
    .map(rowToRun)
    .map((run) =>
      runFinding(
        run,
        'run_stuck',
        `The run started at ${run.startedAt ?? '?'} has not finished after ${formatDuration(maxRunMs)} (last heartbeat ${run.heartbeatAt ?? 'never'}).`,
        null,
      ),
    );
  return { raise, clear: [] };
}

/**
 * Scheduled runs that did not start within `graceMs` of their due time → `schedule_missed`.
 *
 * @example await checkMissedStarts(db, now)
 */
export async function checkMissedStarts(db: AppDb, now: Date, options: WatchdogOptions = {}): Promise<WatchdogFindings> {
  const graceMs = options.graceMs ?? defaultGraceMs;
  const cutoff = new Date(now.getTime() - graceMs).toISOString();
  const only = options.integrationIds;
  const unclaimed = await db
    .selectFrom('runs')
    .selectAll()
    .where('state', '=', 'queued')
    .where('trigger', '=', 'schedule')
    .where('integration_id', 'is not', null)
    .where('queued_at', '<', cutoff)
    .$if(only !== undefined, (qb) => qb.where('integration_id', 'in', [...(only ?? [])]))
    .execute();
  const raise: AlertFinding[] = [];
  const agents = await localAgentsOfQueuedRuns(db, only);
  const offlineAfterMs = options.agentOfflineAfterMs ?? defaultAgentOfflineAfterMs;
  for (const run of unclaimed.map(rowToRun)) {
    if (run.integrationId !== null && agents.has(run.integrationId)) continue; // below, naming the agent
    raise.push(
      runFinding(
        run,
        'schedule_missed',
        `Scheduled run did not start: it was queued at ${run.queuedAt} and no worker has taken it within ${formatDuration(graceMs)}. Is a ninja-sync worker (or ninja-sync serve) running?`,
        null,
      ),
    );
  }
  // A Local integration's run waits for its agent: an agent offline at the due time is told at
  // once, and one online that has not taken the run after the grace period is told then.
  for (const [integrationId, local] of agents) {
    for (const run of local.runs) {
      const late = run.queuedAt < cutoff;
      const agent = local.agent;
      const online = agent !== null && isAgentOnline(agent, now, offlineAfterMs);
      if (online && !late) continue;
      const why =
        agent === null
          ? 'it is a Local integration without an agent; assign one'
          : agent.revokedAt !== null
            ? `its agent "${agent.name}" was revoked; assign the integration to another agent`
            : !online
              ? `its agent "${agent.name}" is offline (${agent.lastSeenAt === null ? 'it never connected' : `last seen ${agent.lastSeenAt}`}); start ninja-sync agent on its machine — the run waits and starts when the agent connects`
              : `its agent "${agent.name}" is online but has not taken it within ${formatDuration(graceMs)}; check the agent's log`;
      raise.push({
        ...runFinding(run, 'schedule_missed', `Scheduled run did not start: it was due at ${run.queuedAt}, and ${why}.`, null),
        subjectId: integrationId,
      });
    }
  }
  const unplanned = await db
    .selectFrom('schedule_state as s')
    .innerJoin('integrations as i', 'i.id', 's.integration_id')
    .select(['s.integration_id', 's.next_run_at', 'i.name'])
    .where('i.enabled', '=', 1)
    .where('s.next_run_at', '<', cutoff)
    .$if(only !== undefined, (qb) => qb.where('s.integration_id', 'in', [...(only ?? [])]))
    .execute();
  for (const row of unplanned) {
    raise.push({
      subjectType: 'integration',
      subjectId: row.integration_id,
      subjectName: row.name,
      condition: 'schedule_missed',
      message: `Scheduled run did not start: it was due at ${row.next_run_at ?? '?'} and was never queued, so the scheduler is not running or cannot plan this integration.`,
      error: null,
      runId: null,
      occurrence: `due:${row.next_run_at ?? ''}`,
    });
  }
  return { raise, clear: [] };
}

/** Queued scheduled runs of Local integrations, per integration, with the agent each waits for. */
async function localAgentsOfQueuedRuns(
  db: AppDb,
  only: readonly string[] | undefined,
): Promise<Map<string, { agent: Agent | null; runs: Run[] }>> {
  const rows = await db
    .selectFrom('runs as r')
    .innerJoin('integrations as i', 'i.id', 'r.integration_id')
    .selectAll('r')
    .select('i.agent_id')
    .where('r.state', '=', 'queued')
    .where('r.trigger', '=', 'schedule')
    .where('i.installation', '=', 'local')
    .$if(only !== undefined, (qb) => qb.where('r.integration_id', 'in', [...(only ?? [])]))
    .execute();
  const byIntegration = new Map<string, { agent: Agent | null; runs: Run[] }>();
  for (const { agent_id: agentId, ...row } of rows) {
    const run = rowToRun(row);
    const id = run.integrationId ?? '';
    let entry = byIntegration.get(id);
    if (entry === undefined) {
      const agentRow =
        agentId === null ? undefined : await db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
      entry = { agent: agentRow === undefined ? null : agentRowToAgent(agentRow), runs: [] };
      byIntegration.set(id, entry);
    }
    entry.runs.push(run);
  }
  return byIntegration;
}

/**
 * Credentials with status `needs_reauth` → `credential_needs_reauth`; `active` ones clear it.
 *
 * @example await checkCredentials(db, now)
 */
export async function checkCredentials(db: AppDb, now: Date): Promise<WatchdogFindings> {
  const rows = await db.selectFrom('credentials').select(['id', 'name', 'status', 'status_reason', 'updated_at']).execute();
  const raise: AlertFinding[] = [];
  const clear: AlertClearing[] = [];
  for (const row of rows) {
    if (row.status === 'needs_reauth') {
      raise.push({
        subjectType: 'credential',
        subjectId: row.id,
        subjectName: row.name,
        condition: 'credential_needs_reauth',
        message: `The NinjaOne credential "${row.name}" can no longer refresh its token and needs to be authorised again.`,
        error: row.status_reason,
        runId: null,
        occurrence: `since:${row.updated_at}`,
      });
    } else if (row.status === 'active') {
      clear.push({ subjectType: 'credential', subjectId: row.id, conditions: ['credential_needs_reauth'], seenUpTo: now.toISOString() });
    }
  }
  return { raise, clear };
}

/**
 * Every watchdog at once.
 *
 * @example const findings = await runWatchdogs(db, clock(), { maxRunMs: 12 * 3_600_000 });
 */
export async function runWatchdogs(db: AppDb, now: Date, options: WatchdogOptions = {}): Promise<WatchdogFindings> {
  const parts = [
    await checkFinishedRuns(db, options),
    await checkLongRuns(db, now, options),
    await checkMissedStarts(db, now, options),
    options.integrationIds === undefined ? await checkCredentials(db, now) : { raise: [], clear: [] },
  ];
  return { raise: parts.flatMap((p) => p.raise), clear: parts.flatMap((p) => p.clear) };
}

/**
 * Raises the findings' alerts and resolves the cleared ones (each tells contacts at most once).
 * Clearing runs first, so a success followed by a new failure ends with the failure's alert open.
 *
 * @example const { opened, resolved } = await applyWatchdogFindings(db, findings, now, { publicUrl });
 */
export async function applyWatchdogFindings(
  db: AppDb,
  findings: WatchdogFindings,
  now: Date,
  options: NotifyOptions = {},
): Promise<{ opened: number; repeated: number; resolved: number }> {
  let resolved = 0;
  for (const clearing of findings.clear) {
    resolved += (
      await resolveAlerts(
        db,
        { subjectType: clearing.subjectType, subjectId: clearing.subjectId, conditions: clearing.conditions, seenUpTo: clearing.seenUpTo },
        now,
        options,
      )
    ).length;
  }
  let opened = 0;
  let repeated = 0;
  for (const finding of findings.raise) {
    const { outcome } = await raiseAlert(db, finding, now, options);
    if (outcome === 'opened') opened += 1;
    if (outcome === 'repeated') repeated += 1;
  }
  return { opened, repeated, resolved };
}

/**
 * What a worker calls right after `finishRun`: alerts for that run's integration at once, instead
 * of at the next watchdog round.
 *
 * @example await alertsForFinishedRun(db, run, clock(), { publicUrl: config.publicUrl });
 */
export async function alertsForFinishedRun(
  db: AppDb,
  run: Pick<Run, 'integrationId'>,
  now: Date,
  options: NotifyOptions & Pick<WatchdogOptions, 'errorShare'> = {},
): Promise<void> {
  if (run.integrationId === null) return;
  const findings = await checkFinishedRuns(db, {
    integrationIds: [run.integrationId],
    ...(options.errorShare === undefined ? {} : { errorShare: options.errorShare }),
  });
  await applyWatchdogFindings(db, findings, now, options);
}

function runFinding(run: Run, condition: AlertCondition, message: string, error: string | null): AlertFinding {
  return {
    subjectType: 'integration',
    subjectId: run.integrationId ?? '',
    subjectName: run.integrationName,
    condition,
    message,
    error,
    runId: run.id,
    occurrence: `run:${run.id}`,
  };
}

function totalRecords(run: Run): number {
  // Records a filter dropped on purpose are not records the run worked on: they do not dilute its failures.
  const sum = (c: Run['counts']): number => c.created + c.updated + c.unchanged + c.skipped + c.failed;
  return sum(run.counts) + sum(run.saasCounts);
}

function failureShare(run: Run): number {
  const total = totalRecords(run);
  return total === 0 ? 0 : (run.counts.failed + run.saasCounts.failed) / total;
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function formatDuration(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}
