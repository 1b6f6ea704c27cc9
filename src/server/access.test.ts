import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { apiClient } from '../../test/support/api-client.ts';
import { forEachDialect } from '../../test/support/databases.ts';
import { startTestServer } from '../../test/support/server.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const password = 'correct horse battery staple';

forEachDialect('server access', (target) => {
  test('first-run setup creates the first admin once, then is closed', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    const admin = apiClient(server.url);

    assert.deepEqual((await admin.get('/api/setup')).body, { setupRequired: true });
    const weak = await admin.post('/api/setup', { email: 'it@acme.example', password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'weak_password');
    assert.equal(weak.body.error.details.fields[0].path, 'password');

    const created = await admin.post('/api/setup', { email: 'IT@Acme.example', name: 'IT', password });
    assert.equal(created.status, 201);
    assert.equal(created.body.user.email, 'it@acme.example');
    assert.equal(created.body.user.role, 'admin');
    const cookie = created.headers.getSetCookie().join(';');
    assert.match(cookie, /ns_session=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);

    const again = await apiClient(server.url).post('/api/setup', { email: 'other@acme.example', password });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'setup_done');

    const me = await admin.get('/api/session');
    assert.equal(me.body.user.email, 'it@acme.example');
    assert.equal(me.body.via, 'session');
  });

  test('sign-in, CSRF on writes, sign-out', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    await apiClient(server.url).post('/api/setup', { email: 'it@acme.example', password });

    const browser = apiClient(server.url);
    assert.equal((await browser.get('/api/tokens')).status, 401);
    const wrong = await browser.post('/api/session', { email: 'it@acme.example', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'invalid_login');
    const login = await browser.post('/api/session', { email: 'it@acme.example', password });
    assert.equal(login.status, 200);

    const csrf = browser.csrfToken;
    browser.csrfToken = null;
    const forged = await browser.post('/api/tokens', { name: 'x' });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'csrf_failed');
    browser.csrfToken = csrf;
    assert.equal((await browser.post('/api/tokens', { name: 'x' })).status, 201);

    assert.equal((await browser.delete('/api/session')).status, 204);
    assert.equal((await browser.get('/api/tokens')).status, 401);
  });

  test('sign-in is throttled after repeated failures', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    await apiClient(server.url).post('/api/setup', { email: 'it@acme.example', password });
    const attacker = apiClient(server.url);
    for (let i = 0; i < 5; i++)
      assert.equal((await attacker.post('/api/session', { email: 'it@acme.example', password: `guess ${i} guess` })).status, 401);
    const locked = await attacker.post('/api/session', { email: 'it@acme.example', password });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'too_many_attempts');
  });

  test('API tokens: shown once, hashed, role-limited, revocable', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    const admin = apiClient(server.url);
    await admin.post('/api/setup', { email: 'it@acme.example', password });

    const created = await admin.post('/api/tokens', { name: 'reporting', role: 'viewer' });
    assert.equal(created.status, 201);
    const token: string = created.body.token;
    assert.match(token, /^nsk_/);
    const listed = await admin.get('/api/tokens');
    assert.equal(listed.body.tokens.length, 1);
    assert.ok(!JSON.stringify(listed.body).includes(token), 'the list never shows the token');
    assert.equal(listed.body.tokens[0].hint, token.slice(-4));

    const script = apiClient(server.url, { bearer: token });
    assert.equal((await script.get('/api/credentials')).status, 200);
    const denied = await script.post('/api/tokens', { name: 'escalate', role: 'admin' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'forbidden');

    assert.equal((await admin.delete(`/api/tokens/${created.body.record.id}`)).status, 204);
    const revoked = await script.get('/api/credentials');
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.error.message, /revoked/);
    assert.equal((await apiClient(server.url, { bearer: 'nsk_made_up' }).get('/api/credentials')).status, 401);
  });

  test('errors have one shape; health, readiness, metrics and the OpenAPI document answer', async (t) => {
    const server = await startTestServer(target);
    t.after(() => server.close());
    const anyone = apiClient(server.url);

    const missing = await anyone.get('/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const invalid = await anyone.post('/api/setup', { email: 'x@y.z', password, extra: 1 });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'validation_failed');
    const malformed = await anyone.post('/api/setup', '{not json');
    assert.equal(malformed.status, 400);
    assert.ok(malformed.body.error.code);

    assert.deepEqual((await anyone.get('/healthz')).body, { status: 'ok', version });
    assert.equal((await anyone.get('/readyz')).body.database, target.dialect);
    const metrics = await anyone.get('/metrics');
    assert.match(metrics.text, /# TYPE ninja_sync_runs gauge/);
    assert.match(metrics.text, /ninja_sync_records_total\{outcome="created"\} 0/);
    assert.match(metrics.text, /ninja_sync_records_total\{outcome="filtered"\} 0/);

    const docs = await anyone.get('/api/docs');
    assert.equal(docs.body.openapi, '3.1.0');
    assert.ok(docs.body.paths['/api/credentials/{id}'].patch, 'routes appear with OpenAPI path templates');
    assert.equal(docs.body.paths['/api/setup'].post.requestBody.content['application/json'].schema.additionalProperties, false);
  });
});
