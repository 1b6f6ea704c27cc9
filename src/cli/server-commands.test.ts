import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createCredential, getCredentialRow, openClientSecret } from '../credentials/store.ts';
import { loadVaultKeys, vaultFromKeys } from '../credentials/vault.ts';
import { serverRunningOn, writeServerPidFile } from '../db/backup.ts';
import { openDatabase } from '../db/open-database.ts';
import { adminCreateCommand, keyRotateCommand } from './commands/admin.ts';
import { serveCommand } from './commands/serve.ts';

import type { CliIo } from './io.ts';

function captureIo(env: Record<string, string>): CliIo & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    interactive: false,
    columns: 80,
    env,
    cwd: process.cwd(),
  };
}

describe('server commands', () => {
  test('admin create makes the first admin from stdin, refuses a weak password, and never takes it as an argument', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-admin-'));
    const io = captureIo({});
    assert.equal(await adminCreateCommand(io, { email: 'it@acme.example', role: 'admin', passwordStdin: false, dataDir }), 64);
    assert.match(io.stderr.join(''), /--password-stdin|NINJA_SYNC_ADMIN_PASSWORD/);
    const emptyStdin = captureIo({});
    assert.equal(
      await adminCreateCommand(emptyStdin, { email: 'it@acme.example', role: 'admin', passwordStdin: true, dataDir }, async () => ''),
      64,
    );
    assert.match(emptyStdin.stderr.join(''), /--password-stdin read no password: standard input was empty; pipe it in, e\.g\. printf/);

    assert.equal(
      await adminCreateCommand(io, { email: 'it@acme.example', role: 'admin', passwordStdin: true, dataDir }, async () => 'short'),
      1,
    );
    assert.match(io.stderr.join(''), /at least 12/);

    assert.equal(
      await adminCreateCommand(
        io,
        { email: 'it@acme.example', role: 'admin', passwordStdin: true, dataDir },
        async () => 'correct horse battery staple',
      ),
      0,
    );
    assert.match(io.stdout.join(''), /created admin it@acme.example/);
    const store = await openDatabase({ dataDir });
    const users = await store.db.selectFrom('app_users').select(['email', 'role']).execute();
    await store.close();
    assert.deepEqual(users, [{ email: 'it@acme.example', role: 'admin' }]);
  });

  test('key rotate re-seals every secret under a new key file, and the old key no longer opens them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-key-'));
    const before = await loadVaultKeys({ dataDir });
    const store = await openDatabase({ dataDir });
    const created = await createCredential(
      store.db,
      vaultFromKeys(before),
      {
        name: 'prod',
        url: 'https://acme.rmmservice.com',
        clientId: 'cid',
        clientSecret: 'the-client-secret',
        scopes: 'monitoring',
        grantType: 'client_credentials',
      },
      new Date(),
    );
    await store.close();

    const io = captureIo({});
    assert.equal(await keyRotateCommand(io, { dataDir }), 0);
    assert.match(io.stdout.join(''), /re-sealed 1 secrets/);
    assert.ok(!io.stdout.join('').includes('the-client-secret'));

    const after = await loadVaultKeys({ dataDir });
    assert.notDeepEqual(after.current, before.current);
    assert.equal(after.previous.length, 0, 'the key file holds only the new key');
    assert.equal((await stat(join(dataDir, 'vault.key'))).mode & 0o777, 0o600);
    assert.equal((await readFile(join(dataDir, 'vault.key'), 'utf8')).trim().split('\n').length, 1);

    const reopened = await openDatabase({ dataDir });
    const row = await getCredentialRow(reopened.db, created.id);
    await reopened.close();
    assert.equal(openClientSecret(vaultFromKeys(after), row), 'the-client-secret');
    assert.throws(() => openClientSecret(vaultFromKeys(before), row), /another key/);
  });

  test('key rotate on a data folder without a store refuses, and makes neither a store nor a key there', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'cli-key-typo-')), 'dat');
    const io = captureIo({});
    assert.equal(await keyRotateCommand(io, { dataDir }), 1);
    assert.match(io.stderr.join(''), /no store to re-seal: .*dat\/ninja-sync\.db does not exist \(check --data-dir/);
    assert.equal(io.stdout.join(''), '');
    assert.equal(existsSync(dataDir), false);
  });

  test('serve --demo starts the emulators, pre-fills the demo credential and connection, and stops cleanly', async () => {
    const io = captureIo({ PORT: '0', LOG_LEVEL: 'silent' });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const finished = serveCommand(io, { demo: true, worker: true }, stopped);
    let url: string | undefined;
    // The URL comes first, the demo's lines after its agent has started: wait for the last line.
    for (let i = 0; i < 1200 && !url; i++) {
      const printed = io.stdout.join('');
      url = printed.includes('Stop with Ctrl-C') ? /listening on (http:\/\/\S+)/.exec(printed)?.[1] : undefined;
      if (!url) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(url, `serve printed its URL: ${io.stderr.join('')}`);
    const output = io.stdout.join('');
    assert.match(output, /DEMO MODE/);
    const session = (await (await fetch(`${url}/api/session`)).json()) as { demo: { ninjaOneUrl: string } | null };
    const ninjaOneUrl = session.demo?.ninjaOneUrl ?? assert.fail('the session says it is a demo');
    assert.ok(ninjaOneUrl.startsWith('http://127.0.0.1:'));
    // The redirect URL is registered with the emulator: its authorize page accepts it.
    const authorize = new URL('/ws/oauth/authorize', ninjaOneUrl);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'demo-web',
      redirect_uri: `${url}/oauth2/redirect`,
      scope: 'monitoring',
      state: 's',
    }).toString();
    assert.equal((await fetch(authorize, { redirect: 'manual' })).status, 200);
    stop();
    assert.equal(await finished, 0);
  });

  test('serve refuses a data folder another server is using, and leaves its pid file alone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-serve-twice-'));
    const removePidFile = writeServerPidFile(dataDir); // this test's own process: a live server
    try {
      const io = captureIo({ PORT: '0', LOG_LEVEL: 'silent' });
      assert.equal(await serveCommand(io, { dataDir, demo: false, worker: false }, Promise.resolve()), 1);
      assert.match(io.stderr.join(''), new RegExp(`server \\(pid ${process.pid}\\) is already using ${dataDir}; stop it first`));
      assert.equal(io.stdout.join(''), '');
      assert.equal(serverRunningOn(dataDir), process.pid);
    } finally {
      removePidFile();
    }
  });

  test('a bad environment variable stops serve with its name', async () => {
    const io = captureIo({ PORT: 'eighty' });
    assert.equal(await serveCommand(io, { demo: false, worker: false }, Promise.resolve()), 64);
    assert.match(io.stderr.join(''), /PORT/);
  });
});
