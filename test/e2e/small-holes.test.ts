/**
 * Small holes from the security pass, each against the real server: repeated OAuth query
 * parameters and an unknown runs cursor answer 400 (not 500); an OAuth answer opened without the
 * starting session leaves its state for the right session; `serve --demo` restarted on its data
 * folder points the demo credential and connection at the new emulators.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { demoConnectionName, demoCredentialName, serveCommand } from '../../src/cli/commands/serve.ts';
import { captureIo } from '../../src/cli/test-io.test-support.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { apiClient } from '../support/api-client.ts';
import { answerConsent } from '../support/consent.ts';
import { startTestServer } from '../support/server.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'small-holes-')) }),
} as unknown as TestDatabaseTarget;

test('400, not 500: a repeated OAuth state, an unknown runs cursor', async (t) => {
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);

  const twice = await admin.fetchRaw(`${server.url}/oauth2/redirect?state=a&state=b`);
  assert.equal(twice.status, 400);
  assert.match(await twice.text(), /&quot;state&quot; more than once|"state" more than once/);
  const unknown = await admin.get('/api/runs?before=no-such-run');
  assert.equal(unknown.status, 400, unknown.text);
  assert.equal(unknown.body.error.code, 'validation_failed');
  assert.match(unknown.body.error.message, /before: no run with id no-such-run/);
});

test('an OAuth answer opened without the starting session leaves the state for that session', async (t) => {
  const ninja = await startNinjaOneEmulator({ seed: 4, users: 3 });
  t.after(() => ninja.close());
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  const created = await admin.post('/api/credentials', {
    name: 'ninjaone',
    url: ninja.url,
    clientId: 'demo-web',
    clientSecret: 'demo-web-secret',
    scopes: 'monitoring management',
    allowInsecureHttp: true,
  });
  assert.equal(created.status, 201, created.text);
  ninja.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
  const started = await admin.post(`/api/credentials/${created.body.id}/authorize`);
  const back = await answerConsent(started.body.authorizeUrl, 'approve');

  const stranger = await fetch(back, { redirect: 'manual' });
  assert.equal(stranger.status, 400);
  assert.match(await stranger.text(), /belongs to another session/);
  const owner = await admin.fetchRaw(back);
  const html = await owner.text();
  assert.equal(owner.status, 200, html);
  assert.match(html, /NinjaOne connected/);
});

test('serve --demo restarted on its data folder points the demo credential and connection at the new emulators', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'demo-restart-'));
  const urls: { ninjaone: string; oomnitza: string }[] = [];
  for (let round = 0; round < 2; round++) {
    const io = captureIo({ env: { PORT: '0', LOG_LEVEL: 'silent' } });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const finished = serveCommand(io, { demo: true, worker: false, dataDir }, stopped);
    let output = '';
    for (let i = 0; i < 2400 && !/Stop with Ctrl-C/.test(output); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      output = io.stdout();
      if (io.stderr().includes('ninja-sync serve:')) break;
    }
    assert.match(output, /Stop with Ctrl-C/, io.stderr());
    urls.push({
      ninjaone: /NinjaOne emulator: (\S+)/.exec(output)![1]!,
      oomnitza: /Oomnitza emulator: (\S+)/.exec(output)![1]!,
    });
    stop();
    assert.equal(await finished, 0);
  }
  assert.notEqual(urls[0]!.ninjaone, urls[1]!.ninjaone, 'each start has its own emulator ports');
  const store = await openDatabase({ dataDir });
  const { db } = store;
  try {
    const credential = await db.selectFrom('credentials').select('url').where('name', '=', demoCredentialName).executeTakeFirstOrThrow();
    const connection = await db
      .selectFrom('oomnitza_connections')
      .select('url')
      .where('name', '=', demoConnectionName)
      .executeTakeFirstOrThrow();
    assert.equal(credential.url, urls[1]!.ninjaone);
    assert.equal(connection.url, urls[1]!.oomnitza);
  } finally {
    await store.close();
  }
});
