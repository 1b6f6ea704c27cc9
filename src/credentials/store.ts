/**
 * NinjaOne credentials: URL, client ID, client secret (sealed), scopes, grant, and the tokens the
 * OAuth flow or a client-credentials grant produced (sealed). What leaves this module is a
 * `Credential` with a hint of the secret at most — never a secret or a token.
 *
 * Status: `pending` until authenticated; `active`; `needs_reauth` when NinjaOne refused the refresh
 * token (the admin must click Authenticate again); `failing` when the last attempt failed for
 * another reason (wrong secret, wrong region).
 *
 * @example
 * const credential = await createCredential(db, vault, { name: 'prod', url, clientId, clientSecret, scopes: 'monitoring management', grantType: 'authorization_code' }, now);
 */
import { randomUUID } from 'node:crypto';

import { lockNameReferences } from '../db/reference-lock.ts';
import { resolvedHostProblem } from '../http/vendor-hosts.ts';
import { normaliseScopes } from '../ninjaone/oauth.ts';
import { parseNinjaOneUrl } from '../ninjaone/url.ts';
import { secretHint } from './secret-hint.ts';

import type { AppDb } from '../db/app-database.ts';
import type { CredentialsTable, CredentialStatus, GrantType } from '../db/types-accounts.ts';
import type { Vault } from './vault.ts';

export const allowedScopes = ['monitoring', 'management', 'control'] as const;

export interface Credential {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly clientId: string;
  /** The last four characters of the client secret, to tell credentials apart. */
  readonly clientSecretHint: string;
  readonly scopes: string;
  readonly grantType: GrantType;
  readonly allowInsecureHttp: boolean;
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly grantedScopes: string | null;
  readonly hasRefreshToken: boolean;
  readonly accessTokenExpiresAt: string | null;
  readonly lastRefreshedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  constructor(
    readonly code: 'invalid_field' | 'name_taken' | 'not_found' | 'in_use',
    message: string,
    readonly field?: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function credentialRowToCredential(row: CredentialsTable): Credential {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    clientId: row.client_id,
    clientSecretHint: row.client_secret_hint,
    scopes: row.scopes,
    grantType: row.grant_type,
    allowInsecureHttp: row.allow_insecure_http === 1,
    status: row.status,
    statusReason: row.status_reason,
    grantedScopes: row.granted_scopes,
    hasRefreshToken: row.refresh_token_sealed !== null,
    accessTokenExpiresAt: row.access_expires_at,
    lastRefreshedAt: row.last_refreshed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Vault contexts bind each sealed value to its row and column. */
export const sealContext = {
  clientSecret: (id: string) => `credential:${id}:client_secret`,
  accessToken: (id: string) => `credential:${id}:access_token`,
  refreshToken: (id: string) => `credential:${id}:refresh_token`,
} as const;

export interface CredentialInput {
  readonly name: string;
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: string;
  readonly grantType: GrantType;
  readonly allowInsecureHttp?: boolean;
}

/** A NinjaOne URL as stored: checked, reduced to its origin, and its host's DNS answer public (unless allowed). */
async function checkUrl(url: string, allowInsecureHttp: boolean): Promise<string> {
  const parsed = parseNinjaOneUrl(url, { allowInsecureHttp });
  if (!parsed.ok) throw new CredentialError('invalid_field', parsed.message, 'url');
  const problem = await resolvedHostProblem(parsed.url.hostname);
  if (problem !== null) throw new CredentialError('invalid_field', `The NinjaOne URL is refused: ${problem}.`, 'url');
  return parsed.url.origin;
}

function checkScopes(scopes: string): string {
  const list = normaliseScopes(scopes).filter((scope) => scope !== 'offline_access');
  const unknown = list.filter((scope) => !(allowedScopes as readonly string[]).includes(scope));
  if (unknown.length > 0)
    throw new CredentialError(
      'invalid_field',
      `unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; use any of ${allowedScopes.join(', ')}, separated by spaces`,
      'scopes',
    );
  if (list.length === 0) throw new CredentialError('invalid_field', 'give at least one scope, e.g. "monitoring management"', 'scopes');
  return list.join(' ');
}

export async function createCredential(db: AppDb, vault: Vault, input: CredentialInput, now: Date): Promise<Credential> {
  const allowInsecureHttp = input.allowInsecureHttp ?? false;
  const url = await checkUrl(input.url, allowInsecureHttp);
  const scopes = checkScopes(input.scopes);
  if ((await db.selectFrom('credentials').select('id').where('name', '=', input.name).executeTakeFirst()) !== undefined) {
    throw new CredentialError('name_taken', `a credential named "${input.name}" exists already; choose another name`, 'name');
  }
  const id = randomUUID();
  const row: CredentialsTable = {
    id,
    name: input.name,
    url,
    client_id: input.clientId.trim(),
    client_secret_sealed: vault.seal(input.clientSecret, sealContext.clientSecret(id)),
    client_secret_hint: secretHint(input.clientSecret),
    scopes,
    grant_type: input.grantType,
    allow_insecure_http: allowInsecureHttp ? 1 : 0,
    status: 'pending',
    status_reason:
      input.grantType === 'authorization_code' ? 'not authenticated yet: click Authenticate' : 'not tested yet: click Test connection',
    granted_scopes: null,
    access_token_sealed: null,
    access_expires_at: null,
    refresh_token_sealed: null,
    token_version: 0,
    last_refreshed_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await db.insertInto('credentials').values(row).execute();
  return credentialRowToCredential(row);
}

export interface CredentialPatch {
  readonly name?: string | undefined;
  readonly url?: string | undefined;
  readonly clientId?: string | undefined;
  /** Absent or empty: keep the stored secret. */
  readonly clientSecret?: string | undefined;
  readonly scopes?: string | undefined;
  readonly grantType?: GrantType | undefined;
  readonly allowInsecureHttp?: boolean | undefined;
}

/**
 * Changing where or as whom we sign in (URL, client ID, secret, scopes, grant) drops the stored
 * tokens: they belong to the old settings, so the credential must be authenticated again.
 */
export async function updateCredential(db: AppDb, vault: Vault, id: string, patch: CredentialPatch, now: Date): Promise<Credential> {
  const row = await getCredentialRow(db, id);
  const allowInsecureHttp = patch.allowInsecureHttp ?? row.allow_insecure_http === 1;
  const url =
    patch.url !== undefined || patch.allowInsecureHttp !== undefined ? await checkUrl(patch.url ?? row.url, allowInsecureHttp) : row.url;
  const scopes = patch.scopes !== undefined ? checkScopes(patch.scopes) : row.scopes;
  const newSecret = patch.clientSecret !== undefined && patch.clientSecret !== '' ? patch.clientSecret : null;
  const secretChanged = newSecret !== null;
  const identityChanged =
    url !== row.url ||
    (patch.clientId !== undefined && patch.clientId.trim() !== row.client_id) ||
    secretChanged ||
    scopes !== row.scopes ||
    (patch.grantType !== undefined && patch.grantType !== row.grant_type);
  const values: Partial<CredentialsTable> = {
    name: patch.name ?? row.name,
    url,
    client_id: patch.clientId?.trim() ?? row.client_id,
    scopes,
    grant_type: patch.grantType ?? row.grant_type,
    allow_insecure_http: allowInsecureHttp ? 1 : 0,
    updated_at: now.toISOString(),
    ...(newSecret !== null
      ? { client_secret_sealed: vault.seal(newSecret, sealContext.clientSecret(id)), client_secret_hint: secretHint(newSecret) }
      : {}),
    ...(identityChanged
      ? {
          status: 'pending' as const,
          status_reason: 'settings changed: authenticate again',
          access_token_sealed: null,
          access_expires_at: null,
          refresh_token_sealed: null,
          granted_scopes: null,
          token_version: row.token_version + 1,
        }
      : {}),
  };
  await db.transaction().execute(async function renameUnderReferenceLock(trx) {
    if (patch.name !== undefined && patch.name !== row.name) await assertRenamable(trx, row.name, patch.name);
    await trx.updateTable('credentials').set(values).where('id', '=', id).execute();
  });
  return credentialRowToCredential({ ...row, ...values });
}

/** A new name must be free, and the old one named by no integration (they name it, so they would name nothing). */
async function assertRenamable(trx: AppDb, from: string, to: string): Promise<void> {
  await lockNameReferences(trx);
  if ((await trx.selectFrom('credentials').select('id').where('name', '=', to).executeTakeFirst()) !== undefined) {
    throw new CredentialError('name_taken', `a credential named "${to}" exists already; choose another name`, 'name');
  }
  const users = await integrationsUsing(trx, from);
  if (users.length > 0)
    throw new CredentialError(
      'in_use',
      `the credential is used by ${users.map((n) => `"${n}"`).join(', ')} under its name; change those integrations first, or keep the name`,
      'name',
      { integrations: users },
    );
}

export async function getCredentialRow(db: AppDb, id: string): Promise<CredentialsTable> {
  const row = await db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CredentialError('not_found', `no credential with id ${id}`);
  return row;
}

export async function findCredentialRowByName(db: AppDb, name: string): Promise<CredentialsTable | undefined> {
  return db.selectFrom('credentials').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listCredentials(db: AppDb): Promise<Credential[]> {
  return (await db.selectFrom('credentials').selectAll().orderBy('name').execute()).map(credentialRowToCredential);
}

/** Names of the integrations whose document names this credential. */
export async function integrationsUsing(db: AppDb, credentialName: string): Promise<string[]> {
  const rows = await db.selectFrom('integrations').select(['name', 'document']).execute();
  return rows
    .filter((row) => {
      try {
        return (JSON.parse(row.document) as { source?: { credential?: string } }).source?.credential === credentialName;
      } catch {
        return false;
      }
    })
    .map((row) => row.name);
}

export async function deleteCredential(db: AppDb, id: string): Promise<void> {
  await db.transaction().execute(async function deleteUnderReferenceLock(trx) {
    await lockNameReferences(trx);
    const row = await getCredentialRow(trx, id);
    const users = await integrationsUsing(trx, row.name);
    if (users.length > 0) {
      throw new CredentialError(
        'in_use',
        `the credential is used by ${users.map((n) => `"${n}"`).join(', ')}; point those integrations at another credential first`,
        undefined,
        { integrations: users },
      );
    }
    await trx.deleteFrom('credentials').where('id', '=', id).execute();
  });
}

export async function setCredentialStatus(
  db: AppDb,
  id: string,
  status: CredentialStatus,
  reason: string | null,
  now: Date,
): Promise<void> {
  await db.updateTable('credentials').set({ status, status_reason: reason, updated_at: now.toISOString() }).where('id', '=', id).execute();
}

/** The client secret, opened for a token request. Never log or return it. */
export function openClientSecret(vault: Vault, row: CredentialsTable): string {
  return vault.open(row.client_secret_sealed, sealContext.clientSecret(row.id));
}
