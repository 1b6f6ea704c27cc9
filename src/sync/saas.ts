/**
 * The SaaS phase of a "User plus SaaS user" run: the SaaS application "NinjaOne" is found or created
 * in Oomnitza, and every synced user who is in Oomnitza is assigned to it with the roles from the
 * NinjaOne Roles List. An assignment is written only when it is missing, inactive or has other
 * roles; a user who is not in Oomnitza is reported as skipped with the reason, never invented (a SaaS
 * user must be an existing Oomnitza user, as in Oomnitza's own SaaS user import).
 *
 * Roles are roles: each NinjaOne role name is its own SaaS role of the user (Oomnitza's SaaS roles
 * API; `role_external_id` is the name). The list is de-duplicated and compared without regard to
 * order or case (Oomnitza matches role ids case-insensitively), so a reordered Roles List costs no
 * write; a role removed in NinjaOne is removed from the SaaS user on the next run, because the write
 * replaces the user's roles with the list. No role is an empty list (Oomnitza's "None").
 *
 * Crash safety: the assignment is a second write after the user's create; a run killed between the
 * two leaves a user without the assignment, which the next run finds missing and makes.
 *
 * @example
 * const result = await syncSaasUsers(oomnitza, reporter, members, { dryRun: false, concurrency: 8 });
 */
import { emptyCounts } from './execute.ts';
import { runPool } from './pool.ts';
import { createReportBatcher } from './report-batcher.ts';

import type { FieldChange, RecordOutcome, RunCounts, RunReporter, SaasAssignment, SaasDestination } from './ports.ts';

export const saasApplicationName = 'NinjaOne';

/** Where the member's Oomnitza user stands after the user phase. */
export type SaasMemberUser =
  | { readonly state: 'present'; readonly destinationId: string }
  /** A dry run's user that the run would create. */
  | { readonly state: 'planned' }
  | { readonly state: 'absent'; readonly reason: string };

export interface SaasMember {
  readonly sourceId: string;
  readonly label: string;
  readonly user: SaasMemberUser;
  /** NinjaOne's Roles List. */
  readonly roles: readonly string[] | null | undefined;
}

export interface SaasOptions {
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly applicationName?: string;
}

export interface SaasResult {
  readonly counts: RunCounts;
  readonly canceled: boolean;
}

/** The application could not be found or created: no assignment can be made this run. */
export class SaasApplicationError extends Error {
  constructor(name: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(
      `Could not find or create the SaaS application "${name}" in Oomnitza: ${message}. Check that the Oomnitza API token may manage SaaS, then run again`,
      { cause },
    );
    this.name = 'SaasApplicationError';
  }
}

/** The SaaS roles a NinjaOne Roles List gives: trimmed, de-duplicated (ignoring case), sorted. */
export function rolesFor(roles: readonly string[] | null | undefined): string[] {
  const byKey = new Map<string, string>();
  for (const role of roles ?? []) {
    const name = role.trim();
    if (name !== '' && !byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  }
  return [...byKey.values()].sort((a, b) => a.localeCompare(b, 'en'));
}

export async function syncSaasUsers(
  destination: SaasDestination,
  reporter: RunReporter,
  members: readonly SaasMember[],
  options: SaasOptions,
): Promise<SaasResult> {
  const name = options.applicationName ?? saasApplicationName;
  const signalOption = options.signal === undefined ? {} : { signal: options.signal };
  const batcher = createReportBatcher(reporter);
  const counts = emptyCounts();
  async function record(outcome: RecordOutcome): Promise<void> {
    counts[outcome.outcome] += 1;
    await batcher.add(outcome);
  }

  let application: { readonly id: string; readonly created: boolean } | null;
  try {
    if (options.dryRun) {
      const found = destination.findApplication === undefined ? null : await destination.findApplication(name, signalOption);
      application = found === null ? null : { id: found.id, created: false };
    } else {
      application = await destination.ensureApplication(name, signalOption);
    }
  } catch (error) {
    throw new SaasApplicationError(name, error);
  }
  await record({
    sourceId: null,
    label: `SaaS application ${name}`,
    kind: 'saas',
    outcome: application === null || application.created ? 'created' : 'unchanged',
    reason: null,
    destinationId: application?.id ?? null,
    changes: [],
  });

  const existing = new Map<string, SaasAssignment>();
  if (application !== null) for (const a of await destination.listAssignments(application.id, signalOption)) existing.set(a.userId, a);

  const writes: { readonly userId: string; readonly roles: readonly string[]; readonly outcome: RecordOutcome }[] = [];
  for (const member of members) {
    const base = { sourceId: member.sourceId, label: member.label, kind: 'saas' as const };
    const roles = rolesFor(member.roles);
    if (member.user.state === 'absent') {
      await record({
        ...base,
        outcome: 'skipped',
        reason: `not assigned to ${name}: the user is not in Oomnitza (${member.user.reason})`,
        destinationId: null,
        changes: [],
      });
      continue;
    }
    if (member.user.state === 'planned') {
      await record({
        ...base,
        outcome: 'created',
        reason: null,
        destinationId: null,
        changes: [{ field: 'roles', old: null, new: roles }],
      });
      continue;
    }
    const userId = member.user.destinationId;
    const held = existing.get(userId);
    const changes = assignmentChanges(held, roles);
    const outcome: RecordOutcome = {
      ...base,
      outcome: held === undefined ? 'created' : changes.length === 0 ? 'unchanged' : 'updated',
      reason: null,
      destinationId: userId,
      changes,
    };
    if (options.dryRun || outcome.outcome === 'unchanged' || application === null) await record(outcome);
    else writes.push({ userId, roles, outcome });
  }

  const applicationId = application?.id ?? '';
  const { started } = await runPool(writes, options.concurrency, options.signal, async (w) => {
    let outcome = w.outcome;
    try {
      await destination.assignUser(applicationId, w.userId, w.roles);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = {
        ...w.outcome,
        outcome: 'failed',
        reason: `could not assign Oomnitza user uid ${w.userId} to ${name}: ${message}`,
        changes: [],
      };
    }
    await record(outcome);
  });
  for (const w of writes.slice(started))
    await record({ ...w.outcome, outcome: 'skipped', reason: 'not assigned: the run was canceled before this user', changes: [] });
  await batcher.flush();
  return { counts, canceled: started < writes.length };
}

function assignmentChanges(held: SaasAssignment | undefined, roles: readonly string[]): FieldChange[] {
  if (held === undefined) return [{ field: 'roles', old: null, new: roles }];
  const changes: FieldChange[] = [];
  const key = (list: readonly string[]): string =>
    rolesFor(list)
      .map((r) => r.toLowerCase())
      .join('\n');
  if (key(held.roles) !== key(roles)) changes.push({ field: 'roles', old: rolesFor(held.roles), new: roles });
  if (!held.active) changes.push({ field: 'active', old: false, new: true });
  return changes;
}
