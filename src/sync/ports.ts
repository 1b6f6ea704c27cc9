/**
 * The sync's own language: the run vocabulary (states, phases, record outcomes, counts) and the
 * ports a run writes through (Oomnitza users, SaaS users, the reporter). The planner and executor
 * see only these; the Oomnitza client implements the destination ports (`src/oomnitza/`), the runs
 * store the reporter (`src/runs/`), so vendor HTTP never leaks into `src/sync/`. The source port
 * and the records it yields sit with the mapping that reads them (`src/mapping/source-record.ts`).
 *
 * This module imports nothing, so every layer may read it — `db/` for its column types, `runs/`,
 * the web UI — without pulling the engine in (`src/architecture.test.ts` holds it to that).
 *
 * @example
 * import { terminalRunStates, type RunState } from '../sync/ports.ts';
 * const done = (state: RunState): boolean => (terminalRunStates as readonly RunState[]).includes(state);
 */

/** A user as the destination holds it: its identifier and the fields that were asked for. */
export interface DestinationUser {
  /** The `uid` Oomnitza addresses the user by in `/api/v3/users/{ident}`. */
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One users field of the destination's data model; the type drives the conversion of mapped values. */
export interface DestinationField {
  readonly name: string;
  readonly required: boolean;
  readonly editable: boolean;
  /** Values stay unique across users: only such a field can be a sync key. */
  readonly unique?: boolean;
  readonly label?: string;
  readonly dataType?: string;
  readonly length?: number | null;
  readonly options?: readonly string[] | null;
}

/** The Oomnitza users the sync writes. */
export interface UserDestination {
  /** How many users the destination holds (`x-total-count`). */
  countUsers(options?: { readonly signal?: AbortSignal }): Promise<number>;
  /** Every user, page by page, with only `fields` (plus the identifier). */
  listUsers(fields: readonly string[], options?: { readonly signal?: AbortSignal }): AsyncIterable<readonly DestinationUser[]>;
  /**
   * Every user whose `field` equals one of `values`, compared as Oomnitza compares them
   * (case-insensitively for text). Batches the values into `IN` filters.
   */
  findUsers(
    field: string,
    values: readonly string[],
    fields: readonly string[],
    options?: { readonly signal?: AbortSignal },
  ): Promise<readonly DestinationUser[]>;
  createUser(fields: Readonly<Record<string, unknown>>, options?: { readonly signal?: AbortSignal }): Promise<DestinationUser>;
  updateUser(id: string, patch: Readonly<Record<string, unknown>>, options?: { readonly signal?: AbortSignal }): Promise<DestinationUser>;
  /** The user fields of the destination's data model, when it can say (null when it cannot). */
  listUserFields?(options?: { readonly signal?: AbortSignal }): Promise<readonly DestinationField[] | null>;
  /**
   * Users per `listUsers` page and values per `findUsers` request. The sync reads them to choose the
   * cheaper way to load the destination (see `src/sync/load-destination.ts`); defaults apply when absent.
   */
  readonly listPageSize?: number;
  readonly findBatchSize?: number;
}

/** A SaaS user: the assignment of an Oomnitza user to a SaaS application, with its roles there. */
export interface SaasAssignment {
  readonly userId: string;
  readonly email: string | null;
  /** The roles' external ids (for NinjaOne: the role names), sorted; empty for none. */
  readonly roles: readonly string[];
  readonly active: boolean;
}

/** The SaaS side of a "User plus SaaS user" run. */
export interface SaasDestination {
  /** Finds the SaaS application by name, creating it when absent; returns its identifier. */
  ensureApplication(name: string, options?: { readonly signal?: AbortSignal }): Promise<{ readonly id: string; readonly created: boolean }>;
  /**
   * Finds the SaaS application by name without creating it (null when absent). A dry run uses it to
   * plan the SaaS users without writing; without it, a dry run plans every assignment as new.
   */
  findApplication?(name: string, options?: { readonly signal?: AbortSignal }): Promise<{ readonly id: string } | null>;
  listAssignments(applicationId: string, options?: { readonly signal?: AbortSignal }): Promise<readonly SaasAssignment[]>;
  /** Assigns (or re-activates) a user; its roles become exactly `roles` (a role left out is removed; empty clears them). */
  assignUser(applicationId: string, userId: string, roles: readonly string[], options?: { readonly signal?: AbortSignal }): Promise<void>;
}

export const runStates = ['queued', 'running', 'succeeded', 'completed_with_errors', 'failed', 'canceled'] as const;
export type RunState = (typeof runStates)[number];
export const terminalRunStates = ['succeeded', 'completed_with_errors', 'failed', 'canceled'] as const satisfies readonly RunState[];
export type TerminalRunState = (typeof terminalRunStates)[number];

/**
 * What happened to one record. A dry run records the planned outcome with `dryRun` set on the run.
 * `skipped`: the run could not or would not act on it (no sync-key value, the preference, a cancel);
 * `filtered`: a filter rule of the integration dropped it on purpose — counted apart, so a rule that
 * drops half the tenant is not mistaken for half the tenant lacking an email.
 * `suspended` / `unsuspended`: offboarding set a linked Oomnitza user's `suspended` (see `offboard.ts`).
 */
export const recordOutcomes = ['created', 'updated', 'unchanged', 'suspended', 'unsuspended', 'skipped', 'filtered', 'failed'] as const;
export type RecordOutcomeKind = (typeof recordOutcomes)[number];

export const runPhases = ['fetching', 'mapping', 'matching', 'writing', 'saas', 'done'] as const;
export type RunPhase = (typeof runPhases)[number];

export interface FieldChange {
  readonly field: string;
  readonly old: unknown;
  readonly new: unknown;
}

export interface RecordOutcome {
  /** NinjaOne user id, as text; null for a record that is not a NinjaOne user (the SaaS application). */
  readonly sourceId: string | null;
  /** What a person recognises the record by: the email, else the name, else `user #id`. */
  readonly label: string;
  /** 'user' for the Oomnitza user, 'saas' for the SaaS-user assignment. */
  readonly kind: 'user' | 'saas';
  readonly outcome: RecordOutcomeKind;
  /** Why it was skipped, filtered, failed, suspended or unsuspended, in words a person can act on; null otherwise. */
  readonly reason: string | null;
  readonly destinationId: string | null;
  /** Fields written (or to be written, in a dry run): old and new values. */
  readonly changes: readonly FieldChange[];
  /**
   * The NinjaOne uid of a user record, when the source has one: the store keeps the user's link
   * (this uid ↔ `destinationId`) from it, for offboarding. Not shown; absent for SaaS records.
   */
  readonly sourceUid?: string | null | undefined;
}

/**
 * An Oomnitza user this integration created or matched in an earlier run, and the NinjaOne user it
 * is: what offboarding may suspend (and nothing else). The store keeps them from the reported
 * outcomes (`src/runs/user-links.ts`).
 */
export interface UserLink {
  readonly oomnitzaUid: string;
  readonly ninjaoneUid: string;
  /** The NinjaOne id, as text, as `RecordOutcome.sourceId` has it. */
  readonly ninjaoneId: string;
  /** The record's label when it was last seen, so a user gone from NinjaOne is still named. */
  readonly label: string;
  /** True when offboarding suspended the user and has not unsuspended it since. */
  readonly suspended: boolean;
}

/** Where a run reads its integration's user links (none for a run without a store). */
export interface LinkSource {
  listLinks(options?: { readonly signal?: AbortSignal }): Promise<readonly UserLink[]>;
}

export type RunCounts = Record<RecordOutcomeKind, number>;

/** Zero of every outcome. @example const counts = emptyRunCounts(); counts.created += 1; */
export function emptyRunCounts(): RunCounts {
  return Object.fromEntries(recordOutcomes.map((outcome) => [outcome, 0])) as RunCounts;
}

/** Where a run reports as it goes. The runs store implements it; the CLI adds a progress bar. */
export interface RunReporter {
  phase(phase: RunPhase, total?: number): void;
  /** Called for every record, in batches where that is cheaper. Must not throw for a bad record. */
  records(outcomes: readonly RecordOutcome[]): Promise<void>;
}
