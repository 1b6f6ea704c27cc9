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
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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

export function createVault(key: Buffer): Vault {
  if (key.length !== keyLength) throw new VaultKeyError(`the vault key must be ${keyLength} bytes, got ${key.length}`);
  const keyId = keyIdOf(key);
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
      if (parts.length !== 5 || parts[0] !== version) throw new VaultOpenError(`a sealed value for ${context} is not in the vault's format`);
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      if (id !== keyId) throw new VaultOpenError(`the value for ${context} was sealed with another key (${id}); rotate with the old key available, or set the value again`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new VaultOpenError(`the value for ${context} does not open with this key (tampered, or moved from another record)`, { cause });
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

/**
 * The key from `NINJA_SYNC_KEY` when set, else from `<dataDir>/vault.key`, which is created with
 * mode 0600 on first start. A key file readable by group or others is refused.
 */
export async function loadVaultKey(options: { readonly envKey?: string | undefined; readonly keyFile?: string | undefined; readonly dataDir: string }): Promise<Buffer> {
  if (options.envKey) return parseVaultKey(options.envKey, 'NINJA_SYNC_KEY');
  const file = options.keyFile ?? join(options.dataDir, keyFileName);
  try {
    const info = await stat(file);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new VaultKeyError(`the key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\``);
    }
    return parseVaultKey(await readFile(file, 'utf8'), `the key file ${file}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = generateVaultKey();
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseVaultKey(await readFile(file, 'utf8'), `the key file ${file}`);
    throw error;
  }
}
