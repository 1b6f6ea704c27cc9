/**
 * A NinjaOne user turned into a source record: exactly the 19 catalogue keys, each present.
 *
 * A real tenant omits keys (technicians have no `deviceIds`, `roles` is absent without
 * `includeRoles=true`) or sends explicit nulls (`organizationId: null`); both become null here, so
 * nothing downstream has to tell "absent" from "null". Lists are copied into plain arrays, and a
 * lone value where a list was expected becomes a one-item list rather than an error.
 *
 * @example
 * const record = toSourceRecord({ id: 7, email: 'ada@example.com' }, new Date('2026-01-01T02:00:00Z'));
 * record.roles;             // null
 * record.connectorSyncTime; // '2026-01-01T02:00:00.000Z'
 */
import type { NinjaOneUser } from '../ninjaone/types.ts';

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

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function flag(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function list<T>(value: unknown, item: (v: unknown) => T | null): T[] | null {
  if (value === null || value === undefined) return null;
  const items = Array.isArray(value) ? (value as readonly unknown[]) : [value];
  const out: T[] = [];
  for (const v of items) {
    const converted = item(v);
    if (converted !== null) out.push(converted);
  }
  return out;
}

/** The source record of one user; `runStartedAt` becomes Connector Sync Time. */
export function toSourceRecord(user: NinjaOneUser, runStartedAt: Date): SourceRecord {
  return {
    administrator: flag(user.administrator),
    assignedDeviceIds: list(user.assignedDeviceIds, integer),
    connectorSyncTime: syncTimeText(runStartedAt),
    deviceIds: list(user.deviceIds, integer),
    email: text(user.email),
    enabled: flag(user.enabled),
    firstName: text(user.firstName),
    id: user.id,
    invitationStatus: text(user.invitationStatus),
    lastName: text(user.lastName),
    mfaConfigured: flag(user.mfaConfigured),
    mustChangePw: flag(user.mustChangePw),
    notifyAllClients: flag(user.notifyAllClients),
    organizationId: integer(user.organizationId),
    permitAllClients: flag(user.permitAllClients),
    phone: text(user.phone),
    roles: list(user.roles, text),
    uid: text(user.uid),
    userType: text(user.userType),
  };
}

/**
 * What a person recognises the user by: the email, else the name, else `user #id`.
 *
 * @example
 * recordLabel({ id: 3, firstName: 'Zoë' }); // 'Zoë'
 */
export function recordLabel(user: NinjaOneUser): string {
  const email = typeof user.email === 'string' ? user.email.trim() : '';
  if (email !== '') return email;
  const name = [user.firstName, user.lastName]
    .filter((part) => typeof part === 'string' && part.trim() !== '')
    .map((part) => (part as string).trim())
    .join(' ');
  return name !== '' ? name : `user #${String(user.id)}`;
}
