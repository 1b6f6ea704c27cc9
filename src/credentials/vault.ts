/**
 * The vault: secrets and tokens encrypted at rest with AES-256-GCM.
 *
 * A sealed value is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id is a short
 * hash of the key, so a value sealed under an old key is recognised after a rotation instead of
 * failing as "corrupt". Every value is sealed with a context (e.g. `credential:42:clientSecret`) as
 * additional authenticated data: a ciphertext copied into another row or column does not open.
 *
 * The key comes from `NINJA_SYNC_KEY` (32 bytes, base64 or hex) or from a key file created on first
 * start with mode 0600. This is not a KMS: whoever can read the key file can read the secrets.
 *
 * @example
 * const vault = createVault(await loadVaultKey({ dataDir: './data' }));
 * const sealed = vault.seal('s3cret', 'credential:1:clientSecret');
 * vault.open(sealed, 'credential:1:clientSecret'); // 's3cret'
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const keyLength = 32;
const ivLength = 12;
const version = 'v1';

export class VaultKeyError extends Error {
  override readonly name = 'VaultKeyError';
}

/** A value did not open: wrong key, wrong context, or tampered. The message never holds the value. */
export class VaultOpenError extends Error {
  override readonly name = 'VaultOpenError';
}

export interface Vault {
  /** Short, non-secret identifier of the key (to tell which key sealed a value). */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** True when `sealed` was sealed under this vault's key. */
  owns(sealed: string): boolean;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/**
 * A vault that seals with `key` and opens values sealed with `key` or any of `previous` (the key
 * ring a rotation leaves behind until every value is re-sealed).
 */
export function createVault(key: Buffer, previous: readonly Buffer[] = []): Vault {
  for (const k of [key, ...previous])
    if (k.length !== keyLength) throw new VaultKeyError(`the vault key must be ${keyLength} bytes, got ${k.length}`);
  const keyId = keyIdOf(key);
  const ring = new Map([key, ...previous].map((k) => [keyIdOf(k), k] as const));
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, keyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== version)
        throw new VaultOpenError(`a sealed value for ${context} is not in the vault's format`);
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      const sealingKey = ring.get(id);
      if (!sealingKey)
        throw new VaultOpenError(
          `the value for ${context} was sealed with another key (${id}); restore that key (NINJA_SYNC_KEY or the key file), or set the value again`,
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', sealingKey, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new VaultOpenError(`the value for ${context} does not open with this key (tampered, or moved from another record)`, {
          cause,
        });
      }
    },
    owns(sealed) {
      return sealed.split('.')[1] === keyId;
    },
  };
}

/** Parses a key given as 64 hex characters or base64/base64url of 32 bytes. */
export function parseVaultKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== keyLength) {
    throw new VaultKeyError(`${source} must hold a 32-byte key as 64 hex characters or base64 (e.g. from \`openssl rand -base64 32\`)`);
  }
  return key;
}

export function generateVaultKey(): Buffer {
  return randomBytes(keyLength);
}

export const keyFileName = 'vault.key';

export interface VaultKeys {
  readonly current: Buffer;
  /** Older keys still able to open values (left by an interrupted rotation). */
  readonly previous: readonly Buffer[];
  /** The key file, when the keys came from one. */
  readonly file: string | null;
}

/** Opens a vault over loaded keys. */
export function vaultFromKeys(keys: VaultKeys): Vault {
  return createVault(keys.current, keys.previous);
}

/**
 * The keys: `NINJA_SYNC_KEY` when set (with `NINJA_SYNC_PREVIOUS_KEYS`, comma-separated, during a
 * rotation), else `<dataDir>/vault.key`, created with mode 0600 on first start. The key file holds
 * the current key on its first line and any previous keys on the lines after.
 */
export async function loadVaultKeys(options: {
  readonly envKey?: string | undefined;
  readonly envPreviousKeys?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly dataDir: string;
}): Promise<VaultKeys> {
  if (options.envKey) {
    const previous = (options.envPreviousKeys ?? '')
      .split(',')
      .filter((k) => k.trim() !== '')
      .map((k) => parseVaultKey(k, 'NINJA_SYNC_PREVIOUS_KEYS'));
    return { current: parseVaultKey(options.envKey, 'NINJA_SYNC_KEY'), previous, file: null };
  }
  const file = options.keyFile ?? join(options.dataDir, keyFileName);
  const lines = await readKeyFile(file, options.dataDir);
  return { current: lines[0]!, previous: lines.slice(1), file };
}

/** Writes a key file atomically (temp file, then rename) with mode 0600. */
export async function writeKeyFile(file: string, keys: readonly Buffer[]): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, keys.map((k) => k.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
}

async function readKeyFile(file: string, dataDir: string): Promise<Buffer[]> {
  const parse = (text: string): Buffer[] => {
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length === 0)
      throw new VaultKeyError(`the key file ${file} is empty; restore it from a backup (without it the stored secrets cannot be read)`);
    return lines.map((line) => parseVaultKey(line, `the key file ${file}`));
  };
  try {
    const info = await stat(file);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new VaultKeyError(
        `the key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\``,
      );
    }
    return parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = generateVaultKey();
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return [key];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parse(await readFile(file, 'utf8'));
    throw error;
  }
}

/** The current key only (see `loadVaultKeys`). */
export async function loadVaultKey(options: {
  readonly envKey?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly dataDir: string;
}): Promise<Buffer> {
  return (await loadVaultKeys(options)).current;
}
