/**
 * Fixtures shared by the schedule and notification tests: a migrated store, a hand-moved clock, and
 * minimal integrations, app users and credentials inserted straight into it (these tests are
 * about schedules and alerts, not about validating integrations).
 *
 * @example
 * const db = await openAlertsStore(target);
 * const integration = await addIntegration(db, { name: 'Staff', schedule: { daily: '02:00', timezone: 'UTC' } });
 */
import { randomUUID } from 'node:crypto';

import type { TestDatabaseTarget } from '../../test/support/databases.ts';
import type { AppDb } from '../db/app-database.ts';
import type { CredentialStatus } from '../db/types-accounts.ts';
import type { Schedule } from '../integrations/schema.ts';

/** A new, empty, migrated database. */
export async function openAlertsStore(target: TestDatabaseTarget): Promise<AppDb> {
  const { db } = await target.open();
  return db;
}

export async function addIntegration(
  db: AppDb,
  input: {
    readonly name: string;
    readonly schedule?: Schedule;
    readonly contacts?: readonly string[];
    readonly enabled?: boolean;
    readonly credential?: string;
    readonly now?: Date;
  },
): Promise<{ id: string; name: string }> {
  const id = randomUUID();
  const at = (input.now ?? new Date('2026-01-01T00:00:00Z')).toISOString();
  const document = {
    name: input.name,
    source: { credential: input.credential ?? 'ninja' },
    destination: { connection: 'oomnitza' },
    mapping: { email: { field: 'email' } },
    ...(input.schedule === undefined ? {} : { schedule: input.schedule }),
    contacts: input.contacts ?? [],
  };
  await db
    .insertInto('integrations')
    .values({
      id,
      name: input.name,
      document: JSON.stringify(document),
      enabled: input.enabled === false ? 0 : 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { id, name: input.name };
}

export async function addUser(db: AppDb, email: string, role: 'admin' | 'viewer' = 'viewer'): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('app_users')
    .values({ id, email, name: email, role, password_hash: 'x', created_at: '2026-01-01T00:00:00.000Z', last_login_at: null })
    .execute();
  return id;
}

export async function addCredential(db: AppDb, name: string, status: CredentialStatus): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('credentials')
    .values({
      id,
      name,
      url: 'https://eu.ninjarmm.com',
      client_id: 'client',
      client_secret_sealed: 'sealed',
      client_secret_hint: 'abcd',
      scopes: 'monitoring',
      grant_type: 'authorization_code',
      allow_insecure_http: 0,
      status,
      status_reason: status === 'needs_reauth' ? 'NinjaOne answered invalid_grant: the refresh token was revoked' : null,
      granted_scopes: null,
      access_token_sealed: null,
      access_expires_at: null,
      refresh_token_sealed: null,
      token_version: 0,
      last_refreshed_at: null,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
  return id;
}

/** A clock a test moves by hand. @example const clock = testClock('2026-11-27T12:00:00Z'); clock.advance(60_000); */
export function testClock(start: string): { now: () => Date; set(iso: string): void; advance(ms: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (iso) => {
      current = new Date(iso).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
