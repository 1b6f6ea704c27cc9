/**
 * Access tokens for a stored NinjaOne credential, on the one renewal engine
 * (`createSingleFlightProvider` in `src/ninjaone/token-provider.ts`): handed out while fresh,
 * renewed shortly before they expire, and after a 401 only while the stored token is still the one
 * NinjaOne refused.
 *
 * A renewal holds the credential's lock and reads its row once, under the lock. When the row holds
 * a fresh token other than the refused one, someone else (another worker process, another provider
 * in this one) renewed while this one waited: that token is used and NinjaOne is not asked again.
 * Otherwise the grant is made and its tokens are stored — the rotated refresh token above all —
 * before the access token is handed out. NinjaOne rotates refresh tokens, so two renewals racing
 * with one refresh token would leave the loser with a spent token and `invalid_grant`.
 *
 * The lock: on PostgreSQL the row lock (`FOR UPDATE` in a transaction held across the grant), which
 * every process on the database respects. SQLite has no row locks and one process owns the file
 * (`src/db/open-database.ts`), so there a lock per database handle and credential, in this process,
 * stands in for it; no transaction is held during the HTTP call, since SQLite's one connection
 * would make every other query of the process wait for it.
 *
 * @example
 * const tokens = createStoredTokenProvider({ db, vault, now, dialect }, credential.id);
 * const client = createNinjaOneClient({ origin, tokens });
 */
import { sql } from 'kysely';

import { NinjaOneAuthError } from '../ninjaone/errors.ts';
import { refreshAccessToken, requestClientCredentialsToken } from '../ninjaone/oauth.ts';
import { createSingleFlightProvider, reportRefresh } from '../ninjaone/token-provider.ts';
import { CredentialError, getCredentialRow, openClientSecret, sealContext, setCredentialStatus } from './store.ts';
import { withThreadLock } from './thread-lock.ts';

import type { AppDb } from '../db/app-database.ts';
import type { CredentialsTable } from '../db/types-accounts.ts';
import type { IssuedToken, Renewal, TokenProvider } from '../ninjaone/token-provider.ts';
import type { Vault } from './vault.ts';

export interface TokenDeps {
  readonly db: AppDb;
  readonly vault: Vault;
  readonly now: () => Date;
  readonly dialect: 'sqlite' | 'postgres';
}

/** The credential cannot get tokens until an admin acts; the message says what to do. */
export class CredentialUnusableError extends Error {
  override readonly name = 'CredentialUnusableError';
  constructor(
    readonly credentialName: string,
    readonly reason: 'needs_reauth' | 'pending' | 'failing',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface StoredTokens {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** Null keeps the stored refresh token (NinjaOne returned none). */
  readonly refreshToken: string | null;
  readonly scope: string | null;
}

/** Seals and stores tokens, bumping the version; the credential becomes active. */
export async function storeTokens(
  db: AppDb,
  vault: Vault,
  id: string,
  tokens: StoredTokens,
  now: Date,
  statusReason: string | null = null,
): Promise<void> {
  await db
    .updateTable('credentials')
    .set((eb) => ({
      access_token_sealed: vault.seal(tokens.accessToken, sealContext.accessToken(id)),
      access_expires_at: tokens.expiresAt.toISOString(),
      ...(tokens.refreshToken !== null ? { refresh_token_sealed: vault.seal(tokens.refreshToken, sealContext.refreshToken(id)) } : {}),
      ...(tokens.scope !== null ? { granted_scopes: tokens.scope } : {}),
      token_version: eb('token_version', '+', 1),
      status: 'active',
      status_reason: statusReason,
      last_refreshed_at: now.toISOString(),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', id)
    .execute();
}

/**
 * A `TokenProvider` (as the NinjaOne client wants) over a stored credential.
 *
 * @example const client = createNinjaOneClient({ origin: new URL(row.url), tokens: createStoredTokenProvider(deps, row.id) });
 */
export function createStoredTokenProvider(deps: TokenDeps, credentialId: string): TokenProvider {
  return createSingleFlightProvider(
    function renewStored(renewal) {
      return renewStoredToken(deps, credentialId, renewal);
    },
    { now: () => deps.now().getTime() },
  );
}

async function renewStoredToken(deps: TokenDeps, credentialId: string, renewal: Renewal): Promise<IssuedToken> {
  const seen: { row?: CredentialsTable } = {};
  try {
    return await withLockedCredential(deps, credentialId, async (db, row) => {
      seen.row = row;
      if (row.status === 'needs_reauth')
        throw new CredentialUnusableError(
          row.name,
          'needs_reauth',
          `the NinjaOne credential "${row.name}" needs to be authenticated again (${row.status_reason ?? 'NinjaOne refused its refresh token'}): open it and click Authenticate`,
        );
      const stored = storedToken(deps.vault, row);
      // Renewed by someone else since this provider's token was refused or fell due: use theirs.
      if (stored !== null && stored.accessToken !== renewal.refused && renewal.isFresh(stored)) return stored;
      return obtainAndStore(deps, db, row);
    });
  } catch (error) {
    // Status changes happen here, after the lock is released: written from inside the transaction's
    // callback on another connection they would wait for our own row lock.
    throw seen.row === undefined ? error : await recordFailure(deps, seen.row, error);
  }
}

/** The lock hook: runs `work` holding the credential's lock, with its row as read under the lock. */
async function withLockedCredential<T>(
  deps: TokenDeps,
  credentialId: string,
  work: (db: AppDb, row: CredentialsTable) => Promise<T>,
): Promise<T> {
  if (deps.dialect === 'postgres') {
    return deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credentialId)
        .modifyEnd(sql`for update`)
        .executeTakeFirst();
      if (!row) throw new CredentialError('not_found', `no credential with id ${credentialId}`);
      return work(trx, row);
    });
  }
  // Per handle in this thread, then across the threads of this process (a run's thread has its own handle).
  return withProcessLock(deps.db, credentialId, () =>
    withThreadLock(async () => work(deps.db, await getCredentialRow(deps.db, credentialId))),
  );
}

/** SQLite's stand-in for row locks: waiting holders per database handle and credential, in this process. */
const processLocks = new WeakMap<AppDb, Map<string, Promise<void>>>();

async function withProcessLock<T>(db: AppDb, key: string, work: () => Promise<T>): Promise<T> {
  let locks = processLocks.get(db);
  if (locks === undefined) {
    locks = new Map();
    processLocks.set(db, locks);
  }
  const previous = locks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => released);
  locks.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** The stored access token, opened, with when it was issued; null when there is none. */
function storedToken(vault: Vault, row: CredentialsTable): IssuedToken | null {
  if (!row.access_token_sealed || !row.access_expires_at) return null;
  return {
    accessToken: vault.open(row.access_token_sealed, sealContext.accessToken(row.id)),
    expiresAt: new Date(row.access_expires_at),
    ...(row.last_refreshed_at === null ? {} : { issuedAt: new Date(row.last_refreshed_at) }),
    scope: row.granted_scopes,
  };
}

/** Makes the credential's grant and stores its tokens (inside the locked transaction on PostgreSQL). */
async function obtainAndStore(deps: TokenDeps, db: AppDb, row: CredentialsTable): Promise<IssuedToken> {
  const origin = new URL(row.url);
  const clientSecret = openClientSecret(deps.vault, row);
  let tokens: StoredTokens;
  if (row.grant_type === 'client_credentials') {
    const token = await reportRefresh(() =>
      requestClientCredentialsToken({ origin, clientId: row.client_id, clientSecret, scopes: row.scopes }),
    );
    tokens = { ...token, refreshToken: null };
  } else {
    if (!row.refresh_token_sealed) {
      throw new CredentialUnusableError(
        row.name,
        'pending',
        `the NinjaOne credential "${row.name}" has no refresh token yet: open it and click Authenticate`,
      );
    }
    const refreshToken = deps.vault.open(row.refresh_token_sealed, sealContext.refreshToken(row.id));
    const refreshed = await reportRefresh(() => refreshAccessToken({ origin, clientId: row.client_id, clientSecret, refreshToken }));
    tokens = {
      accessToken: refreshed.accessToken,
      expiresAt: refreshed.expiresAt,
      refreshToken: refreshed.refreshToken,
      scope: refreshed.scope,
    };
  }
  await storeTokens(db, deps.vault, row.id, tokens, deps.now());
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scope: tokens.scope ?? row.granted_scopes };
}

/** Marks the credential after a failed renewal and returns the error to throw. */
async function recordFailure(deps: TokenDeps, row: CredentialsTable, error: unknown): Promise<unknown> {
  if (!(error instanceof NinjaOneAuthError)) return error;
  if (error.needsReauthorization) {
    await setCredentialStatus(
      deps.db,
      row.id,
      'needs_reauth',
      `NinjaOne refused the refresh token (${error.code ?? 'invalid_grant'}) on ${deps.now().toISOString()}`,
      deps.now(),
    );
    return new CredentialUnusableError(
      row.name,
      'needs_reauth',
      `the NinjaOne credential "${row.name}" needs to be authenticated again: NinjaOne refused its refresh token; open it and click Authenticate`,
      { cause: error },
    );
  }
  if (!error.retryable) {
    await setCredentialStatus(deps.db, row.id, 'failing', error.message, deps.now());
    return new CredentialUnusableError(row.name, 'failing', `the NinjaOne credential "${row.name}" cannot get a token: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
