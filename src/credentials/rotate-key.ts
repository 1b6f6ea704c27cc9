/**
 * Vault key rotation: every sealed value (client secrets, tokens, Oomnitza API tokens) is opened
 * with the old key and sealed with the new one in one database transaction, so a failure leaves
 * everything as it was. Unfinished OAuth sign-ins are dropped (they last ten minutes anyway).
 *
 * With a key file, the order makes a crash at any point safe: the new key is first added to the
 * file in front of the old one (the vault opens values of either), then the transaction re-seals,
 * then the old key is removed from the file.
 *
 * @example
 * const { resealed } = await rotateVaultKey(db, keys, generateVaultKey());
 */
import { sealContext } from './store.ts';
import { createVault, type VaultKeys, writeKeyFile } from './vault.ts';

import type { AppDb } from '../db/app-database.ts';

const connectionContext = (id: string): string => `oomnitza_connection:${id}:api_token`;

export async function resealAll(db: AppDb, from: ReturnType<typeof createVault>, to: ReturnType<typeof createVault>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let resealed = 0;
    const reseal = (value: string | null, context: string): string | null => {
      if (value === null) return null;
      resealed++;
      return to.seal(from.open(value, context), context);
    };
    for (const row of await trx
      .selectFrom('credentials')
      .select(['id', 'client_secret_sealed', 'access_token_sealed', 'refresh_token_sealed'])
      .execute()) {
      await trx
        .updateTable('credentials')
        .set({
          client_secret_sealed: reseal(row.client_secret_sealed, sealContext.clientSecret(row.id))!,
          access_token_sealed: reseal(row.access_token_sealed, sealContext.accessToken(row.id)),
          refresh_token_sealed: reseal(row.refresh_token_sealed, sealContext.refreshToken(row.id)),
        })
        .where('id', '=', row.id)
        .execute();
    }
    for (const row of await trx.selectFrom('oomnitza_connections').select(['id', 'api_token_sealed']).execute()) {
      await trx
        .updateTable('oomnitza_connections')
        .set({ api_token_sealed: reseal(row.api_token_sealed, connectionContext(row.id))! })
        .where('id', '=', row.id)
        .execute();
    }
    await trx.deleteFrom('oauth_states').execute();
    return resealed;
  });
}

/** Re-seals everything under `newKey`; with a key file, leaves the file holding only `newKey`. */
export async function rotateVaultKey(db: AppDb, keys: VaultKeys, newKey: Buffer): Promise<{ resealed: number }> {
  const from = createVault(keys.current, keys.previous);
  const to = createVault(newKey, [keys.current, ...keys.previous]);
  if (keys.file) await writeKeyFile(keys.file, [newKey, keys.current, ...keys.previous]);
  const resealed = await resealAll(db, from, to);
  if (keys.file) await writeKeyFile(keys.file, [newKey]);
  return { resealed };
}
