/**
 * The integration preview against a real server on SQLite and the NinjaOne emulator: kept records
 * as they would be written, dropped ones with the rule's reason, failing expressions, samples per
 * field, the 400 and 409 answers — and of Oomnitza only the users data model read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../../emulators/oomnitza/index.ts';
import { apiClient } from '../../../test/support/api-client.ts';
import { startTestServer } from '../../../test/support/server.ts';
import { addClientCredential, addOomnitzaConnection } from '../../../test/support/vendor-setup.ts';

import type { TestDatabaseTarget } from '../../../test/support/databases.ts';

// SQLite in a fresh folder: the route reads no table PostgreSQL would treat differently.
const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'preview-')) }),
} as unknown as TestDatabaseTarget;

test('preview: kept, dropped and failed records with samples, read with the stored credential; Oomnitza untouched', async (t) => {
  const ninja = await startNinjaOneEmulator({ seed: 7, users: 12 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed: 7, users: 0 });
  t.after(() => oomnitza.close());
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  await addClientCredential(admin, ninja);
  await addOomnitzaConnection(admin, oomnitza);
  const viewer = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'viewer', role: 'viewer' })).body.token });
  oomnitza.knobs.clearLog();

  const users = ninja.world.users;
  const technicians = users.filter((u) => u.userType === 'TECHNICIAN');
  const endUsers = users.filter((u) => u.userType !== 'TECHNICIAN');
  assert.ok(technicians.length > 0 && endUsers.length > 0, 'the seeded tenant has both kinds of user');
  const document = {
    name: 'Preview me',
    source: { credential: 'ninjaone' },
    destination: { connection: 'oomnitza' },
    syncKeys: ['username'],
    filters: [{ field: 'userType', op: 'eq', value: 'TECHNICIAN' }],
    mapping: { username: { expr: "'ninja-' & $string(id)" }, first_name: 'firstName', position: { value: 'tech' } },
  };

  const answer = await viewer.post('/api/integrations/preview', { document, limit: 2 });
  assert.equal(answer.status, 200, answer.text);
  const preview = answer.body;
  assert.equal(preview.total, users.length);
  assert.equal(preview.keptTotal, technicians.length);
  assert.equal(preview.droppedTotal, endUsers.length);
  assert.equal(preview.failedTotal, 0);
  assert.equal(preview.kept.length, Math.min(2, technicians.length));
  const first = technicians[0]!;
  assert.deepEqual(preview.kept[0], {
    sourceId: String(first.id),
    label: preview.kept[0].label,
    fields: { username: `ninja-${String(first.id)}`, first_name: first.firstName ?? null, position: 'tech' },
  });
  assert.equal(preview.dropped.length, Math.min(2, endUsers.length));
  assert.equal(preview.dropped[0].sourceId, String(endUsers[0]!.id));
  assert.match(preview.dropped[0].reason, /^filtered out by rule 1: /);
  assert.deepEqual(preview.samples.userType.slice().sort(), ['END_USER', 'TECHNICIAN']);
  for (const [key, values] of Object.entries(preview.samples as Record<string, string[]>)) {
    assert.ok(
      values.length <= 3 && new Set(values).size === values.length && !values.includes(''),
      `samples of ${key}: ${JSON.stringify(values)}`,
    );
  }
  const firstNames = [...new Set(users.map((u) => u.firstName).filter((n): n is string => typeof n === 'string' && n !== ''))].slice(0, 3);
  assert.deepEqual(preview.samples.firstName, firstNames);
  assert.equal(preview.samples.id[0], String(users[0]!.id));

  // An expression that fails for records: they are listed as failed, with the step in the reason.
  const failing = await admin.post('/api/integrations/preview', {
    document: { ...document, filters: [], mapping: { username: { expr: '$number(email)' } } },
  });
  assert.equal(failing.status, 200, failing.text);
  assert.ok(failing.body.failedTotal > 0, failing.text);
  assert.match(failing.body.failed[0].reason, /^mapping username: /);
  assert.equal(failing.body.failedTotal + failing.body.keptTotal, users.length);

  // A mapping problem: 400 with the field's path.
  const bad = await admin.post('/api/integrations/preview', { document: { ...document, mapping: { username: { expr: "'ninja-' & " } } } });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, 'validation_failed');
  assert.ok(
    bad.body.error.details.fields.some((f: { path: string }) => f.path.startsWith('mapping.username')),
    bad.text,
  );
  const unknown = await admin.post('/api/integrations/preview', { document: { ...document, source: { credential: 'nope' } } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.details.fields[0].path, 'source.credential');
  assert.equal((await admin.post('/api/integrations/preview', { document, limit: 51 })).status, 400);

  // A credential NinjaOne refuses: 409 with its message, and no secret in it.
  assert.equal(
    (
      await admin.post('/api/credentials', {
        name: 'wrong',
        url: ninja.url,
        clientId: 'demo-m2m',
        clientSecret: 'not-the-secret',
        grantType: 'client_credentials',
        allowInsecureHttp: true,
      })
    ).status,
    201,
  );
  const refused = await admin.post('/api/integrations/preview', { document: { ...document, source: { credential: 'wrong' } } });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.error.code, 'credential_unusable');
  assert.match(refused.body.error.message, /wrong/);
  assert.ok(!refused.text.includes('not-the-secret'));

  assert.equal((await apiClient(server.url).post('/api/integrations/preview', { document })).status, 401);
  // Of Oomnitza, only the users data model was read, once (then it is stored with the connection).
  assert.deepEqual(
    oomnitza.knobs.log.map((e) => `${e.method} ${e.path}`),
    ['GET /api/v3/users/meta'],
    'a preview reads no user and writes nothing',
  );
});
