/**
 * The emulator's data: users (by `uid`), the users data model, SaaS applications, their roles and
 * SaaS users, and API tokens. All in memory and live: tests may read it, and the admin API and the
 * vendor routes change it through the functions in `users-store.ts` and `saas-store.ts`.
 *
 * @example
 * const store = createStore();
 * store.users.get(1001)?.email;
 */
import { display, OomnitzaApiError } from './errors.ts';
import { createFieldRegistry } from './fields.ts';

import type { FieldDefinition, FieldRegistry } from './fields.ts';

/** A user by its v3 field names (system and custom); dates are epoch seconds; a missing key is null. */
export type OomnitzaUser = Record<string, unknown> & { uid: number; user_id: string; username: string };

/** A SaaS application by the spec's `SaaS` field names. */
export type SaasApp = Record<string, unknown> & { saas_id: number; uid: number; saas_name: string };

export interface SaasRole {
  role_id: string;
  saas_id: number;
  /** How the role came in; 1 for the API. [INFERRED: the spec types it as an integer and says no more] */
  source: number;
  role_external_id: string;
  role_external_label: string;
}

/** A SaaS user: one Oomnitza user assigned to one SaaS application. */
export interface SaasUser {
  saas_user_id: string;
  saas_id: number;
  /** The Oomnitza user's uid. */
  uid: number;
  /** Role ids of this SaaS, in the order they were given. */
  role_ids: string[];
  /** False once deactivated; assigning the user again re-activates it (ZD 4680404695959). */
  is_active: boolean;
  last_visit: number | null;
  user_external_id: string | null;
  contract_id: string | null;
  creation_date: number;
}

export interface ApiToken {
  readonly token: string;
  /** The Oomnitza user the token belongs to; written as created_by / changed_by. */
  readonly username: string;
  revoked: boolean;
}

export interface OomnitzaStore {
  readonly fields: FieldRegistry;
  readonly users: Map<number, OomnitzaUser>;
  /** Unique field → normalised value → uid; kept in step by users-store.ts. */
  readonly uniqueIndex: Map<string, Map<string, number>>;
  readonly saas: Map<number, SaasApp>;
  readonly saasRoles: Map<string, SaasRole>;
  readonly saasUsers: Map<string, SaasUser>;
  readonly tokens: Map<string, ApiToken>;
  readonly counters: { uid: number; saasId: number; role: number; saasUser: number };
  /** The clock, in epoch seconds; tests may replace it. */
  now: () => number;
}

export function createStore(customFields: readonly FieldDefinition[] = []): OomnitzaStore {
  const fields = createFieldRegistry(customFields);
  const store: OomnitzaStore = {
    fields,
    users: new Map(),
    uniqueIndex: new Map(),
    saas: new Map(),
    saasRoles: new Map(),
    saasUsers: new Map(),
    tokens: new Map(),
    counters: { uid: 1000, saasId: 100, role: 0, saasUser: 0 },
    now: () => Math.floor(Date.now() / 1000),
  };
  rebuildUniqueIndex(store);
  return store;
}

/** The key a unique value is indexed under: text lower-cased (the collation is case-insensitive). */
export function uniqueKey(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value.toLowerCase() : display(value);
}

/** Rebuilds every unique index from the users; throws on the first clash, naming field and value. */
export function rebuildUniqueIndex(store: OomnitzaStore): void {
  store.uniqueIndex.clear();
  for (const field of store.fields.values()) {
    if (!field.unique) continue;
    const index = new Map<string, number>();
    for (const user of store.users.values()) {
      const key = uniqueKey(user[field.externalId]);
      if (key === null) continue;
      const other = index.get(key);
      if (other !== undefined && other !== user.uid) throw uniqueClash(field.externalId, user[field.externalId], other);
      index.set(key, user.uid);
    }
    store.uniqueIndex.set(field.externalId, index);
  }
}

/** 409 for a value another user already holds in a unique field, naming field and value. */
export function uniqueClash(field: string, value: unknown, otherUid: number): OomnitzaApiError {
  return new OomnitzaApiError(
    409,
    'not_unique',
    `${field}: "${display(value)}" is already used by user ${otherUid}; ${field} must be unique (compared case-insensitively)`,
    { field, value, uid: otherUid },
  );
}
