/**
 * Whoever leaves takes their scripts' access with them: an API token made by a person works only
 * while that person is enabled. Disabling them stops it at once (401), enabling them again brings it
 * back; a token made with their token is theirs too. A token acts with its maker's role at most: a
 * person made a viewer keeps no admin token. Over real HTTP, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

forEachDialect('API tokens of disabled people', (target) => {
  test("a disabled person's API tokens answer 401 until they are enabled again, and a viewer's tokens only read", async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'a long enough passphrase 42' })).status, 201);
    const vic = await admin.post('/api/users', {
      email: 'vic@acme.example',
      name: 'Vic',
      role: 'admin',
      password: 'another long passphrase 43',
    });
    assert.equal(vic.status, 201, vic.text);

    // Vic signs in and makes a token for a script; the script uses it to make one of its own.
    const vicSession = apiClient(server.url);
    assert.equal(
      (await vicSession.post('/api/session', { email: 'vic@acme.example', password: 'another long passphrase 43' })).status,
      200,
    );
    const made = await vicSession.post('/api/tokens', { name: 'vic laptop script', role: 'admin' });
    assert.equal(made.status, 201, made.text);
    const script = apiClient(server.url, { bearer: made.body.token });
    assert.equal((await script.get('/api/integrations')).status, 200);
    const byToken = await script.post('/api/tokens', { name: 'made by a token', role: 'viewer' });
    assert.equal(byToken.status, 201, byToken.text);
    const tokenMade = apiClient(server.url, { bearer: byToken.body.token });

    const disabled = await admin.patch(`/api/users/${vic.body.id}`, { disabled: true });
    assert.equal(disabled.status, 200, disabled.text);
    const refused = await script.get('/api/integrations');
    assert.equal(refused.status, 401, refused.text);
    assert.doesNotMatch(refused.text, new RegExp(made.body.token as string), 'the token is not echoed');
    // Found by a hostile review: a token made with Vic's token was no one's, so Vic could keep access through it.
    assert.equal((await tokenMade.get('/api/integrations')).status, 401, "a token made with Vic's token is Vic's");
    const listed = (await admin.get('/api/tokens')).body.tokens as { name: string; revokedAt: string | null }[];
    assert.equal(listed.find((token) => token.name === 'vic laptop script')?.revokedAt, null, 'not revoked: only suspended with Vic');

    assert.equal((await admin.patch(`/api/users/${vic.body.id}`, { disabled: false })).status, 200);
    assert.equal((await script.get('/api/integrations')).status, 200, 'back with Vic');
    assert.equal((await tokenMade.get('/api/integrations')).status, 200);

    // Vic made a viewer: the admin token Vic made reads, and writes no more, until Vic is an admin again.
    assert.equal((await admin.patch(`/api/users/${vic.body.id}`, { role: 'viewer' })).status, 200);
    assert.equal((await script.get('/api/integrations')).status, 200);
    const write = await script.post('/api/tokens', { name: 'one more', role: 'admin' });
    assert.equal(write.status, 403, write.text);
    assert.equal(write.body.error.code, 'forbidden');
    assert.equal((await admin.patch(`/api/users/${vic.body.id}`, { role: 'admin' })).status, 200);
    assert.equal((await script.post('/api/tokens', { name: 'one more', role: 'viewer' })).status, 201);
  });
});
