/**
 * Oomnitza connections: an instance URL and an API token (sealed in the vault). Integrations name
 * one in `destination.connection`. What leaves this module holds a hint of the token at most.
 *
 * @example
 * const connection = await createOomnitzaConnection(db, vault, { name: 'prod', url: 'https://acme.oomnitza.com', apiToken }, now);
 */
import { randomUUID } from 'node:crypto';

import { lockNameReferences } from '../db/reference-lock.ts';
import { resolvedHostProblem, vendorHostProblem } from '../http/vendor-hosts.ts';
import { secretHint } from './secret-hint.ts';
import { CredentialError } from './store.ts';

import type { AppDb } from '../db/app-database.ts';
import type { OomnitzaConnectionsTable } from '../db/types-accounts.ts';
import type { Vault } from './vault.ts';

export interface OomnitzaConnection {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly apiTokenHint: string;
  readonly allowInsecureHttp: boolean;
  readonly status: 'untested' | 'ok' | 'failing';
  readonly statusReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function connectionRowToConnection(row: OomnitzaConnectionsTable): OomnitzaConnection {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    apiTokenHint: row.api_token_hint,
    allowInsecureHttp: row.allow_insecure_http === 1,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const tokenContext = (id: string): string => `oomnitza_connection:${id}:api_token`;
const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** `https://<instance>.oomnitza.com` or any https host (Oomnitza runs on custom domains too); http only for loopback with the setting. */
export function checkOomnitzaUrl(input: string, allowInsecureHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  } catch {
    throw new CredentialError(
      'invalid_field',
      `"${input}" is not a URL; use the address of your instance, e.g. https://acme.oomnitza.com`,
      'url',
    );
  }
  if (url.protocol === 'http:') {
    if (!loopback.test(url.hostname))
      throw new CredentialError('invalid_field', `Oomnitza must be reached over https (got ${url.origin}); use https://${url.host}`, 'url');
    if (!allowInsecureHttp)
      throw new CredentialError(
        'invalid_field',
        `http is allowed only for a loopback emulator with allowInsecureHttp set; got ${url.origin}`,
        'url',
      );
  } else if (url.protocol !== 'https:') {
    throw new CredentialError('invalid_field', `use an https URL such as https://acme.oomnitza.com (got ${url.protocol})`, 'url');
  }
  if (url.username !== '' || url.password !== '')
    throw new CredentialError(
      'invalid_field',
      'the URL must not carry a user name or password; remove the part before "@" and put the API token in its own field',
      'url',
    );
  const hostProblem = vendorHostProblem(url);
  if (hostProblem !== null) throw new CredentialError('invalid_field', hostProblem, 'url');
  return url.origin;
}

/** `checkOomnitzaUrl`, then the host's DNS answer: a name that resolves to a private address is refused too. */
async function checkOomnitzaUrlResolved(input: string, allowInsecureHttp: boolean): Promise<string> {
  const origin = checkOomnitzaUrl(input, allowInsecureHttp);
  const problem = await resolvedHostProblem(new URL(origin).hostname);
  if (problem !== null) throw new CredentialError('invalid_field', problem, 'url');
  return origin;
}

export async function createOomnitzaConnection(
  db: AppDb,
  vault: Vault,
  input: { name: string; url: string; apiToken: string; allowInsecureHttp?: boolean },
  now: Date,
): Promise<OomnitzaConnection> {
  const allowInsecureHttp = input.allowInsecureHttp ?? false;
  const url = await checkOomnitzaUrlResolved(input.url, allowInsecureHttp);
  if (await db.selectFrom('oomnitza_connections').select('id').where('name', '=', input.name).executeTakeFirst()) {
    throw new CredentialError('name_taken', `an Oomnitza connection named "${input.name}" exists already; choose another name`, 'name');
  }
  const id = randomUUID();
  const row: OomnitzaConnectionsTable = {
    id,
    name: input.name,
    url,
    api_token_sealed: vault.seal(input.apiToken, tokenContext(id)),
    api_token_hint: secretHint(input.apiToken),
    allow_insecure_http: allowInsecureHttp ? 1 : 0,
    status: 'untested',
    status_reason: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await db.insertInto('oomnitza_connections').values(row).execute();
  return connectionRowToConnection(row);
}

export async function updateOomnitzaConnection(
  db: AppDb,
  vault: Vault,
  id: string,
  patch: { name?: string | undefined; url?: string | undefined; apiToken?: string | undefined; allowInsecureHttp?: boolean | undefined },
  now: Date,
): Promise<OomnitzaConnection> {
  const row = await getOomnitzaConnectionRow(db, id);
  const allowInsecureHttp = patch.allowInsecureHttp ?? row.allow_insecure_http === 1;
  const url =
    patch.url !== undefined || patch.allowInsecureHttp !== undefined
      ? await checkOomnitzaUrlResolved(patch.url ?? row.url, allowInsecureHttp)
      : row.url;
  // The token belongs to the instance it was issued by: a new URL without a new token drops it,
  // so it is never sent to the new host.
  const dropToken = url !== row.url && !patch.apiToken;
  const values: Partial<OomnitzaConnectionsTable> = {
    name: patch.name ?? row.name,
    url,
    allow_insecure_http: allowInsecureHttp ? 1 : 0,
    updated_at: now.toISOString(),
    ...(patch.apiToken
      ? {
          api_token_sealed: vault.seal(patch.apiToken, tokenContext(id)),
          api_token_hint: secretHint(patch.apiToken),
          status: 'untested' as const,
          status_reason: null,
        }
      : {}),
    ...(dropToken
      ? {
          api_token_sealed: vault.seal('', tokenContext(id)),
          api_token_hint: '',
          status: 'failing' as const,
          status_reason: 'the URL changed: enter the API token for the new URL',
        }
      : {}),
  };
  await db.transaction().execute(async function renameUnderReferenceLock(trx) {
    if (patch.name !== undefined && patch.name !== row.name) await assertRenamable(trx, row.name, patch.name);
    await trx.updateTable('oomnitza_connections').set(values).where('id', '=', id).execute();
  });
  // Another instance or token may see another data model: the cached one is read again on next use.
  if (values.url !== row.url || patch.apiToken) await db.deleteFrom('oomnitza_data_models').where('connection_id', '=', id).execute();
  return connectionRowToConnection({ ...row, ...values });
}

export async function getOomnitzaConnectionRow(db: AppDb, id: string): Promise<OomnitzaConnectionsTable> {
  const row = await db.selectFrom('oomnitza_connections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CredentialError('not_found', `no Oomnitza connection with id ${id}`);
  return row;
}

export async function findOomnitzaConnectionByName(db: AppDb, name: string): Promise<OomnitzaConnectionsTable | undefined> {
  return db.selectFrom('oomnitza_connections').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listOomnitzaConnections(db: AppDb): Promise<OomnitzaConnection[]> {
  return (await db.selectFrom('oomnitza_connections').selectAll().orderBy('name').execute()).map(connectionRowToConnection);
}

export async function deleteOomnitzaConnection(db: AppDb, id: string): Promise<void> {
  await db.transaction().execute(async function deleteUnderReferenceLock(trx) {
    await lockNameReferences(trx);
    const row = await getOomnitzaConnectionRow(trx, id);
    const users = await integrationsUsingConnection(trx, row.name);
    if (users.length > 0)
      throw new CredentialError(
        'in_use',
        `the connection is used by ${users.map((n) => `"${n}"`).join(', ')}; point those integrations at another connection first`,
        undefined,
        { integrations: users },
      );
    await trx.deleteFrom('oomnitza_connections').where('id', '=', id).execute();
  });
}

/** A new name must be free, and the old one named by no integration (they name it, so they would name nothing). */
async function assertRenamable(trx: AppDb, from: string, to: string): Promise<void> {
  await lockNameReferences(trx);
  if ((await findOomnitzaConnectionByName(trx, to)) !== undefined)
    throw new CredentialError('name_taken', `an Oomnitza connection named "${to}" exists already; choose another name`, 'name');
  const users = await integrationsUsingConnection(trx, from);
  if (users.length > 0)
    throw new CredentialError(
      'in_use',
      `the connection is used by ${users.map((n) => `"${n}"`).join(', ')} under its name; change those integrations first, or keep the name`,
      'name',
      { integrations: users },
    );
}

/** The integrations whose destination names this connection. */
async function integrationsUsingConnection(db: AppDb, connectionName: string): Promise<string[]> {
  const rows = await db.selectFrom('integrations').select(['name', 'document']).execute();
  return rows
    .filter((row) => {
      try {
        return (JSON.parse(row.document) as { destination?: { connection?: string } }).destination?.connection === connectionName;
      } catch {
        return false;
      }
    })
    .map((row) => row.name);
}

/**
 * What "Test" before "Save" checks: the URL (as a save would), and the token typed in, or the stored
 * one of `connectionId` while the URL is the one it was issued for. A new URL without a token is
 * refused with the fix, never tried with the old token (it must not reach another host).
 *
 * @example const { url, apiToken } = await draftConnectionTarget(db, vault, { url, apiToken: '', connectionId: id });
 */
export async function draftConnectionTarget(
  db: AppDb,
  vault: Vault,
  input: { url: string; apiToken?: string | undefined; allowInsecureHttp: boolean; connectionId?: string | undefined },
): Promise<{ url: string; apiToken: string }> {
  const url = await checkOomnitzaUrlResolved(input.url, input.allowInsecureHttp);
  if (input.apiToken !== undefined && input.apiToken !== '') return { url, apiToken: input.apiToken };
  if (input.connectionId === undefined)
    throw new CredentialError(
      'invalid_field',
      'enter the API token to test (Oomnitza → Configuration → Security → API tokens)',
      'apiToken',
    );
  const row = await getOomnitzaConnectionRow(db, input.connectionId);
  if (row.url !== url)
    throw new CredentialError(
      'invalid_field',
      `the stored API token belongs to ${row.url}; enter the API token for ${url} (a changed URL needs its token again)`,
      'apiToken',
    );
  return { url, apiToken: openOomnitzaToken(vault, row) };
}

/** The connection's API token; refuses when it was dropped (the URL changed since it was entered). */
export function openOomnitzaToken(vault: Vault, row: OomnitzaConnectionsTable): string {
  const token = vault.open(row.api_token_sealed, tokenContext(row.id));
  if (token === '')
    throw new CredentialError(
      'invalid_field',
      `the Oomnitza connection "${row.name}" has no API token since its URL changed; enter the API token for ${row.url}`,
      'apiToken',
    );
  return token;
}

export async function setConnectionStatus(
  db: AppDb,
  id: string,
  status: 'ok' | 'failing',
  reason: string | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('oomnitza_connections')
    .set({ status, status_reason: reason, updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}
