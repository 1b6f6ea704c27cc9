/**
 * Vendor URLs through the real server and the emulators: a changed Oomnitza URL drops the token
 * (the new host never sees it), credentials in a URL are refused, and without
 * NINJA_SYNC_ALLOW_PRIVATE_HOSTS both vendors' URLs that name IP addresses or loopback hosts are
 * refused when saved and again at connect time ("Test"), before any request leaves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { allowPrivateVendorHosts, privateVendorHostsAllowed } from '../../src/http/vendor-hosts.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'vendor-urls-')) }),
} as unknown as TestDatabaseTarget;

async function startAll(t: { after(fn: () => unknown): void }) {
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  return { server, admin };
}

test("changing an Oomnitza connection's URL drops its token: the new host never receives it", async (t) => {
  const first = await startOomnitzaEmulator({ seed: 1, users: 2 });
  t.after(() => first.close());
  const second = await startOomnitzaEmulator({ seed: 2, users: 3 });
  t.after(() => second.close());
  const { admin } = await startAll(t);

  const created = await admin.post('/api/oomnitza-connections', {
    name: 'oomnitza',
    url: first.url,
    apiToken: first.apiToken,
    allowInsecureHttp: true,
  });
  assert.equal(created.status, 201, created.text);
  const id: string = created.body.id;
  assert.equal((await admin.post(`/api/oomnitza-connections/${id}/test`)).body.ok, true);

  // "Test" before "Save": the stored token serves its own URL only; another URL needs its token typed in.
  const draft = (body: Record<string, unknown>) => admin.post('/api/oomnitza-connections/test', { allowInsecureHttp: true, ...body });
  const same = await draft({ url: first.url, connectionId: id });
  assert.equal(same.body.ok, true, same.text);
  const elsewhere = await draft({ url: second.url, connectionId: id });
  assert.equal(elsewhere.status, 400, elsewhere.text);
  assert.equal(elsewhere.body.error.details.fields[0].path, 'apiToken');
  assert.match(elsewhere.body.error.message, /enter the API token for http:\/\/127\.0\.0\.1/);
  assert.equal(second.knobs.log.length, 0, 'the stored token was not tried on the new host');
  const wrong = await draft({ url: second.url, apiToken: 'not-the-token' });
  assert.equal(wrong.status, 200);
  assert.equal(wrong.body.ok, false);
  second.knobs.clearLog();
  assert.equal((await admin.get(`/api/oomnitza-connections/${id}`)).body.url, first.url, 'a draft test stores nothing');

  const moved = await admin.patch(`/api/oomnitza-connections/${id}`, { url: second.url });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.apiTokenHint, '');
  assert.equal(moved.body.status, 'failing');
  assert.match(moved.body.statusReason, /URL changed/);

  const tested = await admin.post(`/api/oomnitza-connections/${id}/test`);
  assert.equal(tested.body.ok, false);
  assert.match(tested.body.message, /no API token since its URL changed/);
  assert.equal(second.knobs.log.length, 0, 'the new host was not contacted at all');
  assert.ok(!second.knobs.log.some((entry) => entry.token === first.apiToken));

  // With the new instance's own token it works, and that token is what the new host sees.
  assert.equal((await admin.patch(`/api/oomnitza-connections/${id}`, { apiToken: second.apiToken })).status, 200);
  const retested = await admin.post(`/api/oomnitza-connections/${id}/test`);
  assert.equal(retested.body.ok, true, retested.text);
  assert.ok(second.knobs.log.length > 0);
  assert.ok(second.knobs.log.every((entry) => entry.token !== first.apiToken));
});

test('credentials in a URL are refused for both vendors, never stripped silently', async (t) => {
  const { admin } = await startAll(t);
  const connection = await admin.post('/api/oomnitza-connections', {
    name: 'o',
    url: 'https://user:hunter2@acme.oomnitza.com',
    apiToken: 'a-long-api-token-value',
  });
  assert.equal(connection.status, 400, connection.text);
  assert.match(connection.text, /user name or password/);
  assert.ok(!connection.text.includes('hunter2'));
  const credential = await admin.post('/api/credentials', {
    name: 'n',
    url: 'https://user:hunter2@eu.ninjarmm.com',
    clientId: 'id',
    clientSecret: 'a-long-client-secret',
    grantType: 'client_credentials',
  });
  assert.equal(credential.status, 400, credential.text);
  assert.ok(!credential.text.includes('hunter2'));
});

test('without NINJA_SYNC_ALLOW_PRIVATE_HOSTS, IP addresses and loopback hosts are refused at save time and at connect time, for both vendors', async (t) => {
  const ninja = await startNinjaOneEmulator({ seed: 3, users: 4 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed: 3, users: 2 });
  t.after(() => oomnitza.close());
  const { admin } = await startAll(t);
  const before = privateVendorHostsAllowed();
  t.after(() => allowPrivateVendorHosts(before));

  // Saved while the setting allowed them (as for an emulator)…
  allowPrivateVendorHosts(true);
  const connection = await admin.post('/api/oomnitza-connections', {
    name: 'o',
    url: oomnitza.url,
    apiToken: oomnitza.apiToken,
    allowInsecureHttp: true,
  });
  assert.equal(connection.status, 201, connection.text);
  const credential = await admin.post('/api/credentials', {
    name: 'n',
    url: ninja.url,
    clientId: 'demo-m2m',
    clientSecret: 'demo-m2m-secret',
    grantType: 'client_credentials',
    allowInsecureHttp: true,
  });
  assert.equal(credential.status, 201, credential.text);

  // …then the operator turns it off: nothing is sent any more.
  allowPrivateVendorHosts(false);
  ninja.knobs.clearLog();
  oomnitza.knobs.clearLog();
  const oomnitzaTest = await admin.post(`/api/oomnitza-connections/${connection.body.id}/test`);
  assert.equal(oomnitzaTest.body.ok, false);
  assert.match(oomnitzaTest.body.message, /is an IP address; .*NINJA_SYNC_ALLOW_PRIVATE_HOSTS=true/);
  const ninjaTest = await admin.post(`/api/credentials/${credential.body.id}/test`);
  assert.equal(ninjaTest.body.ok, false);
  assert.match(ninjaTest.body.message, /NINJA_SYNC_ALLOW_PRIVATE_HOSTS=true/);
  assert.equal(oomnitza.knobs.log.length, 0, 'Oomnitza emulator not contacted');
  assert.equal(ninja.knobs.log.length, 0, 'NinjaOne emulator not contacted');

  for (const url of [
    'https://169.254.169.254',
    'https://10.0.0.8',
    'https://[::1]',
    'https://[fd00::1]',
    'https://localhost',
    oomnitza.url,
  ]) {
    const refused = await admin.post('/api/oomnitza-connections', {
      name: 'x',
      url,
      apiToken: 'a-long-api-token-value',
      allowInsecureHttp: true,
    });
    assert.equal(refused.status, 400, `${url}: ${refused.text}`);
    assert.match(refused.text, /NINJA_SYNC_ALLOW_PRIVATE_HOSTS/, url);
  }
  const ninjaRefused = await admin.post('/api/credentials', {
    name: 'x',
    url: ninja.url,
    clientId: 'demo-m2m',
    clientSecret: 'demo-m2m-secret',
    grantType: 'client_credentials',
    allowInsecureHttp: true,
  });
  assert.equal(ninjaRefused.status, 400, ninjaRefused.text);
  assert.match(ninjaRefused.text, /NINJA_SYNC_ALLOW_PRIVATE_HOSTS/);
  const moved = await admin.patch(`/api/oomnitza-connections/${connection.body.id}`, { url: 'https://127.0.0.2' });
  assert.equal(moved.status, 400, moved.text);
});
