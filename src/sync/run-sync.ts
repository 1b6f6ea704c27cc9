/**
 * One run, end to end: fetch the source's users (and the organisations and devices the mapping needs),
 * map them, load the Oomnitza users they may match, plan, check the fuse, write, then the SaaS
 * phase for "User plus SaaS user". Every phase is announced to the reporter and every record's
 * outcome reported; the run never throws for what a user can meet — it returns a state and a message.
 *
 * States: succeeded; completed_with_errors (some records failed, or the SaaS phase could not run);
 * failed (NinjaOne or Oomnitza unreadable, the mapping broke, the fuse tripped, the run report could
 * not be stored — nothing or only part written, with a message naming what to do); canceled.
 *
 * Phases and their totals (for a progress bar): fetching; mapping (NinjaOne users; the filtered ones
 * and those that could not be mapped are reported here); matching (mapped records; a dry run reports its whole plan here); writing
 * (planned records: each one's outcome arrives in this phase); saas (synced users); done.
 *
 * Crash safety: nothing is half-written. Every write is one request for one record (a create or a
 * patch), so a record is written or not. The sync keys make a rerun idempotent: it plans against
 * Oomnitza as it then is, finds the users an interrupted run created and updates or leaves them,
 * never creating them twice. The one two-step record is a SaaS user (user create, then assignment);
 * a rerun finds the assignment missing and makes it.
 *
 * @example
 * const result = await runSync({ integration, compiled, source: ninjaone, destination: oomnitza, reporter, dryRun: false });
 * if (result.state === 'failed') console.error(result.error);
 */
import { convertOutcomes, typedTargets } from '../mapping/convert-records.ts';
import { ExpressionLimitError } from '../mapping/sandbox/sandboxed-mapping.ts';
import { validateMapping } from '../mapping/validate.ts';
import { emptyCounts, executePlan } from './execute.ts';
import { loadDestination } from './load-destination.ts';
import { checkOffboardingFuse, ninjaoneUidOf, offboardOutcome, planOffboarding } from './offboard.ts';
import { executeOffboarding } from './offboard-execute.ts';
import { checkFuse, plannedOutcome, planUsers } from './plan.ts';
import { createReportBatcher } from './report-batcher.ts';
import { SaasApplicationError, syncSaasUsers } from './saas.ts';

import type { Integration } from '../integrations/schema.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import type { UserSource } from '../mapping/source-record.ts';
import type { Placement } from './execute.ts';
import type { OffboardPlan } from './offboard.ts';
import type { MappedRecord, Plan } from './plan.ts';
import type {
  DestinationField,
  LinkSource,
  RecordOutcome,
  RunCounts,
  RunPhase,
  RunReporter,
  RunState,
  SaasDestination,
  UserDestination,
  UserLink,
} from './ports.ts';
import type { SaasMember } from './saas.ts';

export interface RunSyncInput {
  readonly integration: Integration;
  readonly compiled: CompiledMapping;
  readonly source: UserSource;
  readonly destination: UserDestination & Partial<SaasDestination>;
  readonly reporter: RunReporter;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Writes in flight at once; the Oomnitza client's own limiter may allow fewer. */
  readonly concurrency?: number;
  /** The integration's user links, for offboarding; without them no user is suspended or unsuspended. */
  readonly links?: LinkSource;
}

export interface RunResult {
  readonly state: RunState;
  /** The user phase, including the records the filters dropped (filtered) or the mapping could not map (failed). */
  readonly counts: RunCounts;
  /** The SaaS phase, for "User plus SaaS user". */
  readonly saasCounts?: RunCounts;
  /** What went wrong and what to do, for failed, canceled and completed_with_errors runs. */
  readonly error?: string;
  readonly fuseTripped?: string;
  /** Milliseconds per phase. */
  readonly durations: Partial<Record<RunPhase, number>>;
  /** How the Oomnitza users were loaded (see `load-destination.ts`). */
  readonly destinationStrategy?: 'scan' | 'find' | 'empty';
}

export const defaultConcurrency = 8;

/** A phase's failure, carrying the sentence the run reports. */
class PhaseError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'PhaseError';
  }
}

export async function runSync(input: RunSyncInput): Promise<RunResult> {
  const { integration, compiled, source, destination, signal } = input;
  // Every user outcome carries its NinjaOne uid, from which the store keeps the user links.
  const uids = new Map<string, string>();
  const reporter = withSourceUids(input.reporter, uids);
  const now = input.now ?? (() => new Date());
  const dryRun = input.dryRun ?? false;
  const concurrency = input.concurrency ?? defaultConcurrency;
  const signalOption = signal === undefined ? {} : { signal };
  const counts = emptyCounts();
  const durations: Partial<Record<RunPhase, number>> = {};
  let current: { phase: RunPhase; at: number } | null = null;
  function enter(phase: RunPhase, total?: number): void {
    const at = now().getTime();
    if (current !== null) durations[current.phase] = at - current.at;
    current = { phase, at };
    reporter.phase(phase, total);
  }
  const result = (state: RunState, extra: Partial<RunResult> = {}): RunResult => {
    enter('done');
    return { state, counts: { ...counts }, durations, ...extra };
  };
  const canceled = (): RunResult =>
    result('canceled', { error: 'The run was canceled; records not reported as written were not written. Run again to finish.' });

  const saas = integration.recordType === 'user_and_saas_user' ? saasPort(destination) : null;
  if (integration.recordType === 'user_and_saas_user' && saas === null) {
    return result('failed', {
      error:
        'This integration syncs SaaS users, but the Oomnitza destination offers no SaaS operations. Use record type "user", or a destination that supports SaaS users.',
    });
  }

  if (aborted(signal)) return canceled();
  try {
    enter('fetching');
    // The tenant's data model, when it says, before anything is read: what cannot fit it for any
    // record (a field it lacks, a key it does not mark unique) stops the run here, as validate and
    // the save refuse it; what fits or not record by record is converted (or failed) below.
    const model = await dataModel(destination, signal);
    if (model !== null) {
      const problems = validateMapping(integration, { oomnitzaFields: model });
      if (problems.length > 0) return result('failed', { error: modelProblemsMessage(problems) });
    }
    const runStartedAt = now();
    const [users, organizations, devices] = await Promise.all([
      source.listUsers({
        ...(integration.source.userType === undefined ? {} : { userType: integration.source.userType }),
        ...signalOption,
      }),
      compiled.needs.organizations ? source.listOrganizations(signalOption) : [],
      compiled.needs.devices ? source.listDevices(signalOption) : [],
    ]).catch((error: unknown) => {
      throw new PhaseError(
        `Could not read from NinjaOne: ${messageOf(error)}. Check the NinjaOne URL and credential (or re-authorise it), then run again.`,
        error,
      );
    });
    if (aborted(signal)) return canceled();
    for (const user of users) uids.set(String(user.id), ninjaoneUidOf(user));

    enter('mapping', users.length);
    const mappedRaw = await compiled
      .mapAll(
        users,
        {
          runStartedAt,
          organizations: new Map(organizations.map((o) => [o.id, o])),
          devices: new Map(devices.map((d) => [d.id, d])),
        },
        signalOption,
      )
      .catch((error: unknown) => {
        if (error instanceof ExpressionLimitError)
          throw new PhaseError(`The mapping was stopped: ${error.message}. Fix the expression, then run again.`, error);
        throw new PhaseError(`The mapping could not run: ${messageOf(error)}. Check the integration with "ninja-sync validate".`, error);
      });
    // Each value becomes what its target field stores (the tenant's data model, when it says), so
    // the plan compares like with like and a value Oomnitza would refuse fails here, in a dry run
    // too, as the preview shows it (the same conversion: src/mapping/convert-records.ts).
    const mapped = convertOutcomes(mappedRaw, typedTargets(model, compiled.targetFields));
    const records: MappedRecord[] = [];
    const drops = createReportBatcher(reporter);
    for (const m of mapped) {
      if (m.kept) records.push(m.record);
      else {
        // A record the mapping could not map failed; any other drop is a filter rule's, on purpose.
        const outcome = 'error' in m ? 'failed' : 'filtered';
        counts[outcome] += 1;
        await drops.add({
          sourceId: m.sourceId,
          label: m.label,
          kind: 'user',
          outcome,
          reason: m.reason,
          destinationId: null,
          changes: [],
        });
      }
    }
    await drops.flush();
    if (aborted(signal)) return canceled();

    enter('matching', records.length);
    const [loaded, links] = await Promise.all([
      loadDestination(destination, {
        records,
        syncKeys: integration.syncKeys,
        fields: compiled.targetFields,
        ...signalOption,
      }).catch((error: unknown) => {
        throw new PhaseError(
          `Could not read users from Oomnitza: ${messageOf(error)}. Check the Oomnitza URL and API token, then run again.`,
          error,
        );
      }),
      readLinks(input.links, signal),
    ]);
    const requiredOnCreate = (model ?? []).filter((field) => field.required && field.editable).map((field) => field.name);
    const plan = planUsers({
      records,
      syncKeys: integration.syncKeys,
      preference: integration.preference,
      updateSyncKeys: integration.updateSyncKeys,
      destination: loaded.index,
      requiredOnCreate,
      syncTimeFields: compiled.syncTimeFields,
    });
    const offboard = planOffboarding({ policy: integration.offboarding?.policy ?? 'leave', links, users, plan });
    const strategy = { destinationStrategy: loaded.strategy };
    if (aborted(signal)) return canceled();

    // A dry run shows the plan the fuse would stop (that is how one checks a tripped fuse).
    const fuse =
      checkFuse(plan, integration.fuse, loaded.destinationCount) ?? checkOffboardingFuse(offboard, integration.offboarding, users.length);
    if (fuse !== null && !dryRun) return result('failed', { error: fuse, fuseTripped: fuse, ...strategy });
    const notes = fuse === null ? strategy : { ...strategy, fuseTripped: fuse };

    let placements: ReadonlyMap<string, Placement> | null = null;
    if (dryRun) {
      const batcher = createReportBatcher(reporter);
      for (const outcome of [...plan.items.map(plannedOutcome), ...offboard.items.map(offboardOutcome)]) {
        counts[outcome.outcome] += 1;
        await batcher.add(outcome);
      }
      await batcher.flush();
    } else {
      enter('writing', plan.items.length + offboard.items.length);
      const executed = await executePlan(destination, reporter, plan, { concurrency, ...signalOption });
      addCounts(counts, executed.counts);
      placements = executed.placements;
      if (executed.canceled) return canceled();
      // After the plan's writes, before the SaaS phase: a returning user is active again before it is assigned.
      const offboarded = await executeOffboarding(destination, createReportBatcher(reporter), offboard.items, {
        concurrency,
        ...signalOption,
      });
      addCounts(counts, offboarded.counts);
      if (offboarded.canceled) return canceled();
    }

    if (saas === null) return result(counts.failed > 0 ? 'completed_with_errors' : 'succeeded', notes);

    const members = saasMembers(plan, placements, records, suspendedBy(offboard));
    enter('saas', members.length);
    try {
      const phase = await syncSaasUsers(saas, reporter, members, { dryRun, concurrency, ...signalOption });
      if (phase.canceled) return { ...canceled(), saasCounts: phase.counts, ...notes };
      const failed = counts.failed + phase.counts.failed > 0;
      return result(failed ? 'completed_with_errors' : 'succeeded', { saasCounts: phase.counts, ...notes });
    } catch (error) {
      // The users are written; a SaaS phase that cannot go on does not make the run a failure.
      if (aborted(signal)) return { ...canceled(), ...notes };
      const saasCounts = { ...emptyCounts(), failed: 1 };
      const message =
        error instanceof SaasApplicationError
          ? error.message
          : `The SaaS phase stopped: ${messageOf(error)}. Run again once the cause is fixed`;
      await reporter
        .records([
          {
            sourceId: null,
            label: 'SaaS application NinjaOne',
            kind: 'saas',
            outcome: 'failed',
            reason: message,
            destinationId: null,
            changes: [],
          },
        ])
        .catch(() => undefined);
      return result('completed_with_errors', { saasCounts, error: `Users were synced, but SaaS users were not. ${message}.`, ...notes });
    }
  } catch (error) {
    if (aborted(signal)) return canceled();
    if (error instanceof PhaseError) return result('failed', { error: error.message });
    return result('failed', {
      error: `The run stopped: ${messageOf(error)}. Records reported before this point stand; run again once the cause is fixed.`,
    });
  }
}

/** The destination's SaaS side, when it has every operation the phase needs. */
function saasPort(destination: UserDestination & Partial<SaasDestination>): SaasDestination | null {
  const { ensureApplication, listAssignments, assignUser, findApplication } = destination;
  if (ensureApplication === undefined || listAssignments === undefined || assignUser === undefined) return null;
  return {
    ensureApplication: ensureApplication.bind(destination),
    listAssignments: listAssignments.bind(destination),
    assignUser: assignUser.bind(destination),
    ...(findApplication === undefined ? {} : { findApplication: findApplication.bind(destination) }),
  };
}

/**
 * Every planned record, with where its Oomnitza user stands: from the writes when there were any,
 * from the plan in a dry run (a planned create is a user that would exist).
 */
function saasMembers(
  plan: Plan,
  placements: ReadonlyMap<string, Placement> | null,
  records: readonly MappedRecord[],
  suspended: ReadonlyMap<string, string>,
): SaasMember[] {
  const roles = new Map(records.map((record) => [record.sourceId, record.roles]));
  return plan.items.map((item): SaasMember => {
    const base = { sourceId: item.sourceId, label: item.label, roles: roles.get(item.sourceId) };
    // A user offboarding suspends (present in NinjaOne, but disabled) holds no SaaS seat.
    const reason =
      item.action === 'fail' || item.action === 'create' || item.destinationId === null ? undefined : suspended.get(item.destinationId);
    if (reason !== undefined) return { ...base, user: { state: 'absent', reason } };
    if (placements !== null) {
      const placed = placements.get(item.sourceId);
      if (placed?.destinationId != null) return { ...base, user: { state: 'present', destinationId: placed.destinationId } };
      return { ...base, user: { state: 'absent', reason: placed?.reason ?? `its user record was ${placed?.outcome ?? 'not written'}` } };
    }
    if (item.action === 'create') return { ...base, user: { state: 'planned' } };
    if (item.action !== 'fail' && item.destinationId !== null)
      return { ...base, user: { state: 'present', destinationId: item.destinationId } };
    return { ...base, user: { state: 'absent', reason: item.action === 'fail' || item.action === 'skip' ? item.reason : 'not planned' } };
  });
}

/** Oomnitza users the offboarding plan suspends, with why. */
function suspendedBy(offboard: OffboardPlan): Map<string, string> {
  return new Map(offboard.items.filter((item) => item.action === 'suspend').map((item) => [item.link.oomnitzaUid, item.reason]));
}

function addCounts(into: RunCounts, more: RunCounts): void {
  for (const [kind, n] of Object.entries(more) as [keyof RunCounts, number][]) into[kind] += n;
}

/** The links, or none when the run has no store to keep them. */
async function readLinks(links: LinkSource | undefined, signal: AbortSignal | undefined): Promise<readonly UserLink[]> {
  if (links === undefined) return [];
  return links.listLinks(signal === undefined ? {} : { signal }).catch((error: unknown) => {
    throw new PhaseError(`Could not read the integration's user links from the store: ${messageOf(error)}. Run again.`, error);
  });
}

/** The reporter, with each user outcome given its NinjaOne uid (when `uids` knows its source id). */
function withSourceUids(reporter: RunReporter, uids: ReadonlyMap<string, string>): RunReporter {
  const tag = (outcome: RecordOutcome): RecordOutcome => {
    if (outcome.kind !== 'user' || outcome.sourceUid != null || outcome.sourceId === null) return outcome;
    const uid = uids.get(outcome.sourceId);
    return uid === undefined ? outcome : { ...outcome, sourceUid: uid };
  };
  return {
    phase: (phase, total) => reporter.phase(phase, total),
    records: (outcomes) => reporter.records(uids.size === 0 ? outcomes : outcomes.map(tag)),
  };
}

/** A function, not an inline test: TypeScript would otherwise narrow `aborted` once and for all. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The error's message without its closing full stop: every caller goes on with ". " and its advice. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
}

/**
 * The destination's users data model, when it can say; null when it cannot. Its required fields
 * fail a create in the plan; its types convert the mapped values. Read-only fields are Oomnitza's
 * own (uid, dates) and never asked of us.
 */
async function dataModel(
  destination: RunSyncInput['destination'],
  signal: AbortSignal | undefined,
): Promise<readonly DestinationField[] | null> {
  if (!destination.listUserFields) return null;
  try {
    return await destination.listUserFields(signal === undefined ? {} : { signal });
  } catch {
    // The data model is a help for the plan, not a condition of the run: Oomnitza still refuses
    // what does not fit, and that record fails with Oomnitza's own words.
    return null;
  }
}

/** The run's error for a mapping that cannot fit the data model: every problem with its place. */
function modelProblemsMessage(problems: ReturnType<typeof validateMapping>): string {
  const where = (path: readonly (string | number)[]): string =>
    path.map((part, i) => (typeof part === 'number' ? `[${String(part)}]` : i === 0 ? part : `.${part}`)).join('');
  const list = problems.map((p) => `${where(p.path)}: ${p.message}`).join('; ');
  return `The mapping does not fit Oomnitza's users data model, so nothing was read or written: ${list}. Fix the mapping (ninja-sync validate --online checks a file against the tenant), then run again.`;
}
