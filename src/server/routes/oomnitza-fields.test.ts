/**
 * The users data model of an Oomnitza connection through the API, on SQLite and PostgreSQL with a
 * real server and the Oomnitza emulator over HTTP: read on first use and kept, refreshed on demand
 * (a custom field made in the emulator appears only then), dropped when the URL changes, and an
 * instance that answers with something that is not field metadata is "no data model", said so.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { startOomnitzaEmulator } from '../../../emulators/oomnitza/index.ts';
import { apiClient } from '../../../test/support/api-client.ts';
import { forEachDialect } from '../../../test/support/databases.ts';
import { startTestServer } from '../../../test/support/server.ts';

import type { AddressInfo } from 'node:net';

interface Model {
  available: boolean;
  reason: string | null;
  fetchedAt: string;
  fields: { name: string; label: string; dataType: string; options: string[] | null }[];
}

forEachDialect('Oomnitza connection fields', (target) => {
  test('read once and kept, refreshed on demand, dropped with a new URL; a user object at users/meta is no data model', async (t) => {
    const oomnitza = await startOomnitzaEmulator({ users: 0 });
    t.after(() => oomnitza.close());
    // A server that answers every path with a user record, as a mock built from the spec answered users/meta.
    const impostor = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ uid: 1001, username: 'meta', email: 'meta@acme.example' }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    t.after(() => impostor.close());
    const impostorUrl = `http://127.0.0.1:${String((impostor.address() as AddressInfo).port)}`;

    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
    const created = await admin.post('/api/oomnitza-connections', {
      name: 'oomnitza',
      url: oomnitza.url,
      apiToken: oomnitza.apiToken,
      allowInsecureHttp: true,
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    const viewer = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'v', role: 'viewer' })).body.token });

    oomnitza.knobs.clearLog();
    const first = await viewer.get<Model>(`/api/oomnitza-connections/${id}/fields`);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.available, true);
    assert.equal(first.body.reason, null);
    const names = first.body.fields.map((f) => f.name);
    assert.ok(names.includes('email') && names.includes('ninja_uid') && names.includes('start_date'), names.join());
    assert.deepEqual(first.body.fields.find((f) => f.name === 'department')?.options, [
      'IT',
      'Finance',
      'Sales',
      'Engineering',
      'Operations',
    ]);
    const again = await viewer.get<Model>(`/api/oomnitza-connections/${id}/fields`);
    assert.deepEqual(again.body, first.body);
    assert.equal(oomnitza.knobs.log.filter((e) => e.path === '/api/v3/users/meta').length, 1, 'the second answer comes from the store');

    // A custom field made in Oomnitza shows after a refresh, not before.
    const added = await fetch(`${oomnitza.url}/__admin/fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'badge_number', label: 'Badge number', dataType: 'integer' }),
    });
    assert.equal(added.status, 201);
    assert.ok(!(await viewer.get<Model>(`/api/oomnitza-connections/${id}/fields`)).body.fields.some((f) => f.name === 'badge_number'));
    const refreshed = await viewer.post<Model>(`/api/oomnitza-connections/${id}/fields/refresh`);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.deepEqual(
      refreshed.body.fields.find((f) => f.name === 'badge_number'),
      {
        name: 'badge_number',
        label: 'Badge number',
        dataType: 'integer',
        unique: false,
        editable: true,
        required: false,
        length: null,
        options: null,
      },
    );
    assert.ok((await viewer.get<Model>(`/api/oomnitza-connections/${id}/fields`)).body.fields.some((f) => f.name === 'badge_number'));

    // A save names the tenant's fields only: an unknown target is refused with the fix; a known custom one is taken.
    const document = (mapping: Record<string, unknown>) => ({
      name: 'Data model',
      source: { credential: 'none-yet' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: { email: 'email', ...mapping },
    });
    const refused = await admin.post('/api/integrations', document({ badge_numbr: 'id' }));
    assert.equal(refused.status, 400, refused.text);
    const problem = (refused.body.error.details.fields as { path: string; message: string }[]).find(
      (p) => p.path === 'mapping.badge_numbr',
    );
    assert.match(
      problem?.message ?? '',
      /Oomnitza has no user field 'badge_numbr'\. Did you mean 'badge_number'\?.*create the field in Oomnitza's data model, then refresh the fields/i,
    );
    const known = await admin.post('/api/integrations', document({ badge_number: 'id' }));
    assert.ok(!(known.body.error.details.fields as { path: string }[]).some((p) => p.path.startsWith('mapping.')), known.text);

    // Another URL: the old model is dropped and the new instance's answer is not believed.
    assert.equal((await admin.patch(`/api/oomnitza-connections/${id}`, { url: impostorUrl })).status, 200);
    // The token went with the old URL: no read until one is entered for the new URL.
    const tokenless = await viewer.get(`/api/oomnitza-connections/${id}/fields`);
    assert.equal(tokenless.status, 409, tokenless.text);
    assert.equal(tokenless.body.error.code, 'api_token_required');
    assert.match(tokenless.body.error.message, /enter the API token/);
    assert.equal((await admin.patch(`/api/oomnitza-connections/${id}`, { apiToken: oomnitza.apiToken })).status, 200);
    const impostorModel = await viewer.get<Model>(`/api/oomnitza-connections/${id}/fields`);
    assert.equal(impostorModel.status, 200, impostorModel.text);
    assert.equal(impostorModel.body.available, false);
    assert.deepEqual(impostorModel.body.fields, []);
    assert.match(impostorModel.body.reason ?? '', /not users field metadata \(uid is a number, not a field\)/);

    assert.equal((await viewer.get(`/api/oomnitza-connections/nope/fields`)).status, 404);
    // An instance that cannot be reached: 502 naming it, and the stored model stays.
    assert.equal(
      (await admin.patch(`/api/oomnitza-connections/${id}`, { url: 'http://127.0.0.1:9', apiToken: oomnitza.apiToken })).status,
      200,
    );
    const unreachable = await viewer.post(`/api/oomnitza-connections/${id}/fields/refresh`);
    assert.equal(unreachable.status, 502, unreachable.text);
    assert.equal(unreachable.body.error.code, 'oomnitza_unreachable');
    assert.ok(!unreachable.text.includes(oomnitza.apiToken));
  });
});
