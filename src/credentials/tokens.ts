/**
 * Access tokens for a stored NinjaOne credential: handed out while fresh, renewed shortly before
 * they expire, one renewal at a time per credential.
 *
 * One at a time matters because NinjaOne rotates refresh tokens: two renewals racing with one
 * refresh token leave the loser with a spent token and `invalid_grant`. Within a process a
 * single-flight map serialises renewals; across processes on PostgreSQL the renewal holds the
 * credential's row lock (`FOR UPDATE`) and re-reads the row, so a process that waited uses the token
 * the winner stored instead of refreshing again. SQLite runs one server process, so the in-process
 * guard is enough there, and no transaction is held open during the HTTP call.
 *
 * The rotated refresh token is written (committed) before the new access token is returned.
 *
 * @example
 * const tokens = createStoredTokenProvider({ db, vault, now }, credential.id);
 * const client = createNinjaOneClient({ origin, tokens });
 */
import { sql } from 'kysely';

import { NinjaOneAuthError } from '../ninjaone/errors.ts';
import { refreshAccessToken, requestClientCredentialsToken } from '../ninjaone/oauth.ts';
import { countTokenRefresh } from '../server/metrics.ts';
import { getCredentialRow, openClientSecret, sealContext, setCredentialStatus } from './store.ts';

import type { AppDb } from '../db/app-database.ts';
import type { CredentialsTable } from '../db/types-accounts.ts';
import type { AccessToken } from '../ninjaone/oauth.ts';
import type { TokenProvider } from '../ninjaone/token-provider.ts';
import type { Vault } from './vault.ts';

/** Renew this long before expiry. */
export const refreshMarginMs = 5 * 60 * 1000;

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

function freshToken(vault: Vault, row: CredentialsTable, now: Date): string | null {
  if (!row.access_token_sealed || !row.access_expires_at) return null;
  if (new Date(row.access_expires_at).getTime() - refreshMarginMs <= now.getTime()) return null;
  return vault.open(row.access_token_sealed, sealContext.accessToken(row.id));
}

const inFlight = new Map<string, Promise<string>>();

/** A current access token for the credential, renewing it when due. */
export async function getCredentialAccessToken(
  deps: TokenDeps,
  credentialId: string,
  options: { readonly force?: boolean } = {},
): Promise<string> {
  const row = await getCredentialRow(deps.db, credentialId);
  if (row.status === 'needs_reauth')
    throw new CredentialUnusableError(
      row.name,
      'needs_reauth',
      `the NinjaOne credential "${row.name}" needs to be authenticated again (${row.status_reason ?? 'NinjaOne refused its refresh token'}): open it and click Authenticate`,
    );
  if (!options.force) {
    const fresh = freshToken(deps.vault, row, deps.now());
    if (fresh) return fresh;
  }
  const running = inFlight.get(credentialId);
  if (running) return running;
  const renewal = renew(deps, credentialId, options.force === true, row.token_version).finally(() => inFlight.delete(credentialId));
  inFlight.set(credentialId, renewal);
  return renewal;
}

async function renew(deps: TokenDeps, credentialId: string, force: boolean, seenVersion: number): Promise<string> {
  try {
    if (deps.dialect === 'postgres') {
      return await deps.db.transaction().execute(async (trx) => {
        const locked = await trx
          .selectFrom('credentials')
          .selectAll()
          .where('id', '=', credentialId)
          .modifyEnd(sql`for update`)
          .executeTakeFirstOrThrow();
        // Another process renewed while we waited for the lock: use its token.
        if (locked.token_version !== seenVersion || !force) {
          const fresh = freshToken(deps.vault, locked, deps.now());
          if (fresh) return fresh;
        }
        return obtainAndStore(deps, trx, locked);
      });
    }
    return await obtainAndStore(deps, deps.db, await getCredentialRow(deps.db, credentialId));
  } catch (error) {
    // Status changes happen here, after the row lock is released: written from inside the
    // transaction's callback on another connection they would wait for our own lock.
    throw await recordFailure(deps, credentialId, error);
  }
}

async function obtainAndStore(deps: TokenDeps, db: AppDb, row: CredentialsTable): Promise<string> {
  const origin = new URL(row.url);
  const clientSecret = openClientSecret(deps.vault, row);
  let tokens: StoredTokens;
  if (row.grant_type === 'client_credentials') {
    const token: AccessToken = await requestClientCredentialsToken({ origin, clientId: row.client_id, clientSecret, scopes: row.scopes });
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
    const refreshed = await refreshAccessToken({ origin, clientId: row.client_id, clientSecret, refreshToken });
    tokens = {
      accessToken: refreshed.accessToken,
      expiresAt: refreshed.expiresAt,
      refreshToken: refreshed.refreshToken,
      scope: refreshed.scope,
    };
  }
  await storeTokens(db, deps.vault, row.id, tokens, deps.now());
  countTokenRefresh('ok');
  return tokens.accessToken;
}

/** Marks the credential after a failed renewal and returns the error to throw. */
async function recordFailure(deps: TokenDeps, credentialId: string, error: unknown): Promise<unknown> {
  if (!(error instanceof NinjaOneAuthError)) return error;
  const row = await getCredentialRow(deps.db, credentialId);
  countTokenRefresh(error.needsReauthorization ? 'invalid_grant' : 'error');
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

/** A `TokenProvider` (as the NinjaOne client wants) over a stored credential. */
export function createStoredTokenProvider(deps: TokenDeps, credentialId: string): TokenProvider {
  let refused: string | null = null;
  return {
    async getAccessToken() {
      const force = refused !== null;
      const token = await getCredentialAccessToken(deps, credentialId, { force });
      refused = null;
      return token;
    },
    invalidate(accessToken) {
      refused = accessToken ?? 'unknown';
    },
  };
}
