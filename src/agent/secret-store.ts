/**
 * The agent's secrets: the values a Local integration names (`${NINJAONE_CLIENT_SECRET}`), from the
 * agent's environment or from its own sealed store in the data folder (`agent-secrets.json`, mode
 * 0600, each value sealed with the vault — key from NINJA_SYNC_KEY or `<data dir>/vault.key`). The
 * environment wins. Nothing here is ever sent to the server.
 *
 * @example
 * const store = await openSecretStore({ dataDir: '/var/lib/ninja-sync-agent', env: process.env });
 * await store.set('OOMNITZA_API_TOKEN', token);
 * const values = await store.values(); // name → value, environment first
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createVault, loadVaultKey } from '../credentials/vault.ts';

export const secretsFileName = 'agent-secrets.json';

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SecretStore {
  set(name: string, value: string): Promise<void>;
  remove(name: string): Promise<boolean>;
  /** The names stored (never the values). */
  names(): Promise<string[]>;
  /** Every variable the agent can resolve: the sealed store's, overridden by the environment's. */
  values(): Promise<Record<string, string | undefined>>;
}

export async function openSecretStore(options: {
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<SecretStore> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const vault = createVault(await loadVaultKey({ envKey: options.env['NINJA_SYNC_KEY'], dataDir: options.dataDir }));
  const file = join(options.dataDir, secretsFileName);
  const context = (name: string) => `agent-secret:${name}`;

  async function read(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`the agent's secret store ${file} cannot be read: ${(error as Error).message}`);
    }
  }
  async function write(all: Record<string, string>): Promise<void> {
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  }

  return {
    async set(name, value) {
      if (!namePattern.test(name)) throw new Error(`a secret's name is a variable name such as OOMNITZA_API_TOKEN (got "${name}")`);
      if (value === '') throw new Error(`the value of ${name} is empty`);
      const all = await read();
      all[name] = vault.seal(value, context(name));
      await write(all);
    },
    async remove(name) {
      const all = await read();
      if (!(name in all)) return false;
      delete all[name];
      await write(all);
      return true;
    },
    names: async () => Object.keys(await read()).sort(),
    async values() {
      const sealed = await read();
      const out: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(sealed)) out[name] = vault.open(value, context(name));
      for (const [name, value] of Object.entries(options.env)) if (value !== undefined && value !== '') out[name] = value;
      return out;
    },
  };
}
