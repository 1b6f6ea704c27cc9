/**
 * The source side of the sync's language: a source record (the 19 catalogue keys, each present, null
 * when empty), the user a source yields (the record less Connector Sync Time, which the run stamps),
 * and the `UserSource` port that yields them. No vendor knows this module and it knows no vendor: the
 * NinjaOne adapter (`src/ninjaone/source.ts`) turns NinjaOne's users into source users, so mapping,
 * planner and run engine never see NinjaOne's omitted keys and nulls.
 *
 * This module imports nothing, so every layer may read it (`src/architecture.test.ts` holds it to that).
 *
 * @example
 * const user: SourceUser = await source.listUsers({ userType: 'END_USER' }).then((users) => users[0]);
 * const record = withSyncTime(user, new Date('2026-01-01T02:00:00Z'));
 * record.connectorSyncTime; // '2026-01-01T02:00:00.000Z'
 * recordLabel(user);        // the email, else the name, else 'user #7'
 */

export interface SourceRecord {
  readonly administrator: boolean | null;
  readonly assignedDeviceIds: readonly number[] | null;
  /** The run's start as ISO 8601 UTC text, the same for every record of a run. */
  readonly connectorSyncTime: string;
  readonly deviceIds: readonly number[] | null;
  readonly email: string | null;
  readonly enabled: boolean | null;
  readonly firstName: string | null;
  readonly id: number;
  readonly invitationStatus: string | null;
  readonly lastName: string | null;
  readonly mfaConfigured: boolean | null;
  readonly mustChangePw: boolean | null;
  readonly notifyAllClients: boolean | null;
  readonly organizationId: number | null;
  readonly permitAllClients: boolean | null;
  readonly phone: string | null;
  readonly roles: readonly string[] | null;
  readonly uid: string | null;
  readonly userType: string | null;
}

/** A user as a source yields it: every catalogue key but Connector Sync Time, each present. */
export type SourceUser = Omit<SourceRecord, 'connectorSyncTime'>;

/**
 * An organisation or device as the source holds it, for `$organization(id)` and `$device(id)` in
 * expressions: an id and whatever else the source says, handed to expressions as it is.
 */
export interface SourceEntity {
  readonly id: number;
}

/** The user types a source can be asked for (the catalogue's User Type values). */
export const sourceUserTypes = ['TECHNICIAN', 'END_USER'] as const;
export type SourceUserType = (typeof sourceUserTypes)[number];

/** Where a run reads its users from. Each call does its own paging and retries. */
export interface UserSource {
  listUsers(options: { readonly userType?: SourceUserType; readonly signal?: AbortSignal }): Promise<readonly SourceUser[]>;
  listOrganizations(options?: { readonly signal?: AbortSignal }): Promise<readonly SourceEntity[]>;
  listDevices(options?: { readonly signal?: AbortSignal }): Promise<readonly SourceEntity[]>;
}

/**
 * A source user with the given keys and every other key null (absent), for sources that know only
 * some fields and for tests.
 *
 * @example
 * sourceUser({ id: 7, email: 'ada@example.com' }).roles; // null
 */
export function sourceUser(fields: Partial<SourceUser> & Pick<SourceUser, 'id'>): SourceUser {
  return {
    administrator: null,
    assignedDeviceIds: null,
    deviceIds: null,
    email: null,
    enabled: null,
    firstName: null,
    invitationStatus: null,
    lastName: null,
    mfaConfigured: null,
    mustChangePw: null,
    notifyAllClients: null,
    organizationId: null,
    permitAllClients: null,
    phone: null,
    roles: null,
    uid: null,
    userType: null,
    ...fields,
  };
}

// One run stamps thousands of records with the same instant; format it once.
let lastStart: Date | undefined;
let lastStartText = '';

function syncTimeText(runStartedAt: Date): string {
  if (runStartedAt !== lastStart) {
    lastStartText = runStartedAt.toISOString();
    lastStart = runStartedAt;
  }
  return lastStartText;
}

/**
 * The source record of one user; `runStartedAt` becomes Connector Sync Time. The keys keep the
 * catalogue's order (what `$keys($)` and `$string($)` show in an expression), spelled out rather
 * than spread, which is also the cheaper object to build per record.
 */
export function withSyncTime(user: SourceUser, runStartedAt: Date): SourceRecord {
  return {
    administrator: user.administrator,
    assignedDeviceIds: user.assignedDeviceIds,
    connectorSyncTime: syncTimeText(runStartedAt),
    deviceIds: user.deviceIds,
    email: user.email,
    enabled: user.enabled,
    firstName: user.firstName,
    id: user.id,
    invitationStatus: user.invitationStatus,
    lastName: user.lastName,
    mfaConfigured: user.mfaConfigured,
    mustChangePw: user.mustChangePw,
    notifyAllClients: user.notifyAllClients,
    organizationId: user.organizationId,
    permitAllClients: user.permitAllClients,
    phone: user.phone,
    roles: user.roles,
    uid: user.uid,
    userType: user.userType,
  };
}

/**
 * What a person recognises the user by: the email, else the name, else `user #id`.
 *
 * @example
 * recordLabel({ ...user, id: 3, email: null, firstName: 'Zoë', lastName: null }); // 'Zoë'
 */
export function recordLabel(user: Pick<SourceUser, 'id' | 'email' | 'firstName' | 'lastName'>): string {
  const email = user.email === null ? '' : user.email.trim();
  if (email !== '') return email;
  const name = [user.firstName, user.lastName]
    .filter((part): part is string => part !== null && part.trim() !== '')
    .map((part) => part.trim())
    .join(' ');
  return name !== '' ? name : `user #${String(user.id)}`;
}
