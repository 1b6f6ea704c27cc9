/**
 * API tokens for automation: shown once at creation, stored as a SHA-256 hash with a four-character
 * hint, revocable, each with a role (admin or viewer).
 *
 * @example
 * const { token, record } = await createApiToken(db, { name: 'terraform', role: 'admin', createdBy: user.id }, now);
 * const found = await resolveApiToken(db, token, now); // record, or null once revoked
 */
import { randomUUID } from 'node:crypto';

import { hashSecretToken, newSecretToken } from './secrets.ts';

import type { AppDb } from '../db/app-database.ts';
import type { ApiTokensTable, AppRole } from '../db/types-accounts.ts';

export const apiTokenPrefix = 'nsk';

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: AppRole;
  readonly hint: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export function apiTokenRowToApiToken(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    hint: row.hint,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function createApiToken(
  db: AppDb,
  input: { name: string; role: AppRole; createdBy: string | null },
  now: Date,
): Promise<{ token: string; record: ApiToken }> {
  const { token, hash, hint } = newSecretToken(apiTokenPrefix);
  const row: ApiTokensTable = {
    id: randomUUID(),
    name: input.name,
    token_hash: hash,
    hint,
    role: input.role,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_tokens').values(row).execute();
  return { token, record: apiTokenRowToApiToken(row) };
}

/**
 * The live token with this value, or null. A token made by a person who has since been disabled
 * works no more (while they stay disabled): whoever leaves takes their scripts' access with them.
 * Likewise a token acts with its maker's role at most: an admin made a viewer keeps no admin token.
 */
export async function resolveApiToken(db: AppDb, token: string, now: Date): Promise<ApiToken | null> {
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('app_users', 'app_users.id', 'api_tokens.created_by')
    .selectAll('api_tokens')
    .select('app_users.role as maker_role')
    .where('api_tokens.token_hash', '=', hashSecretToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('app_users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  // Only stamp once a minute: a busy script should not turn every read into a write.
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  const { maker_role: makerRole, ...tokenRow } = row;
  return apiTokenRowToApiToken({ ...tokenRow, role: makerRole === 'viewer' ? 'viewer' : tokenRow.role });
}

export async function listApiTokens(db: AppDb): Promise<ApiToken[]> {
  return (await db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute()).map(apiTokenRowToApiToken);
}

/** True when a live token was revoked; false when there is none with that id (or it was revoked already). */
export async function revokeApiToken(db: AppDb, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
