/**
 * The whole data set as one JSON document, for `GET`/`PUT /__admin/data` and for loading a file:
 * custom fields, users (v3 field names, read-only fields included), SaaS applications, roles and
 * SaaS users. API tokens are not part of it. A document that fails a check leaves the store as it was.
 *
 * @example
 * const doc = exportData(store);
 * importData(store, doc); // same store again
 */
import { OomnitzaApiError } from './errors.ts';
import { createSaas } from './saas-store.ts';
import { createStore } from './store.ts';
import { createUser } from './users-store.ts';

import type { FieldDefinition } from './fields.ts';
import type { OomnitzaStore, OomnitzaUser, SaasApp, SaasRole, SaasUser } from './store.ts';

export interface OomnitzaData {
  customFields: FieldDefinition[];
  users: OomnitzaUser[];
  saas: SaasApp[];
  saasRoles: SaasRole[];
  saasUsers: SaasUser[];
}

export function exportData(store: OomnitzaStore): OomnitzaData {
  return structuredClone({
    customFields: [...store.fields.values()].filter((f) => !f.system),
    users: [...store.users.values()],
    saas: [...store.saas.values()],
    saasRoles: [...store.saasRoles.values()],
    saasUsers: [...store.saasUsers.values()],
  });
}

/** Replaces the store's data with `doc`, after checking it in a scratch store. */
export function importData(store: OomnitzaStore, doc: unknown): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new OomnitzaApiError(400, 'invalid_body', 'the data must be a JSON object {customFields, users, saas, saasRoles, saasUsers}');
  const data = doc as Partial<Record<keyof OomnitzaData, unknown>>;
  const list = (name: keyof OomnitzaData): unknown[] => {
    const value = data[name];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new OomnitzaApiError(400, 'invalid_body', `${name}: must be a list`, { field: name });
    return value as unknown[];
  };
  const scratch = createStore(list('customFields') as FieldDefinition[]);
  scratch.now = store.now;
  for (const [i, user] of list('users').entries()) withIndex('users', i, () => createUser(scratch, user, 'admin', { allowReadOnly: true }));
  for (const [i, app] of list('saas').entries()) withIndex('saas', i, () => createSaas(scratch, app, 'admin', true));
  for (const [i, raw] of list('saasRoles').entries()) {
    const role = raw as SaasRole;
    if (typeof role.role_id !== 'string' || !scratch.saas.has(Number(role.saas_id)) || typeof role.role_external_id !== 'string') {
      throw new OomnitzaApiError(
        400,
        'invalid_body',
        `saasRoles[${i}]: needs role_id, role_external_id and the saas_id of a SaaS in the data`,
      );
    }
    scratch.saasRoles.set(role.role_id, {
      role_id: role.role_id,
      saas_id: Number(role.saas_id),
      source: Number(role.source ?? 1),
      role_external_id: role.role_external_id,
      role_external_label: String(role.role_external_label ?? role.role_external_id),
    });
  }
  for (const [i, raw] of list('saasUsers').entries()) {
    const su = raw as SaasUser;
    if (typeof su.saas_user_id !== 'string' || !scratch.saas.has(su.saas_id) || !scratch.users.has(su.uid)) {
      throw new OomnitzaApiError(
        400,
        'invalid_body',
        `saasUsers[${i}]: needs saas_user_id and the saas_id and uid of a SaaS and a user in the data`,
      );
    }
    const roleIds = Array.isArray(su.role_ids) ? su.role_ids.filter((id) => scratch.saasRoles.get(id)?.saas_id === su.saas_id) : [];
    scratch.saasUsers.set(su.saas_user_id, {
      ...su,
      role_ids: roleIds,
      is_active: su.is_active !== false,
      last_visit: su.last_visit ?? null,
      user_external_id: su.user_external_id ?? null,
      contract_id: su.contract_id ?? null,
      creation_date: su.creation_date ?? store.now(),
    });
  }
  replaceContents(store, scratch);
}

function withIndex<T>(name: string, i: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof OomnitzaApiError)
      throw new OomnitzaApiError(error.status, error.code, `${name}[${i}]: ${error.message}`, error.details, { cause: error });
    throw error;
  }
}

function replaceContents(store: OomnitzaStore, from: OomnitzaStore): void {
  const swap = <K, V>(target: Map<K, V>, source: Map<K, V>): void => {
    target.clear();
    for (const [k, v] of source) target.set(k, v);
  };
  swap(store.fields, from.fields);
  swap(store.users, from.users);
  swap(store.uniqueIndex, from.uniqueIndex);
  swap(store.saas, from.saas);
  swap(store.saasRoles, from.saasRoles);
  swap(store.saasUsers, from.saasUsers);
  Object.assign(store.counters, {
    uid: from.counters.uid,
    saasId: from.counters.saasId,
    role: Math.max(store.counters.role, from.saasRoles.size),
    saasUser: Math.max(store.counters.saasUser, from.saasUsers.size),
  });
}
