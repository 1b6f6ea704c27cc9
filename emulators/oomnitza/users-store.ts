/**
 * Creating, changing, finding and deleting Oomnitza users in the store, with the checks Oomnitza
 * makes: known fields only, values of the field's type, read-only fields refused, unique fields kept
 * unique. Shared by the v3 routes and the admin API (which may also set read-only fields).
 *
 * @example
 * const user = createUser(store, { username: 'ada', email: 'ada@example.com' }, 'api-user');
 * updateUser(store, user.uid, { position: 'Engineer' }, 'api-user');
 */
import { fieldError, notFound, OomnitzaApiError } from './errors.ts';
import { coerceFieldValue } from './fields.ts';
import { opaqueId } from './ids.ts';
import { uniqueClash, uniqueKey } from './store.ts';

import type { FieldDefinition } from './fields.ts';
import type { FilterSchema } from './filter-eval.ts';
import type { OomnitzaStore, OomnitzaUser } from './store.ts';

export interface WriteOptions {
  /** Admin writes (seeding, loading a file) may set read-only fields such as uid and creation_date. */
  readonly allowReadOnly?: boolean;
}

/** Role of a user created without one: 25, the `default_role` in Oomnitza's connector examples. [INFERRED] */
export const defaultRole = 25;

export function createUser(store: OomnitzaStore, body: unknown, actor: string, options: WriteOptions = {}): OomnitzaUser {
  const values = checkBody(store, body, options);
  for (const field of store.fields.values()) {
    if (
      field.required &&
      (values[field.externalId] === undefined || values[field.externalId] === null || values[field.externalId] === '')
    ) {
      throw fieldError(field.externalId, `is required to create a user`, 'required_field');
    }
  }
  const now = store.now();
  const uid = typeof values.uid === 'number' ? values.uid : store.counters.uid + 1;
  if (store.users.has(uid)) throw uniqueClash('uid', uid, uid);
  const user: OomnitzaUser = {
    suspended: false,
    role: defaultRole,
    email_subscription: false,
    version: '1',
    creation_date: now,
    created_by: actor,
    change_date: now,
    changed_by: actor,
    ...values,
    uid,
    user_id: typeof values.user_id === 'string' ? values.user_id : opaqueId(`user:${uid}`, 32).toUpperCase(),
    username: values.username as string,
  };
  if (user.full_name === undefined) user.full_name = fullName(user);
  checkUnique(store, user, null);
  store.counters.uid = Math.max(store.counters.uid, uid);
  store.users.set(uid, user);
  indexUser(store, user, null);
  return user;
}

export function updateUser(store: OomnitzaStore, uid: number, body: unknown, actor: string, options: WriteOptions = {}): OomnitzaUser {
  const current = store.users.get(uid);
  if (!current) throw notFound('user', String(uid));
  const values = checkBody(store, body, options);
  if (values.uid !== undefined && values.uid !== uid) throw fieldError('uid', 'cannot be changed', 'read_only_field');
  for (const [name, value] of Object.entries(values)) {
    if (store.fields.get(name)?.required && (value === null || value === ''))
      throw fieldError(name, 'is required and cannot be emptied', 'required_field');
  }
  const next: OomnitzaUser = {
    ...current,
    ...values,
    uid,
    user_id: current.user_id,
    username: (values.username as string | undefined) ?? current.username,
    version: String((Number(current.version) || 0) + 1),
    change_date: store.now(),
    changed_by: actor,
  };
  checkUnique(store, next, uid);
  indexUser(store, next, current);
  store.users.set(uid, next);
  return next;
}

/** Deletes a user and its SaaS-user assignments. [INFERRED: Oomnitza's cascade is not documented] */
export function deleteUser(store: OomnitzaStore, uid: number): OomnitzaUser {
  const user = store.users.get(uid);
  if (!user) throw notFound('user', String(uid));
  store.users.delete(uid);
  indexUser(store, null, user);
  for (const [id, saasUser] of store.saasUsers) if (saasUser.uid === uid) store.saasUsers.delete(id);
  return user;
}

/**
 * `ident` in `/api/v3/users/{ident}`: the uid, else the username (case-insensitive), else user_id.
 * With `alternative_id=<unique field>`, the value of that field. [INFERRED from a third-party client
 * that addresses users by username, and the spec's `alternative_id` parameter]
 */
export function findUser(store: OomnitzaStore, ident: string, alternativeId?: string): OomnitzaUser {
  if (alternativeId !== undefined && alternativeId !== '') {
    const field = store.fields.get(alternativeId);
    if (!field?.unique)
      throw new OomnitzaApiError(400, 'invalid_parameter', `alternative_id: "${alternativeId}" is not a unique users field`, {
        parameter: 'alternative_id',
      });
    const uid = store.uniqueIndex.get(alternativeId)?.get(uniqueKey(coerceIdent(field, ident)) ?? '');
    const user = uid === undefined ? undefined : store.users.get(uid);
    if (!user) throw notFound('user', ident);
    return user;
  }
  const byUid = /^\d+$/.test(ident) ? store.users.get(Number(ident)) : undefined;
  if (byUid) return byUid;
  for (const field of ['username', 'user_id']) {
    const uid = store.uniqueIndex.get(field)?.get(ident.toLowerCase());
    const user = uid === undefined ? undefined : store.users.get(uid);
    if (user) return user;
  }
  throw notFound('user', ident);
}

/** The filter/sort/fields schema of users: every defined field with its comparison type. */
export function userFilterSchema(store: OomnitzaStore): FilterSchema {
  const schema: Record<string, 'text' | 'number' | 'boolean' | 'date'> = {};
  for (const field of store.fields.values()) schema[field.externalId] = filterTypeOf(field);
  return schema;
}

export function filterTypeOf(field: FieldDefinition): 'text' | 'number' | 'boolean' | 'date' {
  switch (field.dataType) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'date';
    default:
      return 'text';
  }
}

/** Whether a user can hold a SaaS account: it exists and is neither suspended nor deleted. */
export function isActiveUser(user: OomnitzaUser | undefined): boolean {
  return (
    user !== undefined &&
    user.suspended !== true &&
    (user.deleted === undefined || user.deleted === null || user.deleted === '' || user.deleted === 'false')
  );
}

function coerceIdent(field: FieldDefinition, ident: string): unknown {
  return field.dataType === 'integer' || field.dataType === 'number' ? Number(ident) : ident;
}

function checkBody(store: OomnitzaStore, body: unknown, options: WriteOptions): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OomnitzaApiError(
      400,
      'invalid_body',
      'the body must be a JSON object of user fields, e.g. {"username": "ada", "email": "ada@example.com"}',
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const field = store.fields.get(name);
    if (!field)
      throw fieldError(
        name,
        'unknown users field; see GET /api/v3/users/meta for the fields, or add it as a custom field',
        'unknown_field',
      );
    if (field.readOnly && !options.allowReadOnly) throw fieldError(name, 'is read-only; the server sets it', 'read_only_field');
    values[name] = coerceFieldValue(field, value);
  }
  return values;
}

function checkUnique(store: OomnitzaStore, user: OomnitzaUser, selfUid: number | null): void {
  for (const [field, index] of store.uniqueIndex) {
    const key = uniqueKey(user[field]);
    if (key === null) continue;
    const other = index.get(key);
    if (other !== undefined && other !== selfUid) throw uniqueClash(field, user[field], other);
  }
}

function indexUser(store: OomnitzaStore, next: OomnitzaUser | null, previous: OomnitzaUser | null): void {
  for (const [field, index] of store.uniqueIndex) {
    const oldKey = previous ? uniqueKey(previous[field]) : null;
    if (oldKey !== null && index.get(oldKey) === previous?.uid) index.delete(oldKey);
    const newKey = next ? uniqueKey(next[field]) : null;
    if (newKey !== null && next) index.set(newKey, next.uid);
  }
}

function fullName(user: Readonly<Record<string, unknown>>): string | null {
  const parts = [user.first_name, user.last_name].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}
