/**
 * An admin connects NinjaOne the way the issue says, against a running server over real HTTP: add a
 * credential, Authenticate through the NinjaOne emulator's consent screen, come back to our
 * redirect URL, test the connection; and every failure on that path ends on a page that says what
 * to do; only the live admin session that clicked Authenticate finishes it. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { answerConsent } from '../support/consent.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const password = 'correct horse battery staple';

async function signedInAdmin(server: TestServer): Promise<ApiClient> {
  const admin = apiClient(server.url);
  const setup = await admin.post('/api/setup', { email: 'it@acme.example', password });
  assert.equal(setup.status, 201);
  return admin;
}

forEachDialect('NinjaOne credentials with OAuth', (target) => {
  test('add, authenticate through consent, test, refresh with rotation, and re-authorisation when the grant dies', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 3, users: 25 });
    t.after(() => ninja.close());
    const server = await startTestServer(target);
    t.after(() => server.close());
    const admin = await signedInAdmin(server);

    const bad = await admin.post('/api/credentials', { name: 'prod', url: 'https://example.com', clientId: 'x', clientSecret: 'y' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.fields[0].path, 'url');
    assert.match(bad.body.error.message, /rmmservice\.com/);

    const created = await admin.post('/api/credentials', {
      name: 'prod',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      scopes: 'monitoring management',
      allowInsecureHttp: true,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'pending');
    assert.equal(created.body.clientSecretHint, 'cret');
    assert.ok(!created.text.includes('demo-web-secret'));
    const id: string = created.body.id;

    const listed = await admin.get('/api/credentials');
    const redirectUrl: string = listed.body.redirectUrl;
    assert.equal(redirectUrl, `${server.url}/oauth2/redirect`);
    ninja.addRedirectUri('demo-web', redirectUrl);

    const started = await admin.post(`/api/credentials/${id}/authorize`);
    assert.equal(started.status, 200, started.text);
    const authorizeUrl = new URL(started.body.authorizeUrl);
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorizeUrl.searchParams.get('state'));
    assert.match(authorizeUrl.searchParams.get('scope') ?? '', /offline_access/);
    assert.equal(authorizeUrl.searchParams.get('client_secret'), null, 'the secret never goes into a browser URL');

    const back = await answerConsent(started.body.authorizeUrl, 'approve');
    assert.ok(back.startsWith(redirectUrl));
    const landing = await admin.fetchRaw(back);
    const html = await landing.text();
    assert.equal(landing.status, 200, html);
    assert.match(html, /NinjaOne connected/);

    const replay = await admin.fetchRaw(back);
    assert.equal(replay.status, 400, 'a state is single use');
    assert.match(await replay.text(), /already|not one we started/);

    const active = await admin.get(`/api/credentials/${id}`);
    assert.equal(active.body.status, 'active');
    assert.equal(active.body.hasRefreshToken, true);

    const tested = await admin.post(`/api/credentials/${id}/test`);
    assert.equal(tested.body.ok, true, tested.text);
    assert.equal(tested.body.userCount, ninja.world.users.length);

    // The access token expires: the next use refreshes (rotating the refresh token) on its own.
    await fetch(`${ninja.url}/__admin/tokens/expire`, { method: 'POST' });
    const before = (await admin.get(`/api/credentials/${id}`)).body.lastRefreshedAt;
    const again = await admin.post(`/api/credentials/${id}/test`);
    assert.equal(again.body.ok, true, again.text);
    const after = (await admin.get(`/api/credentials/${id}`)).body;
    assert.notEqual(after.lastRefreshedAt, before, 'the credential was refreshed');
    assert.equal(after.status, 'active');

    // NinjaOne no longer knows the stored refresh token (revoked in NinjaOne, or spent elsewhere):
    // the credential asks for re-authorisation instead of failing silently.
    await server.context.db
      .updateTable('credentials')
      .set({
        refresh_token_sealed: server.context.vault.seal('spent-or-unknown-refresh-token', `credential:${id}:refresh_token`),
        access_expires_at: new Date(0).toISOString(),
      })
      .where('id', '=', id)
      .execute();
    const dead = await admin.post(`/api/credentials/${id}/test`);
    assert.equal(dead.body.ok, false);
    assert.match(dead.body.message, /authenticated again/);
    assert.equal((await admin.get(`/api/credentials/${id}`)).body.status, 'needs_reauth');

    for (const line of server.logLines) {
      assert.ok(!line.includes('demo-web-secret'), 'no client secret in the log');
      assert.ok(!line.includes(authorizeUrl.searchParams.get('state')!), 'no OAuth state in the log');
      assert.ok(!/[?&]code=[0-9a-f-]{8}/.test(line), 'no authorization code in the log');
    }
  });

  test('every failure on the sign-in path ends on a page that says what to do', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 4, users: 5, codeTtlSeconds: 1 });
    t.after(() => ninja.close());
    const server = await startTestServer(target);
    t.after(() => server.close());
    const admin = await signedInAdmin(server);
    const created = await admin.post('/api/credentials', {
      name: 'prod',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      allowInsecureHttp: true,
    });
    const id: string = created.body.id;
    const redirectUrl = `${server.url}/oauth2/redirect`;

    // Redirect URL not registered in NinjaOne: NinjaOne itself shows the error and never comes back.
    const unregistered = await fetch((await admin.post(`/api/credentials/${id}/authorize`)).body.authorizeUrl, { redirect: 'manual' });
    assert.equal(unregistered.status, 400);
    assert.match(await unregistered.text(), /not registered/);
    ninja.addRedirectUri('demo-web', redirectUrl);

    // Denied consent.
    const denied = await admin.fetchRaw(
      await answerConsent((await admin.post(`/api/credentials/${id}/authorize`)).body.authorizeUrl, 'deny'),
    );
    assert.equal(denied.status, 400);
    assert.match(await denied.text(), /not granted[\s\S]*Authenticate again/);

    // A forged or unknown state.
    const forged = await admin.fetchRaw(`${redirectUrl}?code=abc&state=made-up`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /not one we started/);

    // The answer arrives in another browser session.
    const back = await answerConsent((await admin.post(`/api/credentials/${id}/authorize`)).body.authorizeUrl, 'approve');
    const stranger = apiClient(server.url);
    const other = await stranger.fetchRaw(back);
    assert.equal(other.status, 400);
    assert.match(await other.text(), /another session/);

    // The code expired before it came back.
    const late = await answerConsent((await admin.post(`/api/credentials/${id}/authorize`)).body.authorizeUrl, 'approve');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await admin.fetchRaw(late);
    assert.equal(expired.status, 400);
    assert.match(await expired.text(), /did not accept the authorization code/);

    // Wrong client secret: NinjaOne refuses the exchange.
    await admin.patch(`/api/credentials/${id}`, { clientSecret: 'wrong-secret' });
    const wrongSecret = await admin.fetchRaw(
      await answerConsent((await admin.post(`/api/credentials/${id}/authorize`)).body.authorizeUrl, 'approve'),
    );
    assert.equal(wrongSecret.status, 400);
    assert.match(await wrongSecret.text(), /client secret/);

    assert.equal((await admin.get(`/api/credentials/${id}`)).body.status, 'pending');
  });

  test('a credential in use cannot be deleted; viewers see no secrets and cannot change anything', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    const admin = await signedInAdmin(server);
    const created = await admin.post('/api/credentials', {
      name: 'prod',
      url: 'https://acme.rmmservice.com',
      clientId: 'cid',
      clientSecret: 'super-secret-value',
    });
    const connection = await admin.post('/api/oomnitza-connections', {
      name: 'oomnitza',
      url: 'https://acme.oomnitza.com',
      apiToken: 'oomnitza-token-value',
    });
    assert.equal(connection.status, 201, connection.text);
    const integration = await admin.post('/api/integrations', {
      name: 'NinjaOne users',
      source: { credential: 'prod' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: { email: 'email', first_name: 'firstName' },
    });
    assert.equal(integration.status, 201, integration.text);

    const refused = await admin.delete(`/api/credentials/${created.body.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'in_use');
    assert.deepEqual(refused.body.error.details.integrations, ['NinjaOne users']);

    // The integration names its connection: renaming or deleting it is refused with the integrations that use it.
    const connectionId = connection.body.id as string;
    const renamedInUse = await admin.patch(`/api/oomnitza-connections/${connectionId}`, { name: 'renamed' });
    assert.equal(renamedInUse.status, 409, renamedInUse.text);
    assert.equal(renamedInUse.body.error.code, 'in_use');
    assert.deepEqual(renamedInUse.body.error.details.integrations, ['NinjaOne users']);
    assert.equal((await admin.delete(`/api/oomnitza-connections/${connectionId}`)).body.error.code, 'in_use');
    const spare = await admin.post('/api/oomnitza-connections', {
      name: 'spare',
      url: 'https://beta.oomnitza.com',
      apiToken: 'other-token',
    });
    assert.equal(spare.status, 201, spare.text);
    const taken = await admin.patch(`/api/oomnitza-connections/${spare.body.id}`, { name: 'oomnitza' });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.error.code, 'name_taken');
    assert.deepEqual(taken.body.error.details.fields, [{ path: 'name', message: taken.body.error.message }]);
    // Five saves of one new name at once: one is kept, the others are told the name is taken (never a 500).
    const racing = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        admin.post('/api/oomnitza-connections', { name: 'raced', url: `https://n${n}.oomnitza.com`, apiToken: `token-${n}` }),
      ),
    );
    assert.deepEqual(racing.map((answer) => answer.status).sort(), [201, 409, 409, 409, 409], racing.map((a) => a.text).join('\n'));
    const renamed = await admin.patch(`/api/oomnitza-connections/${spare.body.id}`, { name: 'spare two' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(
      (await admin.get('/api/oomnitza-connections')).body.connections.map((c: { name: string }) => c.name).join(),
      'oomnitza,raced,spare two',
    );

    await admin.post('/api/users', { email: 'viewer@acme.example', role: 'viewer', password });
    const viewer = apiClient(server.url);
    await viewer.post('/api/session', { email: 'viewer@acme.example', password });
    const seen = await viewer.get('/api/credentials');
    assert.equal(seen.status, 200);
    assert.ok(!seen.text.includes('super-secret-value'));
    assert.ok(!(await viewer.get('/api/oomnitza-connections')).text.includes('oomnitza-token-value'));
    assert.equal((await viewer.delete(`/api/credentials/${created.body.id}`)).status, 403);
    assert.equal(
      (await viewer.post('/api/credentials', { name: 'x', url: 'https://eu.ninjarmm.com', clientId: 'a', clientSecret: 'b' })).status,
      403,
    );
  });

  test('an admin disabled or made a viewer after clicking Authenticate cannot finish the sign-in with the old session', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 7, users: 3 });
    t.after(() => ninja.close());
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const ann = await signedInAdmin(server);
    ninja.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
    const credential = await ann.post('/api/credentials', {
      name: 'prod',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      allowInsecureHttp: true,
    });
    assert.equal(credential.status, 201, credential.text);
    const bob = await ann.post('/api/users', { email: 'bob@acme.example', role: 'admin', password });
    assert.equal(bob.status, 201, bob.text);

    // Found by a hostile review: the redirect only compared the cookie with the one that started the flow,
    // so a person disabled meanwhile (whose browser still sends it) authenticated the credential as they chose.
    for (const change of [{ disabled: true }, { role: 'viewer' }]) {
      const bobBrowser = apiClient(server.url);
      assert.equal((await bobBrowser.post('/api/session', { email: 'bob@acme.example', password })).status, 200);
      const started = await bobBrowser.post(`/api/credentials/${credential.body.id}/authorize`);
      assert.equal(started.status, 200, started.text);
      const back = await answerConsent(started.body.authorizeUrl, 'approve');
      assert.equal((await ann.patch(`/api/users/${bob.body.id}`, change)).status, 200);
      const landing = await bobBrowser.fetchRaw(back);
      const html = await landing.text();
      assert.equal(landing.status, 400, html);
      assert.match(html, /belongs to another session/);
      const stored = await ann.get(`/api/credentials/${credential.body.id}`);
      assert.equal(stored.body.status, 'pending', JSON.stringify(change));
      assert.equal(stored.body.hasRefreshToken, false);
      assert.equal((await ann.patch(`/api/users/${bob.body.id}`, { disabled: false, role: 'admin' })).status, 200);
    }
  });
});
