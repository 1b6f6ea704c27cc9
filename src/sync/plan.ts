/**
 * The planner: given the mapped records and the destination's users, decides for each record what a
 * run does to it — create, update (only the fields that differ, with old and new values), leave
 * unchanged, skip (with the reason) or fail (with the reason). Pure: no I/O, so a dry run and a real
 * run share one plan, and the fuse can judge the whole run before its first write.
 *
 * The rules, in the order they apply:
 * 1. A record with no value in any sync key is skipped; it could never be matched again, so creating
 *    it would make a duplicate on every run.
 * 2. Two source records sharing a key value both fail, naming each other: whichever won would
 *    overwrite the other's data in a record that is unique by that key.
 * 3. Keys are tried in priority order; the first key whose value finds users decides. Finding two or
 *    more is a failure for that record, never a guess.
 * 4. Two source records that find the same destination user (by different keys) both fail.
 * 5. The preference decides between create and update; an update writes only what differs, and by
 *    default never the secondary keys (they find records, they are not overwritten), as Oomnitza's
 *    own integrations behave. An empty source value never clears a sync key.
 *
 * @example
 * const plan = planUsers({ records, syncKeys: ['email'], preference: 'create_and_update', updateSyncKeys: false, destination });
 * plan.counts; // { create: 3, update: 1, unchanged: 96, skip: 0, fail: 0 }
 */
import { isDuplicate } from './destination-index.ts';
import { isEmptyValue, keyText, sameKey, sameValue } from './values.ts';

import type { Fuse, Preference } from '../integrations/schema.ts';
import type { MappedRecord } from '../mapping/compile.ts';
import type { DestinationIndex } from './destination-index.ts';
import type { DestinationUser, FieldChange, RecordOutcome, RecordOutcomeKind } from './ports.ts';

/** A record as the mapping hands it over: Oomnitza field names and values. */
export type { MappedRecord } from '../mapping/compile.ts';

export const planActions = ['create', 'update', 'unchanged', 'skip', 'fail'] as const;
export type PlanAction = (typeof planActions)[number];

export type PlanItem =
  /** A create's changes are its fields, each from nothing: `plannedOutcome` lists them. */
  | { readonly action: 'create'; readonly sourceId: string; readonly label: string; readonly fields: Readonly<Record<string, unknown>> }
  | {
      readonly action: 'update';
      readonly sourceId: string;
      readonly label: string;
      readonly destinationId: string;
      readonly matchedBy: string;
      readonly patch: Readonly<Record<string, unknown>>;
      readonly changes: readonly FieldChange[];
    }
  | {
      readonly action: 'unchanged';
      readonly sourceId: string;
      readonly label: string;
      readonly destinationId: string;
      readonly matchedBy: string;
    }
  | {
      readonly action: 'skip' | 'fail';
      readonly sourceId: string;
      readonly label: string;
      readonly destinationId: string | null;
      readonly reason: string;
    };

export interface Plan {
  readonly items: readonly PlanItem[];
  readonly counts: Readonly<Record<PlanAction, number>>;
}

export interface PlanInput {
  readonly records: readonly MappedRecord[];
  /** Oomnitza fields in priority order; the first is the primary key. */
  readonly syncKeys: readonly string[];
  readonly preference: Preference;
  /** Write secondary keys on update too. */
  readonly updateSyncKeys: boolean;
  readonly destination: DestinationIndex;
  /**
   * Fields Oomnitza requires to create a user (from its data model, when it says). A record that
   * would be created without one fails in the plan, so a dry run shows what a real run would meet.
   */
  readonly requiredOnCreate?: readonly string[];
  /**
   * Fields that only say when the record was synced (Connector Sync Time): written with another
   * change of the record, never alone, so an unchanged record stays unchanged.
   */
  readonly syncTimeFields?: readonly string[];
}

/** Plans every record; the items keep the order of `records`. */
export function planUsers(input: PlanInput): Plan {
  const { records, syncKeys, destination } = input;
  // One column of matching texts per key (no array per record: 100,000 records plan in one go).
  const keys = syncKeys.map((key) => records.map((record) => keyText(record.fields[key])));
  const verdicts: (PlanItem | undefined)[] = records.map((record, i) =>
    keys.every((column) => column[i] === null) ? noKey(record, syncKeys) : undefined,
  );

  failSourceDuplicates(records, keys, syncKeys, verdicts);

  const matched: (DestinationUser | null)[] = new Array<DestinationUser | null>(records.length).fill(null);
  const matchedBy: string[] = new Array<string>(records.length);
  const firstClaim = new Map<string, number>();
  const conflicts = new Map<string, number[]>();
  records.forEach((record, i) => {
    if (verdicts[i] !== undefined) return;
    for (const [k, key] of syncKeys.entries()) {
      const found = destination.holders(key, keys[k]?.[i] ?? null);
      if (found === undefined) continue;
      if (isDuplicate(found)) {
        verdicts[i] = fail(
          record,
          null,
          `${found.length} Oomnitza users have ${key} "${String(record.fields[key])}" (${listOf(found.map((u) => `uid ${u.id}`))}); nothing is written for this user. Remove the duplicate in Oomnitza or put a more specific sync key first`,
        );
        return;
      }
      const user = found;
      matched[i] = user;
      matchedBy[i] = key;
      const first = firstClaim.get(user.id);
      if (first === undefined) firstClaim.set(user.id, i);
      else conflicts.set(user.id, [...(conflicts.get(user.id) ?? [first]), i]);
      return;
    }
  });

  for (const [destinationId, claimants] of conflicts) {
    for (const i of claimants) {
      const record = records[i];
      if (record === undefined) continue;
      const others = claimants.filter((j) => j !== i).map((j) => describe(records[j]));
      verdicts[i] = fail(
        record,
        destinationId,
        `finds the same Oomnitza user (uid ${destinationId}) as ${listOf(others)}; neither is written. Make the sync key values unique in NinjaOne or in Oomnitza`,
      );
    }
  }

  const items = records.map((record, i) => {
    const user = matched[i] ?? null;
    return verdicts[i] ?? decide(input, record, user === null ? null : { user, key: matchedBy[i] ?? '' });
  });
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, skip: 0, fail: 0 };
  for (const item of items) counts[item.action] += 1;
  return { items, counts };
}

/** Create or update (or neither) for a record that passed the key checks. */
function decide(input: PlanInput, record: MappedRecord, match: { readonly user: DestinationUser; readonly key: string } | null): PlanItem {
  const { sourceId, label } = record;
  if (match === null) {
    if (input.preference === 'update_only')
      return { action: 'skip', sourceId, label, destinationId: null, reason: 'not in Oomnitza and preference is Update only' };
    const fields: Record<string, unknown> = {};
    for (const field in record.fields) {
      const value = record.fields[field];
      if (!isEmptyValue(value)) fields[field] = value;
    }
    const missing = (input.requiredOnCreate ?? []).filter((field) => !(field in fields));
    if (missing.length > 0) {
      const names = missing.join(', ');
      return {
        action: 'fail',
        sourceId,
        label,
        destinationId: null,
        reason: `not in Oomnitza, and Oomnitza needs ${names} to create a user but this record has no value for ${missing.length === 1 ? 'it' : 'them'}; map ${names} from a field every user has, or filter such users out`,
      };
    }
    return { action: 'create', sourceId, label, fields };
  }

  const { user, key } = match;
  const primary = input.syncKeys[0];
  const patch: Record<string, unknown> = {};
  const changes: FieldChange[] = [];
  for (const field in record.fields) {
    const value = record.fields[field];
    const isKey = field === primary || input.syncKeys.includes(field);
    if (isKey && field !== primary && !input.updateSyncKeys) continue;
    // The key that found the user holds the same value by definition.
    if (field === key) continue;
    // An empty source value never clears a key: the record would lose the identity it is found by.
    if (isKey && isEmptyValue(value)) continue;
    const held = user.fields[field];
    // Keys compare as they match (case-insensitively), so a case-only difference is not rewritten each run.
    if (isKey ? sameKey(held, value) : sameValue(held, value)) continue;
    patch[field] = value ?? null;
    changes.push({ field, old: held ?? null, new: value ?? null });
  }
  const syncTime = input.syncTimeFields ?? [];
  if (changes.every((change) => syncTime.includes(change.field)))
    return { action: 'unchanged', sourceId, label, destinationId: user.id, matchedBy: key };
  if (input.preference === 'create_only') {
    return {
      action: 'skip',
      sourceId,
      label,
      destinationId: user.id,
      reason: `already in Oomnitza (uid ${user.id}) with different ${changes.map((c) => c.field).join(', ')}; preference is Create only, so it is left as it is`,
    };
  }
  return { action: 'update', sourceId, label, destinationId: user.id, matchedBy: key, patch, changes };
}

/** Every record sharing a key value with another record fails, naming the others. */
function failSourceDuplicates(
  records: readonly MappedRecord[],
  keys: readonly (readonly (string | null)[])[],
  syncKeys: readonly string[],
  verdicts: (PlanItem | undefined)[],
): void {
  syncKeys.forEach((key, k) => {
    const holders = new Map<string, number[]>();
    keys[k]?.forEach((text, i) => {
      if (text === null) return;
      const list = holders.get(text);
      if (list === undefined) holders.set(text, [i]);
      else list.push(i);
    });
    for (const [text, indices] of holders) {
      if (indices.length < 2) continue;
      for (const i of indices) {
        const record = records[i];
        if (record === undefined || verdicts[i]?.action === 'fail') continue;
        const others = indices.filter((j) => j !== i).map((j) => describe(records[j]));
        verdicts[i] = fail(
          record,
          null,
          `has the same ${key} "${text}" as ${listOf(others)} in NinjaOne; neither is written. Make the value unique in NinjaOne or choose another sync key`,
        );
      }
    }
  });
}

function noKey(record: MappedRecord, syncKeys: readonly string[]): PlanItem {
  const names = syncKeys.join(', ');
  return {
    action: 'skip',
    sourceId: record.sourceId,
    label: record.label,
    destinationId: null,
    reason: `no value in the sync key${syncKeys.length > 1 ? 's' : ''} ${names}, so it cannot be matched; give the user a value in NinjaOne, or filter such users out`,
  };
}

function fail(record: MappedRecord, destinationId: string | null, reason: string): PlanItem {
  return { action: 'fail', sourceId: record.sourceId, label: record.label, destinationId, reason };
}

function describe(record: MappedRecord | undefined): string {
  return record === undefined ? 'another user' : `${record.label} (NinjaOne id ${record.sourceId})`;
}

/** "a, b, c and 4 more": a reason stays readable when a value is shared by hundreds. */
function listOf(names: readonly string[], shown = 3): string {
  if (names.length <= shown) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

const outcomeOfAction: Readonly<Record<PlanAction, RecordOutcomeKind>> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
  skip: 'skipped',
  fail: 'failed',
};

/** The outcome a plan item records when it is not (or not yet) written: a dry run's whole report. */
export function plannedOutcome(item: PlanItem): RecordOutcome {
  const base = { sourceId: item.sourceId, label: item.label, kind: 'user' as const, outcome: outcomeOfAction[item.action] };
  switch (item.action) {
    case 'create':
      return {
        ...base,
        reason: null,
        destinationId: null,
        changes: Object.entries(item.fields).map(([field, value]) => ({ field, old: null, new: value })),
      };
    case 'update':
      return { ...base, reason: null, destinationId: item.destinationId, changes: item.changes };
    case 'unchanged':
      return { ...base, reason: null, destinationId: item.destinationId, changes: [] };
    case 'skip':
    case 'fail':
      return { ...base, reason: item.reason, destinationId: item.destinationId, changes: [] };
  }
}

/**
 * The safety fuse: the reason the run must stop before its first write, or null. Counts creates
 * plus updates against `maxChanges`, and against `maxShare` of the users the destination holds.
 * The share is not applied to an empty destination (every first sync would trip it); `maxChanges`
 * guards that case.
 */
export function checkFuse(plan: Plan, fuse: Fuse | undefined, destinationCount: number): string | null {
  if (fuse === undefined) return null;
  const { create, update } = plan.counts;
  const changes = create + update;
  const what = `the run would create ${create} and update ${update} Oomnitza users`;
  const fix =
    'Check the mapping and sync keys with a dry run; if these changes are intended, raise the fuse in the integration (or remove it) for one run';
  if (fuse.maxChanges !== undefined && changes > fuse.maxChanges) {
    return `Safety fuse: ${what} (${changes} changes), more than fuse.maxChanges ${fuse.maxChanges}. Nothing was written. ${fix}.`;
  }
  if (fuse.maxShare !== undefined && destinationCount > 0 && changes / destinationCount > fuse.maxShare) {
    const share = Math.round((changes / destinationCount) * 1000) / 10;
    return `Safety fuse: ${what}, ${share}% of the ${destinationCount} it holds, more than fuse.maxShare ${fuse.maxShare * 100}%. Nothing was written. ${fix}.`;
  }
  return null;
}
