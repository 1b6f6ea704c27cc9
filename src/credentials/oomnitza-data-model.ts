/**
 * The users data model of each Oomnitza connection, kept in the store: read from the instance on
 * first need and on "Refresh fields", then served from the store, so the mapping page, the save and
 * validate see the tenant's fields (custom ones included) without a call to Oomnitza each time.
 *
 * An instance that gives no data model is stored as such, with the reason; callers fall back to the
 * common Oomnitza fields and say so. A read that fails (network, token) changes nothing stored.
 *
 * @example
 * const model = await dataModelOf(db, vault, connection.id, new Date());
 * if (model.available) console.log(model.fields.map((f) => `${f.label} (${f.dataType})`));
 */
import { createOomnitzaClient } from '../oomnitza/client.ts';
import { getOomnitzaConnectionRow, openOomnitzaToken } from './oomnitza-connections.ts';

import type { AppDb } from '../db/app-database.ts';
import type { OomnitzaDataModelsTable } from '../db/types-accounts.ts';
import type { OomnitzaFieldInfo, UserDataModel } from '../oomnitza/user-fields.ts';
import type { Vault } from './vault.ts';

export type StoredDataModel = UserDataModel & { readonly connectionId: string; readonly fetchedAt: string };

export function dataModelRowToModel(row: OomnitzaDataModelsTable): StoredDataModel {
  const base = { connectionId: row.connection_id, fetchedAt: row.fetched_at };
  if (row.available === 1 && row.fields !== null)
    return { ...base, available: true, fields: JSON.parse(row.fields) as OomnitzaFieldInfo[] };
  return { ...base, available: false, reason: row.reason ?? 'the instance gave no users data model' };
}

export async function getStoredDataModel(db: AppDb, connectionId: string): Promise<StoredDataModel | null> {
  const row = await db.selectFrom('oomnitza_data_models').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
  return row === undefined ? null : dataModelRowToModel(row);
}

/** Reads the data model from the instance now and stores it in place of the previous one. */
export async function refreshDataModel(
  db: AppDb,
  vault: Vault,
  connectionId: string,
  now: Date,
  options: { readonly signal?: AbortSignal } = {},
): Promise<StoredDataModel> {
  const connection = await getOomnitzaConnectionRow(db, connectionId);
  const client = createOomnitzaClient({
    baseUrl: connection.url,
    apiToken: openOomnitzaToken(vault, connection),
    allowInsecureHttp: connection.allow_insecure_http === 1,
    retry: { maxAttempts: 2 },
  });
  const model = await client.readUserDataModel(options.signal === undefined ? {} : { signal: options.signal });
  const row: OomnitzaDataModelsTable = {
    connection_id: connectionId,
    available: model.available ? 1 : 0,
    fields: model.available ? JSON.stringify(model.fields) : null,
    reason: model.available ? null : model.reason,
    fetched_at: now.toISOString(),
  };
  const { connection_id: _key, ...values } = row;
  await db
    .insertInto('oomnitza_data_models')
    .values(row)
    .onConflict((conflict) => conflict.column('connection_id').doUpdateSet(values))
    .execute();
  return dataModelRowToModel(row);
}

/** The stored data model, read from the instance first when there is none yet. */
export async function dataModelOf(
  db: AppDb,
  vault: Vault,
  connectionId: string,
  now: Date,
  options: { readonly signal?: AbortSignal } = {},
): Promise<StoredDataModel> {
  return (await getStoredDataModel(db, connectionId)) ?? refreshDataModel(db, vault, connectionId, now, options);
}

/** A data model to check a mapping against, or why there is none to check against. */
export type DataModelLookup =
  | { readonly ok: true; readonly model: StoredDataModel }
  /** Not read: the instance did not answer in time, refused the token, … `reason` says so (never the token). */
  | { readonly ok: false; readonly reason: string };

/** How long a save or a preview waits for an instance's data model it has not read before. */
export const dataModelReadTimeoutMs = 5_000;

/**
 * A reader for checks (the save, the preview): the stored model, else one read now within
 * `timeoutMs`. A read that fails is answered, not thrown: the caller goes on and says why the
 * mapping was not checked against the tenant.
 *
 * @example
 * const lookup = await lookUpDataModel(db, vault, connectionId, new Date());
 * if (!lookup.ok) warnings.push(`not checked against Oomnitza's data model: ${lookup.reason}`);
 */
export async function lookUpDataModel(
  db: AppDb,
  vault: Vault,
  connectionId: string,
  now: Date,
  timeoutMs = dataModelReadTimeoutMs,
): Promise<DataModelLookup> {
  try {
    return { ok: true, model: await dataModelOf(db, vault, connectionId, now, { signal: AbortSignal.timeout(timeoutMs) }) };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const why = timedOut ? `no answer within ${timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `could not read the users data model of the Oomnitza connection (${why})` };
  }
}
