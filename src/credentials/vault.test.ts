import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createVault, generateVaultKey, loadVaultKey, parseVaultKey, VaultKeyError, VaultOpenError } from './vault.ts';

describe('vault', () => {
  test('seals and opens a value, and the sealed text holds no plaintext', () => {
    const vault = createVault(generateVaultKey());
    const sealed = vault.seal('very-secret-client-secret', 'credential:1:clientSecret');
    assert.ok(!sealed.includes('very-secret'));
    assert.equal(vault.open(sealed, 'credential:1:clientSecret'), 'very-secret-client-secret');
  });

  test('two seals of one value differ (fresh IV)', () => {
    const vault = createVault(generateVaultKey());
    assert.notEqual(vault.seal('x', 'c'), vault.seal('x', 'c'));
  });

  test('a value moved to another context does not open', () => {
    const vault = createVault(generateVaultKey());
    const sealed = vault.seal('secret', 'credential:1:clientSecret');
    assert.throws(() => vault.open(sealed, 'credential:2:clientSecret'), VaultOpenError);
  });

  test('a tampered value does not open, and the error holds no secret', () => {
    const vault = createVault(generateVaultKey());
    const sealed = vault.seal('secret-value', 'ctx');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    assert.throws(
      () => vault.open(parts.join('.'), 'ctx'),
      (error: Error) => error instanceof VaultOpenError && !error.message.includes('secret-value'),
    );
  });

  test('a value sealed with another key is named as such', () => {
    const a = createVault(generateVaultKey());
    const b = createVault(generateVaultKey());
    const sealed = a.seal('x', 'ctx');
    assert.equal(b.owns(sealed), false);
    assert.throws(() => b.open(sealed, 'ctx'), /sealed with another key/);
  });

  test('parses hex and base64 keys and refuses other lengths', () => {
    const key = generateVaultKey();
    assert.deepEqual(parseVaultKey(key.toString('hex'), 'k'), key);
    assert.deepEqual(parseVaultKey(key.toString('base64'), 'k'), key);
    assert.throws(
      () => parseVaultKey('c2hvcnQ=', 'NINJA_SYNC_KEY'),
      (error: Error) => error instanceof VaultKeyError && error.message.includes('NINJA_SYNC_KEY'),
    );
  });

  test('creates a key file with mode 0600 on first start and reads it back after', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vault-'));
    const first = await loadVaultKey({ dataDir });
    const info = await stat(join(dataDir, 'vault.key'));
    assert.equal(info.mode & 0o777, 0o600);
    const second = await loadVaultKey({ dataDir });
    assert.deepEqual(second, first);
    assert.equal((await readFile(join(dataDir, 'vault.key'), 'utf8')).trim(), first.toString('base64'));
  });

  test('refuses a key file readable by others, naming the fix', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vault-'));
    const file = join(dataDir, 'vault.key');
    await writeFile(file, generateVaultKey().toString('base64'));
    await chmod(file, 0o644);
    await assert.rejects(loadVaultKey({ dataDir }), /chmod 600/);
  });

  test('the environment key wins over the key file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vault-'));
    const key = generateVaultKey();
    assert.deepEqual(await loadVaultKey({ dataDir, envKey: key.toString('base64') }), key);
  });
});
