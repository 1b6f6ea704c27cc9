/**
 * Offboarding, the planning half: which Oomnitza users this integration manages should be suspended
 * because their NinjaOne user left or was disabled, and which it suspended earlier should come back.
 * Pure, like the planner, so a dry run shows the same suspensions a run makes and the fuse judges
 * them before the first write.
 *
 * "Manages" is a link (`UserLink`): the Oomnitza user was created or matched by an earlier run of
 * this integration. An Oomnitza user without a link is never touched, whatever the policy.
 *
 * The rules, per link:
 * - The user is *active* when its NinjaOne user is among the users NinjaOne answered and not
 *   `enabled: false`, or when an enabled NinjaOne user matched the same Oomnitza user in this run's
 *   plan (a user deleted and created again in NinjaOne is the same person to Oomnitza).
 * - Policy `suspend`: an inactive user not yet suspended by us is suspended.
 * - Any policy: a user we suspended who is active again is unsuspended. Only our own suspensions are
 *   undone; one made by hand in Oomnitza is left as it is. Under `leave` nothing is ever suspended,
 *   so this only finishes what an earlier `suspend` began.
 * "Among the users NinjaOne answered" means those this integration reads: with `source.userType` set,
 * a user who changed type counts as gone.
 *
 * @example
 * const offboard = planOffboarding({ policy: 'suspend', links, users, plan });
 * offboard.counts; // { suspend: 1, unsuspend: 0 }
 * checkOffboardingFuse(offboard, integration.offboarding, users.length); // null, or why the run must stop
 */
import { defaultOffboardingMaxShare } from '../integrations/schema.ts';

import type { Offboarding, OffboardingPolicy } from '../integrations/schema.ts';
import type { SourceUser } from '../mapping/source-record.ts';
import type { Plan } from './plan.ts';
import type { RecordOutcome, UserLink } from './ports.ts';

export interface OffboardItem {
  readonly action: 'suspend' | 'unsuspend';
  readonly link: UserLink;
  readonly reason: string;
}

export interface OffboardPlan {
  readonly items: readonly OffboardItem[];
  readonly counts: Readonly<Record<OffboardItem['action'], number>>;
  /** Links not suspended by us before this run: what the fuse's share is measured against. */
  readonly activeLinks: number;
}

export interface OffboardInput {
  readonly policy: OffboardingPolicy;
  readonly links: readonly UserLink[];
  /** Every user NinjaOne answered this run, before filters. */
  readonly users: readonly Pick<SourceUser, 'id' | 'uid' | 'enabled'>[];
  readonly plan: Plan;
}

/**
 * The key a NinjaOne user is linked by: its uid (stable, and NinjaOne's own external key); a user
 * without one (not seen from NinjaOne itself) falls back to its id.
 */
export function ninjaoneUidOf(user: Pick<SourceUser, 'id' | 'uid'>): string {
  return user.uid ?? `id:${String(user.id)}`;
}

export function planOffboarding(input: OffboardInput): OffboardPlan {
  const byUid = new Map(input.users.map((user) => [ninjaoneUidOf(user), user]));
  const enabledIds = new Set(input.users.filter((user) => user.enabled !== false).map((user) => String(user.id)));
  // Oomnitza users an enabled NinjaOne user matches this run.
  const claimed = new Set<string>();
  for (const item of input.plan.items)
    if (item.action !== 'create' && item.action !== 'fail' && item.destinationId !== null && enabledIds.has(item.sourceId))
      claimed.add(item.destinationId);

  const items: OffboardItem[] = [];
  for (const link of input.links) {
    const user = byUid.get(link.ninjaoneUid);
    const enabled = user !== undefined && user.enabled !== false;
    const active = enabled || claimed.has(link.oomnitzaUid);
    const who = `NinjaOne user uid ${link.ninjaoneUid}`;
    if (link.suspended && active) {
      const why = enabled ? `${who} is in NinjaOne and enabled again` : `an enabled NinjaOne user matches this Oomnitza user again`;
      items.push({ action: 'unsuspend', link, reason: `${why}; unsuspended in Oomnitza (uid ${link.oomnitzaUid})` });
    } else if (!link.suspended && !active && input.policy === 'suspend') {
      const why = user === undefined ? `${who} is no longer in NinjaOne` : `${who} is disabled in NinjaOne (enabled: false)`;
      items.push({
        action: 'suspend',
        link,
        reason: `${why}; suspended in Oomnitza (uid ${link.oomnitzaUid}) by the offboarding policy`,
      });
    }
  }
  const suspend = items.filter((item) => item.action === 'suspend').length;
  return {
    items,
    counts: { suspend, unsuspend: items.length - suspend },
    activeLinks: input.links.filter((link) => !link.suspended).length,
  };
}

/**
 * The offboarding fuse: the reason the run must stop before its first write, or null. Suspensions
 * are measured against the linked users not yet suspended (more than `maxShare`, half by default,
 * trips it) and against `maxSuspensions` when set. An empty or sharply shrunken NinjaOne answer —
 * an outage, a lost permission — looks like everyone leaving; this is what keeps it from
 * suspending everyone.
 */
export function checkOffboardingFuse(offboard: OffboardPlan, offboarding: Offboarding | undefined, sourceUsers: number): string | null {
  const suspensions = offboard.counts.suspend;
  if (suspensions === 0) return null;
  const maxShare = offboarding?.maxShare ?? defaultOffboardingMaxShare;
  const share = offboard.activeLinks === 0 ? 1 : suspensions / offboard.activeLinks;
  const percent = `${String(Math.round(share * 1000) / 10)}%`;
  const what =
    sourceUsers === 0
      ? `NinjaOne answered no users at all, so the run would suspend all ${String(suspensions)} linked Oomnitza users (${percent} of those it manages)`
      : `the run would suspend ${String(suspensions)} of the ${String(offboard.activeLinks)} Oomnitza users this integration manages (${percent})`;
  const fix =
    'If NinjaOne is answering as it should and these users did leave, allow it for one run by raising offboarding.maxShare (1 allows all) or offboarding.maxSuspensions in the integration, then set it back; a dry run lists who would be suspended';
  const tail = `Nothing was written. ${sourceUsers === 0 ? 'An outage or a credential that lost its permissions looks like this. ' : ''}${fix}.`;
  if (offboarding?.maxSuspensions !== undefined && suspensions > offboarding.maxSuspensions)
    return `Offboarding fuse: ${what}, more than offboarding.maxSuspensions ${String(offboarding.maxSuspensions)}. ${tail}`;
  if (share > maxShare) return `Offboarding fuse: ${what}, more than offboarding.maxShare ${String(maxShare * 100)}%. ${tail}`;
  return null;
}

/** The outcome an offboarding item records: planned (a dry run) or written. */
export function offboardOutcome(item: OffboardItem): RecordOutcome {
  const suspend = item.action === 'suspend';
  return {
    sourceId: item.link.ninjaoneId,
    sourceUid: item.link.ninjaoneUid,
    label: item.link.label,
    kind: 'user',
    outcome: suspend ? 'suspended' : 'unsuspended',
    reason: item.reason,
    destinationId: item.link.oomnitzaUid,
    changes: [{ field: 'suspended', old: !suspend, new: suspend }],
  };
}
