/**
 * What the sync engine needs from the world, as interfaces. The planner and executor see only these;
 * the NinjaOne and Oomnitza clients implement them (`src/ninjaone/`, `src/oomnitza/`), so vendor HTTP
 * never leaks into `src/sync/`.
 */
import type { NinjaOneDevice, NinjaOneOrganization, NinjaOneUser } from '../ninjaone/types.ts';
import type { NinjaOneUserType } from '../integrations/schema.ts';

/** The NinjaOne side of a run. Each call does its own paging and retries. */
export interface UserSource {
  listUsers(options: { readonly userType?: NinjaOneUserType; readonly signal?: AbortSignal }): Promise<readonly NinjaOneUser[]>;
  listOrganizations(options?: { readonly signal?: AbortSignal }): Promise<readonly NinjaOneOrganization[]>;
  listDevices(options?: { readonly signal?: AbortSignal }): Promise<readonly NinjaOneDevice[]>;
}

/** A user as the destination holds it: its identifier and the fields that were asked for. */
export interface DestinationUser {
  /** The `uid` Oomnitza addresses the user by in `/api/v3/users/{ident}`. */
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
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
  findUsers(field: string, values: readonly string[], fields: readonly string[], options?: { readonly signal?: AbortSignal }): Promise<readonly DestinationUser[]>;
  createUser(fields: Readonly<Record<string, unknown>>, options?: { readonly signal?: AbortSignal }): Promise<DestinationUser>;
  updateUser(id: string, patch: Readonly<Record<string, unknown>>, options?: { readonly signal?: AbortSignal }): Promise<DestinationUser>;
}

/** A SaaS user: the assignment of an Oomnitza user to a SaaS application, with a role. */
export interface SaasAssignment {
  readonly userId: string;
  readonly email: string | null;
  readonly role: string | null;
  readonly active: boolean;
}

/** The SaaS side of a "User plus SaaS user" run. */
export interface SaasDestination {
  /** Finds the SaaS application by name, creating it when absent; returns its identifier. */
  ensureApplication(name: string, options?: { readonly signal?: AbortSignal }): Promise<{ readonly id: string; readonly created: boolean }>;
  listAssignments(applicationId: string, options?: { readonly signal?: AbortSignal }): Promise<readonly SaasAssignment[]>;
  /** Assigns (or re-activates) a user with a role; role null clears it. */
  assignUser(applicationId: string, userId: string, role: string | null, options?: { readonly signal?: AbortSignal }): Promise<void>;
}
