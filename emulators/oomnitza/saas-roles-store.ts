/**
 * SaaS roles and the roles of SaaS users, following the spec's `SaaS roles`,
 * `Users SaaS Roles List Object` (POST/DELETE `…/roles/users`) and `Users SaaS Role Update List
 * Object` (PATCH `…/roles/users`: "Overwrites the current list of the User's roles in this certain
 * SaaS. If new Role values come in the list than new SaaSRole records will be created").
 *
 * A role is keyed by `role_external_id` within its SaaS (the id in the SaaS itself, e.g. a NinjaOne
 * role name). Users in these bodies are named by `user_id` (or uid) and must already be SaaS users.
 *
 * @example
 * replaceUserRoles(store, '101', { users: '1001', roles: [{ role_external_id: 'technician', role_external_label: 'Technician' }] });
 */
import { fieldError, notFound, OomnitzaApiError } from './errors.ts';
import { opaqueId } from './ids.ts';
import { findSaas, findSaasUser, resolveSaasUserRef } from './saas-store.ts';

import type { OomnitzaStore, SaasRole, SaasUser } from './store.ts';

/** A role in the spec's `SaaS roles` shape. */
export function renderRole(store: OomnitzaStore, role: SaasRole): Record<string, unknown> {
  let usersCount = 0;
  for (const su of store.saasUsers.values()) if (su.role_ids.includes(role.role_id)) usersCount++;
  return {
    role_id: role.role_id,
    saas_id: String(role.saas_id),
    source: role.source,
    role_external_id: role.role_external_id,
    role_external_label: role.role_external_label,
    users_count: usersCount,
  };
}

export function listRoles(store: OomnitzaStore, ident: string): SaasRole[] {
  const app = findSaas(store, ident);
  return [...store.saasRoles.values()].filter((r) => r.saas_id === app.saas_id);
}

/** Creates a role from `{role_external_label}` (required) and optional `role_external_id` (default: the label). */
export function createRole(store: OomnitzaStore, ident: string, body: unknown): SaasRole {
  const app = findSaas(store, ident);
  const { role_external_label: label, role_external_id: externalId, ...rest } = objectBody(body);
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    throw fieldError(unknown, 'unknown SaaS role field; send role_external_label (and optionally role_external_id)', 'unknown_field');
  if (typeof label !== 'string' || label.trim() === '')
    throw fieldError('role_external_label', 'is required and must be text', 'required_field');
  if (externalId !== undefined && typeof externalId !== 'string') throw fieldError('role_external_id', 'must be text', 'wrong_type');
  return addRole(store, app.saas_id, externalId ?? label, label);
}

export function addRole(store: OomnitzaStore, saasId: number, externalId: string, label: string): SaasRole {
  if (findRoleByExternalId(store, saasId, externalId)) {
    throw new OomnitzaApiError(409, 'not_unique', `role_external_id: "${externalId}" already exists in SaaS ${saasId}`, {
      field: 'role_external_id',
      value: externalId,
    });
  }
  let roleId: string;
  do roleId = opaqueId(`role:${++store.counters.role}`, 24);
  while (store.saasRoles.has(roleId));
  const role: SaasRole = { role_id: roleId, saas_id: saasId, source: 1, role_external_id: externalId, role_external_label: label };
  store.saasRoles.set(role.role_id, role);
  return role;
}

export function updateRole(store: OomnitzaStore, ident: string, roleId: string, body: unknown): SaasRole {
  const role = findRole(store, ident, roleId);
  const { role_external_label: label, ...rest } = objectBody(body);
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw fieldError(unknown, 'only role_external_label can be changed', 'unknown_field');
  if (label !== undefined) {
    if (typeof label !== 'string' || label.trim() === '') throw fieldError('role_external_label', 'must be non-empty text', 'wrong_type');
    role.role_external_label = label;
  }
  return role;
}

/** Deletes a role and its user relations. */
export function deleteRole(store: OomnitzaStore, ident: string, roleId: string): void {
  const role = findRole(store, ident, roleId);
  store.saasRoles.delete(role.role_id);
  for (const su of store.saasUsers.values()) su.role_ids = su.role_ids.filter((id) => id !== role.role_id);
}

export interface RoleUsersResult {
  role_id?: string;
  user_id?: string;
  errors: string[];
}

/** POST (`mode: 'add'`) or DELETE (`'remove'`) `…/roles/users` with `{users: [...], roles: [role_id...]}`. */
export function changeRoleUsers(store: OomnitzaStore, ident: string, body: unknown, mode: 'add' | 'remove'): RoleUsersResult {
  const app = findSaas(store, ident);
  const { users, roles } = objectBody(body);
  if (!Array.isArray(users)) throw fieldError('users', 'must be a list of user ids', 'wrong_type');
  if (!Array.isArray(roles)) throw fieldError('roles', 'must be a list of role ids', 'wrong_type');
  const errors: string[] = [];
  const roleIds: string[] = [];
  for (const ref of roles) {
    const role = typeof ref === 'string' ? store.saasRoles.get(ref) : undefined;
    if (role?.saas_id === app.saas_id) roleIds.push(role.role_id);
    else errors.push(`role "${String(ref)}" does not exist in SaaS ${app.saas_id}`);
  }
  for (const ref of users) {
    const su = saasUserOf(store, app.saas_id, ref, errors);
    if (!su) continue;
    su.role_ids =
      mode === 'add'
        ? [...su.role_ids, ...roleIds.filter((id) => !su.role_ids.includes(id))]
        : su.role_ids.filter((id) => !roleIds.includes(id));
  }
  return pairResult(users, roles, errors);
}

/**
 * PATCH `…/roles/users` with `{users: "<user id>", roles: [{role_external_id, role_external_label?}]}`:
 * the user's roles in this SaaS become exactly these, creating roles that do not exist yet.
 * An empty list clears the user's roles.
 */
export function replaceUserRoles(store: OomnitzaStore, ident: string, body: unknown): RoleUsersResult {
  const app = findSaas(store, ident);
  const { users, roles } = objectBody(body);
  if (typeof users !== 'string') throw fieldError('users', 'must be one user id as text', 'wrong_type');
  if (!Array.isArray(roles)) throw fieldError('roles', 'must be a list of {"role_external_id", "role_external_label"}', 'wrong_type');
  const errors: string[] = [];
  const su = saasUserOf(store, app.saas_id, users, errors);
  if (!su) return { user_id: users, errors };
  const roleIds: string[] = [];
  for (const [i, item] of roles.entries()) {
    const { role_external_id: externalId, role_external_label: label } = (item ?? {}) as Record<string, unknown>;
    if (typeof externalId !== 'string' || externalId === '') {
      errors.push(`roles[${i}]: role_external_id is required`);
      continue;
    }
    if (label !== undefined && typeof label !== 'string') {
      errors.push(`roles[${i}]: role_external_label must be text`);
      continue;
    }
    const role = findRoleByExternalId(store, app.saas_id, externalId) ?? addRole(store, app.saas_id, externalId, label ?? externalId);
    if (typeof label === 'string' && label !== '') role.role_external_label = label;
    if (!roleIds.includes(role.role_id)) roleIds.push(role.role_id);
  }
  if (errors.length === 0) su.role_ids = roleIds;
  return { ...(roleIds.length === 1 ? { role_id: roleIds[0]! } : {}), user_id: users, errors };
}

/** `POST /api/v3/saas/{ident}/users/{user_id}` with `{user_external_id}`. */
export function setUserExternalId(
  store: OomnitzaStore,
  ident: string,
  userRef: string,
  body: unknown,
): { user_external_id: string; errors: string[] } {
  const app = findSaas(store, ident);
  const { user_external_id: externalId } = objectBody(body);
  if (typeof externalId !== 'string') throw fieldError('user_external_id', 'is required and must be text', 'required_field');
  const errors: string[] = [];
  const su = saasUserOf(store, app.saas_id, userRef, errors);
  if (su) su.user_external_id = externalId;
  return { user_external_id: externalId, errors };
}

function saasUserOf(store: OomnitzaStore, saasId: number, ref: unknown, errors: string[]): SaasUser | undefined {
  const user = resolveSaasUserRef(store, ref);
  if (!user) {
    errors.push(`user "${String(ref)}" does not exist in Oomnitza`);
    return undefined;
  }
  const su = findSaasUser(store, saasId, user.uid);
  if (!su) errors.push(`user "${user.username}" is not a user of SaaS ${saasId}; assign it with POST /api/v3/saas/${saasId}/users first`);
  return su;
}

function findRoleByExternalId(store: OomnitzaStore, saasId: number, externalId: string): SaasRole | undefined {
  for (const role of store.saasRoles.values())
    if (role.saas_id === saasId && role.role_external_id.toLowerCase() === externalId.toLowerCase()) return role;
  return undefined;
}

function findRole(store: OomnitzaStore, ident: string, roleId: string): SaasRole {
  const app = findSaas(store, ident);
  const role = store.saasRoles.get(roleId);
  if (role?.saas_id !== app.saas_id) throw notFound('SaaS role', roleId);
  return role;
}

/** The spec answers one object for many pairs; it names the pair when there is exactly one. [INFERRED] */
function pairResult(users: readonly unknown[], roles: readonly unknown[], errors: string[]): RoleUsersResult {
  return {
    ...(roles.length === 1 ? { role_id: String(roles[0]) } : {}),
    ...(users.length === 1 ? { user_id: String(users[0]) } : {}),
    errors,
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OomnitzaApiError(400, 'invalid_body', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}
