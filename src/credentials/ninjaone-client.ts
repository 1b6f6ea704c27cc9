/**
 * A NinjaOne client from a stored credential: its URL, and tokens renewed through the vault (one
 * renewal at a time per credential, also across processes). The worker, the preview and the
 * credential test all read NinjaOne this way; `ninja-sync run` builds its client from the file's
 * inline settings instead (`src/cli/build-clients.ts`).
 *
 * @example
 * const row = await findCredentialRowByName(db, 'ninjaone-prod');
 * if (row) await storedNinjaOneClient({ db, vault, now, dialect }, row).testConnection();
 */
import { createNinjaOneClient, type NinjaOneClient, type NinjaOneClientOptions } from '../ninjaone/client.ts';
import { createStoredTokenProvider } from './tokens.ts';

import type { CredentialsTable } from '../db/types-accounts.ts';
import type { TokenDeps } from './tokens.ts';

export function storedNinjaOneClient(
  deps: TokenDeps,
  credential: Pick<CredentialsTable, 'id' | 'url'>,
  options: Omit<NinjaOneClientOptions, 'origin' | 'tokens'> = {},
): NinjaOneClient {
  return createNinjaOneClient({ ...options, origin: new URL(credential.url), tokens: createStoredTokenProvider(deps, credential.id) });
}
