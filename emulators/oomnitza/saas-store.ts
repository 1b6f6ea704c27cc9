/**
 * SaaS applications and SaaS users (the assignment of an Oomnitza user to an application) in the
 * store, following the spec's `SaaS`, `SaaS Users Object` and `SaaS assigned User` shapes.
 *
 * Rules from Oomnitza's help centre (ZD 4680404695959): a SaaS user must be an existing, active
 * Oomnitza user; assigning a deactivated SaaS user again re-activates it. Problems with one item are
 * reported in that item's result, and the request still answers 200.
 *
 * @example
 * const app = createSaas(store, { saas_name: 'NinjaOne' }, 'api-user');
 * assignSaasUsers(store, app.saas_id, [{ user_id: '1001', assign: true }]);
 */
import { display, fieldError, notFound, OomnitzaApiError } from './errors.ts';
import { coerceFieldValue } from './fields.ts';
import { opaqueId } from './ids.ts';
import { isActiveUser } from './users-store.ts';
import { filterTypeOf } from './users-store.ts';

import type { FieldDefinition } from './fields.ts';
import type { FilterSchema } from './filter-eval.ts';
import type { OomnitzaStore, OomnitzaUser, SaasApp, SaasUser } from './store.ts';

const f = (externalId: string, dataType: FieldDefinition['dataType'], extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  externalId,
  label: externalId,
  dataType,
  ...extra,
});

/** The writable fields of a SaaS application, typed as in the spec's `SaaS` schema. */
export const saasFields: readonly FieldDefinition[] = [
  f('saas_name', 'string', { required: true }),
  f('category', 'string'),
  f('publisher', 'string'),
  f('url', 'string'),
  f('source', 'string'),
  f('link_key', 'string'),
  f('linked', 'string'),
  f('ignored', 'string'),
  f('version', 'string'),
  f('usage_statistic', 'string'),
  f('renewal_date', 'string'),
  f('available_licenses', 'integer'),
  f('total_licenses', 'integer'),
  f('annual_spend', 'number'),
  f('is_inf', 'boolean'),
  f('hash', 'boolean'),
];
/**
 * The fields the spec's `SaaS` schema marks required that a client can set; a create without one
 * of them is refused with 422, as a server generated from that schema does. The other required
 * ones (changedate, changedby, creationdate, createdby) are the server's own.
 */
export const requiredSaasFields = ['saas_name', 'source', 'linked', 'link_key', 'ignored', 'hash'] as const;
const readOnlySaasFields = [
  'saas_id',
  'uid',
  'changedate',
  'changedby',
  'creationdate',
  'createdby',
  'deleted',
  'visited',
  'usage_history',
];

export function saasFilterSchema(): FilterSchema {
  const schema: Record<string, 'text' | 'number' | 'boolean' | 'date'> = {
    saas_id: 'number',
    uid: 'number',
    hash: 'boolean',
    changedate: 'text',
    creationdate: 'text',
  };
  for (const field of saasFields) schema[field.externalId] = filterTypeOf(field);
  return schema;
}

/**
 * Creates a SaaS application. Through the API (`allowReadOnly` false) every client-settable field
 * the spec requires must be sent (422 naming the missing ones); the seed and the admin import may
 * leave them out and get defaults.
 */
export function createSaas(store: OomnitzaStore, body: unknown, actor: string, allowReadOnly = false): SaasApp {
  const values = checkSaasBody(body, allowReadOnly);
  if (typeof values.saas_name !== 'string' || values.saas_name.trim() === '')
    throw fieldError('saas_name', 'is required to create a SaaS', 'required_field');
  const missing = allowReadOnly ? [] : requiredSaasFields.filter((name) => values[name] === undefined || values[name] === null);
  if (missing.length > 0)
    throw new OomnitzaApiError(
      422,
      'required_field',
      `${missing.join(', ')}: required to create a SaaS (the spec's SaaS schema requires ${requiredSaasFields.join(', ')})`,
      { fields: missing },
    );
  const saasId = typeof values.saas_id === 'number' ? values.saas_id : store.counters.saasId + 1;
  if (store.saas.has(saasId)) throw new OomnitzaApiError(409, 'not_unique', `saas_id: ${saasId} already exists`, { field: 'saas_id' });
  store.counters.saasId = Math.max(store.counters.saasId, saasId);
  const now = String(store.now());
  // Defaults fill the fields the spec marks required, for the seed and the admin import. [INFERRED values]
  const app: SaasApp = {
    source: 'API',
    link_key: '',
    linked: 'false',
    ignored: 'false',
    hash: false,
    creationdate: now,
    createdby: actor,
    changedate: now,
    changedby: actor,
    ...values,
    saas_id: saasId,
    uid: saasId,
    saas_name: values.saas_name,
  };
  store.saas.set(saasId, app);
  return app;
}

export function updateSaas(store: OomnitzaStore, ident: string, body: unknown, actor: string): SaasApp {
  const app = findSaas(store, ident);
  const values = checkSaasBody(body, false);
  if (values.saas_name !== undefined && (typeof values.saas_name !== 'string' || values.saas_name.trim() === ''))
    throw fieldError('saas_name', 'cannot be emptied', 'required_field');
  const next: SaasApp = {
    ...app,
    ...values,
    saas_id: app.saas_id,
    uid: app.uid,
    saas_name: values.saas_name ?? app.saas_name,
    changedate: String(store.now()),
    changedby: actor,
  };
  store.saas.set(app.saas_id, next);
  return next;
}

/** Deletes an application with its roles and SaaS users. */
export function deleteSaas(store: OomnitzaStore, ident: string): SaasApp {
  const app = findSaas(store, ident);
  store.saas.delete(app.saas_id);
  for (const [id, role] of store.saasRoles) if (role.saas_id === app.saas_id) store.saasRoles.delete(id);
  for (const [id, su] of store.saasUsers) if (su.saas_id === app.saas_id) store.saasUsers.delete(id);
  return app;
}

/** `ident` of `/api/v3/saas/{ident}`: the saas_id. */
export function findSaas(store: OomnitzaStore, ident: string): SaasApp {
  const app = /^\d+$/.test(ident) ? store.saas.get(Number(ident)) : undefined;
  if (!app) throw notFound('SaaS', ident);
  return app;
}

/**
 * The user a SaaS body's `user_id` names: the Oomnitza user's `user_id`, or its `uid` as text.
 * [INFERRED: the spec types it as a string and does not say which id]
 */
export function resolveSaasUserRef(store: OomnitzaStore, ref: unknown): OomnitzaUser | undefined {
  if (typeof ref !== 'string' && typeof ref !== 'number') return undefined;
  const text = String(ref);
  if (/^\d+$/.test(text)) {
    const byUid = store.users.get(Number(text));
    if (byUid) return byUid;
  }
  const uid = store.uniqueIndex.get('user_id')?.get(text.toLowerCase());
  return uid === undefined ? undefined : store.users.get(uid);
}

export function findSaasUser(store: OomnitzaStore, saasId: number, uid: number): SaasUser | undefined {
  for (const su of store.saasUsers.values()) if (su.saas_id === saasId && su.uid === uid) return su;
  return undefined;
}

export interface AssignResult {
  user_id: string;
  saas_user_id: string | null;
  error: string | null;
}

/** `POST /api/v3/saas/{ident}/users`: assign (or re-activate) with `assign: true`, unassign with false. */
export function assignSaasUsers(store: OomnitzaStore, ident: string, body: unknown): AssignResult[] {
  const app = findSaas(store, ident);
  if (!Array.isArray(body))
    throw new OomnitzaApiError(400, 'invalid_body', 'the body must be a JSON array of {"user_id": "...", "assign": true|false}');
  return body.map((item: unknown, i): AssignResult => {
    if (typeof item !== 'object' || item === null)
      return { user_id: '', saas_user_id: null, error: `item ${i}: expected {"user_id", "assign"}` };
    const { user_id: ref, assign } = item as Record<string, unknown>;
    const label = display(ref ?? '');
    if (typeof assign !== 'boolean') return { user_id: label, saas_user_id: null, error: `item ${i}: assign must be true or false` };
    const user = resolveSaasUserRef(store, ref);
    if (!user) return { user_id: label, saas_user_id: null, error: `user "${label}" does not exist in Oomnitza; create the user first` };
    const existing = findSaasUser(store, app.saas_id, user.uid);
    if (!assign) {
      if (existing) store.saasUsers.delete(existing.saas_user_id);
      return {
        user_id: label,
        saas_user_id: existing?.saas_user_id ?? null,
        error: existing ? null : `user "${label}" is not assigned to SaaS ${app.saas_id}`,
      };
    }
    if (!isActiveUser(user))
      return {
        user_id: label,
        saas_user_id: existing?.saas_user_id ?? null,
        error: `user "${user.username}" is not active in Oomnitza (suspended or deleted)`,
      };
    if (existing) {
      existing.is_active = true;
      return { user_id: label, saas_user_id: existing.saas_user_id, error: null };
    }
    const created = addSaasUser(store, app.saas_id, user.uid);
    return { user_id: label, saas_user_id: created.saas_user_id, error: null };
  });
}

export function addSaasUser(store: OomnitzaStore, saasId: number, uid: number, extra: Partial<SaasUser> = {}): SaasUser {
  let id: string;
  do id = opaqueId(`saas_user:${++store.counters.saasUser}`, 24);
  while (store.saasUsers.has(id));
  const su: SaasUser = {
    saas_user_id: id,
    saas_id: saasId,
    uid,
    role_ids: [],
    is_active: true,
    last_visit: null,
    user_external_id: null,
    contract_id: null,
    creation_date: store.now(),
    ...extra,
  };
  store.saasUsers.set(su.saas_user_id, su);
  return su;
}

/** `PATCH /api/v3/saas_users/activate|deactivate`: per-item results, errors in the item. */
export function setSaasUsersActive(
  store: OomnitzaStore,
  body: unknown,
  active: boolean,
): Array<{ saas_user_id: string; error: string | null }> {
  const ids = (body as { saas_user_ids?: unknown } | null)?.saas_user_ids;
  if (!Array.isArray(ids))
    throw new OomnitzaApiError(400, 'invalid_body', 'the body must be {"saas_user_ids": ["<saas_user_id>", ...]}', {
      field: 'saas_user_ids',
    });
  return ids.map((id: unknown) => {
    const key = String(id);
    const su = store.saasUsers.get(key);
    if (!su) return { saas_user_id: key, error: `SaaS user "${key}" not found` };
    if (active && !isActiveUser(store.users.get(su.uid)))
      return { saas_user_id: key, error: `the Oomnitza user of SaaS user "${key}" is not active (suspended or deleted)` };
    su.is_active = active;
    return { saas_user_id: key, error: null };
  });
}

/** A SaaS user in the spec's `SaaS assigned User` shape, plus saas_user_id, saas_id and is_active. */
export function renderSaasUser(store: OomnitzaStore, su: SaasUser): Record<string, unknown> {
  const user = store.users.get(su.uid);
  const role = su.role_ids.map((id) => store.saasRoles.get(id)).find((r) => r !== undefined);
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    // The spec marks every field required and none nullable; missing values are sent as '' or 0. [INFERRED]
    email: text(user?.email),
    full_name: text(user?.full_name),
    last_visit: su.last_visit ?? 0,
    old_usage: false,
    user_id: text(user?.user_id),
    username: text(user?.username),
    media_url: '',
    contract_id: su.contract_id ?? '',
    // The spec's `roles` is one object, not a list: the first role is shown; all of them filter with ?roles=.
    roles: {
      role_id: role?.role_id ?? '',
      role_external_id: role?.role_external_id ?? '',
      role_external_label: role?.role_external_label ?? '',
    },
    user_external_id: su.user_external_id ?? '',
    // Not in the spec's shape, but activate/deactivate need the id and a sync needs the state. [INFERRED]
    saas_user_id: su.saas_user_id,
    saas_id: su.saas_id,
    saas_name: store.saas.get(su.saas_id)?.saas_name ?? '',
    is_active: su.is_active,
  };
}

export function saasUserFilterSchema(): FilterSchema {
  return {
    email: 'text',
    full_name: 'text',
    last_visit: 'date',
    user_id: 'text',
    username: 'text',
    user_external_id: 'text',
    saas_user_id: 'text',
    saas_id: 'number',
    saas_name: 'text',
    is_active: 'boolean',
    contract_id: 'text',
  };
}

/** Whether a SaaS user has one of the roles a `roles=` parameter lists (role ids or external ids, comma-separated). */
export function hasAnyRole(store: OomnitzaStore, su: SaasUser, rolesParam: string | undefined): boolean {
  if (rolesParam === undefined || rolesParam.trim() === '') return true;
  const wanted = new Set(
    rolesParam
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
  );
  return su.role_ids.some((id) => {
    const role = store.saasRoles.get(id);
    return wanted.has(id.toLowerCase()) || (role !== undefined && wanted.has(role.role_external_id.toLowerCase()));
  });
}

function checkSaasBody(body: unknown, allowReadOnly: boolean): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OomnitzaApiError(400, 'invalid_body', 'the body must be a JSON object of SaaS fields, e.g. {"saas_name": "NinjaOne"}');
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (readOnlySaasFields.includes(name)) {
      if (!allowReadOnly) throw fieldError(name, 'is read-only; the server sets it', 'read_only_field');
      values[name] = value;
      continue;
    }
    const field = saasFields.find((s) => s.externalId === name);
    if (!field)
      throw fieldError(name, `unknown SaaS field; known fields: ${saasFields.map((s) => s.externalId).join(', ')}`, 'unknown_field');
    values[name] = coerceFieldValue(field, value);
  }
  return values;
}
