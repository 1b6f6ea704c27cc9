/**
 * NinjaOne as the sync's `UserSource`: its users turned into source users (`src/mapping/source-record.ts`),
 * its organisations and devices handed on as they are (expressions read them through
 * `$organization(id)` and `$device(id)`).
 *
 * The normalisation lives here because it is NinjaOne's quirk: a real tenant omits keys (technicians
 * have no `deviceIds`, `roles` is absent without `includeRoles=true`) or sends explicit nulls
 * (`organizationId: null`); both become null, so nothing downstream has to tell "absent" from
 * "null". Lists are copied into plain arrays, and a lone value where a list was expected becomes a
 * one-item list rather than an error.
 *
 * @example
 * const source = createNinjaOneSource(createNinjaOneClient({ origin, tokens }));
 * const users = await source.listUsers({ userType: 'END_USER' });
 * users[0]?.roles; // ['Technician'] or null
 */
import type { SourceUser, UserSource } from '../mapping/source-record.ts';
import type { NinjaOneClient } from './client.ts';
import type { NinjaOneUser } from './types.ts';

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

/**
 * The source user of one NinjaOne user: the catalogue's keys, each present, null when NinjaOne
 * omitted it or sent null.
 *
 * @example
 * toSourceUser({ id: 7, email: 'ada@example.com' }).roles; // null
 */
export function toSourceUser(user: NinjaOneUser): SourceUser {
  return {
    administrator: flag(user.administrator),
    assignedDeviceIds: list(user.assignedDeviceIds, integer),
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

/** The client as the run's source. The client keeps its raw NinjaOne answers for everything else. */
export function createNinjaOneSource(client: Pick<NinjaOneClient, 'listUsers' | 'listOrganizations' | 'listDevices'>): UserSource {
  return {
    async listUsers(options) {
      const users = await client.listUsers(options);
      return users.map(toSourceUser);
    },
    listOrganizations: (options) => client.listOrganizations(options),
    listDevices: (options) => client.listDevices(options),
  };
}
