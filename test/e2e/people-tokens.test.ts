/**
 * Whoever leaves takes their scripts' access with them: an API token made by a person works only
 * while that person is enabled. Disabling them stops it at once (401), enabling them again brings it
 * back; a token that no person made (made with another token) is not affected. Over real HTTP, on
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

forEachDialect('API tokens of disabled people', (target) => {
  test("a disabled person's API tokens answer 401 until they are enabled again", async (t) => {
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
    assert.equal((await tokenMade.get('/api/integrations')).status, 200, 'a token no person made is not tied to Vic');
    const listed = (await admin.get('/api/tokens')).body.tokens as { name: string; revokedAt: string | null }[];
    assert.equal(listed.find((token) => token.name === 'vic laptop script')?.revokedAt, null, 'not revoked: only suspended with Vic');

    assert.equal((await admin.patch(`/api/users/${vic.body.id}`, { disabled: false })).status, 200);
    assert.equal((await script.get('/api/integrations')).status, 200, 'back with Vic');
  });
});
