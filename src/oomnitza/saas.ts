/**
 * The SaaS side of a "User plus SaaS user" run: the SaaS application (found by name or created),
 * its SaaS users, and each user's roles in it (reference §2.5).
 *
 * - Application: `GET /api/v3/saas?filter=saas_name eq "NinjaOne"`, else `POST /api/v3/saas` with
 *   every client-settable field the spec's `SaaS` schema requires (`saas_name`, `source`, `linked`,
 *   `link_key`, `ignored`, `hash`; a server built from the spec answers 422 to a bare name), created
 *   at most once (see create-once.ts). It answers `{saas_id}`.
 * - Assignments: `GET /api/v3/saas/{saas_id}/users`. Those records name the user by its `user_id`
 *   (a text id), while the sync knows users by `uid`; the client translates, so an assignment's
 *   `userId` is the same id `listUsers` gives. Each record's `roles` is one object in the spec (so
 *   at most one role shows), so a user's roles are read the other way round: the SaaS's roles
 *   (`GET …/roles`), then for each role in use its users (`GET …/users?roles=<role_id>`, the spec's
 *   "exclude users where there are no common roles"): one request per role, not per user.
 * - Assigning: `POST /api/v3/saas/{saas_id}/users` `[{user_id, assign: true}]` (also re-activates a
 *   deactivated SaaS user), then the roles with `PATCH /api/v3/saas/{saas_id}/roles/users`, which
 *   replaces the user's roles in that SaaS with the list sent and creates a role that does not exist
 *   yet; a role left out is removed from the user. Both answer 200 with per-item errors; an item
 *   error is thrown as a VendorError naming the user.
 *
 * @example
 * const app = await ensureApplication(transport, 'NinjaOne', { pageSize: 500 });
 * await assignUser(transport, app.id, '1001', ['Field Technician', 'Help Desk']);
 */
import { VendorError } from '../http/vendor-error.ts';
import { createOnce } from './create-once.ts';
import { eqFilter } from './filter.ts';
import { unexpectedAnswer, withRecordContext } from './transport.ts';
import { findUsers, listUsers } from './users-read.ts';

import type { SaasAssignment } from '../sync/ports.ts';
import type { OomnitzaTransport } from './transport.ts';
import type { OomnitzaRecord, PageOptions, ReadOptions } from './users-read.ts';

export async function findApplication(transport: OomnitzaTransport, name: string, options: ReadOptions = {}): Promise<string | null> {
  const url = transport.url('/api/v3/saas', { filter: eqFilter('saas_name', name), sortby: 'saas_id asc', limit: 100 });
  const response = await transport.send<unknown>('GET', url, { signal: options.signal });
  if (!Array.isArray(response.body)) throw unexpectedAnswer('GET', url, response.status, 'a JSON array of SaaS applications');
  const apps = (response.body as OomnitzaRecord[]).filter(
    (app) => typeof app['saas_name'] === 'string' && app['saas_name'].toLowerCase() === name.toLowerCase(),
  );
  // Exact spelling first; with several, the oldest (lowest id), so every run picks the same one.
  const chosen = apps.find((app) => app['saas_name'] === name) ?? apps[0];
  return chosen === undefined ? null : appId(chosen);
}

export async function ensureApplication(
  transport: OomnitzaTransport,
  name: string,
  options: ReadOptions = {},
): Promise<{ id: string; created: boolean }> {
  const existing = await findApplication(transport, name, options);
  if (existing !== null) return { id: existing, created: false };
  const url = transport.url('/api/v3/saas');
  const { record } = await createOnce(transport, {
    label: `SaaS application "${name}"`,
    lookupKey: 'saas_name',
    signal: options.signal,
    async post() {
      const response = await transport.send<unknown>('POST', url, { json: newApplication(name), signal: options.signal });
      const id = typeof response.body === 'object' && response.body !== null ? appId(response.body as OomnitzaRecord) : null;
      if (id === null) throw unexpectedAnswer('POST', url, response.status, 'the saas_id of the new application');
      return id;
    },
    lookup: () => findApplication(transport, name, options),
  });
  return { id: record, created: true };
}

/**
 * The create body: the name plus the other client-settable fields the spec requires. The values say
 * "made through the API, not linked to a discovered SaaS, not ignored". [INFERRED: the spec gives
 * the fields, not their meaning; these are the values Oomnitza shows for a SaaS added by hand]
 */
export function newApplication(name: string): Record<string, unknown> {
  return { saas_name: name, source: 'API', linked: 'false', link_key: '', ignored: 'false', hash: false };
}

function appId(record: OomnitzaRecord): string | null {
  const id = record['saas_id'] ?? record['uid'];
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : null;
}

/** Every SaaS user of an application, with `userId` as the Oomnitza user's `uid` and all its roles. */
export async function listAssignments(
  transport: OomnitzaTransport,
  applicationId: string,
  options: PageOptions,
): Promise<SaasAssignment[]> {
  const app = encodeURIComponent(applicationId);
  const url = transport.url(`/api/v3/saas/${app}/users`);
  const response = await transport.send<unknown>('GET', url, { signal: options.signal });
  if (!Array.isArray(response.body)) throw unexpectedAnswer('GET', url, response.status, 'a JSON array of SaaS users');
  const records = response.body as OomnitzaRecord[];
  const userIds = records.map((record) => textOf(record['user_id'])).filter((id): id is string => id !== null);
  const [uids, rolesByUser] = await Promise.all([
    uidsByUserId(transport, userIds, options),
    records.length === 0 ? new Map<string, string[]>() : rolesOfUsers(transport, app, options),
  ]);
  return records.map((record): SaasAssignment => {
    const userId = textOf(record['user_id']);
    const roles = new Set(userId === null ? [] : (rolesByUser.get(userId.toLowerCase()) ?? []));
    // The record's own role object is one of them; kept in case the roles listing missed it.
    for (const role of rolesOf(record['roles'])) roles.add(role);
    return {
      // A user_id we cannot translate (the user is gone) is kept as it came, so it is still visible.
      userId: (userId === null ? null : uids.get(userId.toLowerCase())) ?? userId ?? '',
      email: textOf(record['email']),
      roles: [...roles].sort((a, b) => a.localeCompare(b, 'en')),
      active: record['is_active'] !== false,
    };
  });
}

/** `user_id` (lower case) → the external ids of its roles in this SaaS: one listing per role in use. */
async function rolesOfUsers(transport: OomnitzaTransport, app: string, options: PageOptions): Promise<Map<string, string[]>> {
  const rolesUrl = transport.url(`/api/v3/saas/${app}/roles`);
  const listed = await transport.send<unknown>('GET', rolesUrl, { signal: options.signal });
  if (!Array.isArray(listed.body)) throw unexpectedAnswer('GET', rolesUrl, listed.status, 'a JSON array of SaaS roles');
  const roles = (listed.body as OomnitzaRecord[]).filter((role) => role['users_count'] !== 0 && textOf(role['role_id']) !== null);
  const out = new Map<string, string[]>();
  await Promise.all(
    roles.map(async (role) => {
      const name = textOf(role['role_external_id']) ?? textOf(role['role_external_label']);
      if (name === null) return;
      const url = transport.url(`/api/v3/saas/${app}/users`, { roles: textOf(role['role_id']) ?? '' });
      const users = await transport.send<unknown>('GET', url, { signal: options.signal });
      if (!Array.isArray(users.body)) throw unexpectedAnswer('GET', url, users.status, 'a JSON array of SaaS users');
      for (const user of users.body as OomnitzaRecord[]) {
        const userId = textOf(user['user_id'])?.toLowerCase();
        if (userId === undefined) continue;
        out.set(userId, [...(out.get(userId) ?? []), name]);
      }
    }),
  );
  return out;
}

/** `user_id` → `uid`: by IN filters for a few, by one listing for many (fewer requests). */
async function uidsByUserId(transport: OomnitzaTransport, userIds: readonly string[], options: PageOptions): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (userIds.length === 0) return out;
  const add = (id: string, fields: Readonly<Record<string, unknown>>): void => {
    const userId = textOf(fields['user_id']);
    if (userId !== null) out.set(userId.toLowerCase(), id);
  };
  if (userIds.length <= options.pageSize) {
    for (const user of await findUsers(transport, 'user_id', userIds, ['user_id'], options)) add(user.id, user.fields);
  } else {
    for await (const page of listUsers(transport, ['user_id'], options)) for (const user of page) add(user.id, user.fields);
  }
  return out;
}

/** The spec's `roles` is one object (empty strings when none); some answers carry a list. External ids, else labels. */
function rolesOf(roles: unknown): string[] {
  const items: unknown[] = Array.isArray(roles) ? roles : [roles];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const role = item as Record<string, unknown>;
    const name = textOf(role['role_external_id']) ?? textOf(role['role_external_label']);
    if (name !== null) out.push(name);
  }
  return out;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Assigns (or re-activates) a user, then makes its roles exactly `roles`; an empty list clears them. */
export async function assignUser(
  transport: OomnitzaTransport,
  applicationId: string,
  userId: string,
  roles: readonly string[],
  options: ReadOptions = {},
): Promise<void> {
  const app = encodeURIComponent(applicationId);
  const label = `assigning user ${userId} to SaaS ${applicationId}`;
  try {
    const assignUrl = transport.url(`/api/v3/saas/${app}/users`);
    // Assigning is a set operation: sending it twice leaves the same state, so it may be retried.
    const assigned = await transport.send<unknown>('POST', assignUrl, {
      json: [{ user_id: userId, assign: true }],
      idempotent: true,
      signal: options.signal,
    });
    const itemError = Array.isArray(assigned.body)
      ? (assigned.body as OomnitzaRecord[]).map((item) => textOf(item['error'])).find((e) => e !== null)
      : undefined;
    if (itemError !== undefined && itemError !== null) throw itemFailure('POST', assignUrl, itemError, 'saas_assignment_failed');

    const rolesUrl = transport.url(`/api/v3/saas/${app}/roles/users`);
    const changed = await transport.send<unknown>('PATCH', rolesUrl, {
      json: { users: userId, roles: roles.map((role) => ({ role_external_id: role, role_external_label: role })) },
      idempotent: true,
      signal: options.signal,
    });
    const errors = typeof changed.body === 'object' && changed.body !== null ? (changed.body as OomnitzaRecord)['errors'] : undefined;
    if (Array.isArray(errors) && errors.length > 0) throw itemFailure('PATCH', rolesUrl, errors.map(String).join('; '), 'saas_role_failed');
  } catch (error) {
    throw withRecordContext(error, roles.length === 0 ? label : `${label} with roles ${roles.map((r) => `"${r}"`).join(', ')}`);
  }
}

/** A 200 answer that reports the item as failed. */
function itemFailure(method: 'POST' | 'PATCH', url: URL, message: string, code: string): VendorError {
  return new VendorError(`Oomnitza ${method} ${url.host}${url.pathname} refused the item: ${message.slice(0, 300)}`, {
    vendor: 'Oomnitza',
    kind: 'http',
    status: 200,
    host: url.host,
    method,
    path: url.pathname,
    retryable: false,
    code,
  });
}
