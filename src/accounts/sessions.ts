/**
 * Browser sessions: a random id in an HttpOnly, SameSite=Lax cookie; the database keeps only its
 * hash, the user, a CSRF token and an expiry. Sessions slide: each use within the last half of the
 * lifetime extends it.
 *
 * @example
 * const { id, csrfToken } = await createSession(db, user.id, now);
 * const session = await resolveSession(db, id, now);
 */
import { randomBytes } from 'node:crypto';

import { hashSecretToken } from './secrets.ts';
import { appUserRowToAppUser } from './users.ts';

import type { AppDb } from '../db/app-database.ts';
import type { AppUser } from './users.ts';

export const sessionLifetimeMs = 12 * 60 * 60 * 1000;

export interface Session {
  readonly idHash: string;
  readonly user: AppUser;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export async function createSession(db: AppDb, userId: string, now: Date): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs);
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashSecretToken(id),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  return { id, csrfToken, expiresAt };
}

export async function resolveSession(db: AppDb, id: string, now: Date): Promise<Session | null> {
  const idHash = hashSecretToken(id);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('app_users', 'app_users.id', 'sessions.user_id')
    .selectAll('app_users')
    .select(['sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id_hash', '=', idHash)
    // A disabled person's session ends at once, even one opened before (disabling deletes them too).
    .where('app_users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  if (row.expires_at <= now.toISOString()) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  let expiresAt = row.expires_at;
  if (new Date(row.expires_at).getTime() - now.getTime() < sessionLifetimeMs / 2) {
    expiresAt = new Date(now.getTime() + sessionLifetimeMs).toISOString();
    await db.updateTable('sessions').set({ expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
  }
  const { csrf_token: csrfToken, expires_at: _expires, ...user } = row;
  return { idHash, user: appUserRowToAppUser(user), csrfToken, expiresAt };
}

export async function deleteSession(db: AppDb, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hashSecretToken(id)).execute();
}
