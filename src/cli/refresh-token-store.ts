/**
 * Where a CLI run keeps a rotated NinjaOne refresh token. NinjaOne spends a refresh token when it
 * is used, so the token in `${NINJAONE_REFRESH_TOKEN}` works once; the rotated one must be kept
 * for the next run. It is sealed with the vault (key from NINJA_SYNC_KEY or `data/vault.key`) and
 * stored in `data/cli-refresh-tokens.json` (mode 0600) under a hash of the token it replaced, so
 * the next run with the same environment finds its successor.
 *
 * @example
 * const store = await openRefreshTokenStore({ dataDir: './data', env: process.env });
 * const current = await store.latest(process.env.NINJAONE_REFRESH_TOKEN!);
 * await store.save(original, rotated);
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createVault, loadVaultKey, type Vault } from '../credentials/vault.ts';

export const refreshTokenFileName = 'cli-refresh-tokens.json';

export interface RefreshTokenStore {
  /** The newest refresh token that replaced `original`, or `original` itself. */
  latest(original: string): Promise<string>;
  save(original: string, rotated: string): Promise<void>;
}

export async function openRefreshTokenStore(options: {
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<RefreshTokenStore> {
  await mkdir(options.dataDir, { recursive: true });
  const vault: Vault = createVault(await loadVaultKey({ envKey: options.env['NINJA_SYNC_KEY'], dataDir: options.dataDir }));
  const file = join(options.dataDir, refreshTokenFileName);
  const context = (key: string) => `cli-refresh-token:${key}`;

  async function read(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  return {
    async latest(original) {
      const key = hash(original);
      const sealed = (await read())[key];
      if (sealed === undefined) return original;
      try {
        return vault.open(sealed, context(key));
      } catch {
        return original; // sealed under another key: fall back to the environment's token
      }
    },
    async save(original, rotated) {
      const key = hash(original);
      const all = await read();
      all[key] = vault.seal(rotated, context(key));
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, file);
    },
  };
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}
