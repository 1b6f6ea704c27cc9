/**
 * Prediction equals outcome, over HTTP against both emulators, through the server and the CLI:
 * one tenant, mappings with several bad targets, and every way of asking — `validate --online`,
 * the server's save, the live preview, the dry run and the real run — names the same problems
 * with their fields, and the records the preview and the dry run fail are exactly those the run
 * fails.
 *
 * Two kinds of problem, as the checks split them:
 * - sure to fail every record, so known from the document and the tenant's data model alone (a
 *   field the tenant lacks, a true/false field into a number, an enum with values outside a
 *   dropdown, a sync key that is not unique): refused by validate --online, the save, the preview,
 *   and by a run before it reads anything;
 * - failing some records only (an expression that gives true for some users into a number, a value
 *   outside the dropdown for some, a text longer than the field for some): per-record failures that
 *   the preview, the dry run and the run name alike, field, value and type.
 * A list into a text field is no problem: it is joined with ", ".
 *
 * Also: the save reads a data model it has not read before (no "Refresh fields" needed first), and
 * saves with a warning that says why when the instance cannot give one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { addCustomField } from '../../emulators/oomnitza/fields.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';
import { runCli, startWorld, writeIntegration } from './helpers.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

// SQLite only: what is compared here is the checks, which read and write no table PostgreSQL would
// treat differently (the runs store is tested on both engines elsewhere).
const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'prediction-')) }),
} as unknown as TestDatabaseTarget;

const terminal = new Set(['succeeded', 'completed_with_errors', 'failed', 'canceled']);

async function waitForRun(client: ApiClient, id: string): Promise<any> {
  for (let i = 0; i < 1200; i++) {
    const run = (await client.get(`/api/runs/${id}`)).body;
    if (terminal.has(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`run ${id} did not finish`);
}

type Field = { path: string; message: string };
const paths = (fields: readonly Field[]) => fields.map((f) => f.path).sort();

/** The same integration as a file for the CLI: the inline destination in place of the stored connection. */
function yamlOf(mapping: Record<string, string>, syncKeys: string): string {
  const lines = Object.entries(mapping).map(([target, source]) => `  ${target}: ${source}`);
  return `name: prediction
source:
  url: \${NINJAONE_URL}
  clientId: \${NINJAONE_CLIENT_ID}
  clientSecret: \${NINJAONE_CLIENT_SECRET}
destination:
  url: \${OOMNITZA_URL}
  apiToken: \${OOMNITZA_API_TOKEN}
allowInsecureHttp: true
syncKeys: [${syncKeys}]
mapping:
${lines.join('\n')}
`;
}

test('several bad mappings: validate --online, save, preview, dry run and run name the same problems; the failed sets are equal', async (t) => {
  const world = await startWorld(t, { users: 40, seed: 5, oomnitzaUsers: 0 });
  const { oomnitza, ninjaone } = world;
  addCustomField(oomnitza.store.fields, { externalId: 'ninja_short', label: 'Short text', dataType: 'string', length: 12 });
  const server = await startTestServer(sqlite, { workerPollMs: 50 });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  const ninjaCredential = {
    name: 'ninjaone',
    url: ninjaone.url,
    clientId: 'demo-m2m',
    clientSecret: 'demo-m2m-secret',
    grantType: 'client_credentials',
    allowInsecureHttp: true,
  };
  assert.equal((await admin.post('/api/credentials', ninjaCredential)).status, 201);
  const connection = { url: oomnitza.url, apiToken: oomnitza.apiToken, allowInsecureHttp: true };
  assert.equal((await admin.post('/api/oomnitza-connections', { name: 'oomnitza', ...connection })).status, 201);
  oomnitza.knobs.clearLog();

  const document = (mapping: Record<string, unknown>, syncKeys = ['ninja_uid']) => ({
    name: 'Prediction',
    source: { credential: 'ninjaone' },
    destination: { connection: 'oomnitza' },
    syncKeys,
    mapping: { username: { expr: "'ninja-' & uid" }, ninja_uid: 'uid', ...mapping },
  });

  // 1. Sure to fail every record: known from the document and the data model.
  const wholeMapping = { ninja_roles: 'roles', ninja_id: 'administrator', department: 'userType', ninja_nope: 'firstName' };
  const expected = ['mapping.department', 'mapping.ninja_id', 'mapping.ninja_nope'];
  const messages = {
    'mapping.ninja_id': /administrator is true\/false and Oomnitza field ninja_id \(integer\) takes a number/,
    'mapping.department': /userType takes "TECHNICIAN", "END_USER", which Oomnitza field department \(dropdown\) does not list/,
    'mapping.ninja_nope': /Oomnitza has no user field 'ninja_nope'\..*Create the field in Oomnitza's data model, then refresh the fields/,
  } as const;

  const saved = await admin.post('/api/integrations', document(wholeMapping));
  assert.equal(saved.status, 400, saved.text);
  const savedFields = saved.body.error.details.fields as Field[];
  assert.deepEqual(paths(savedFields), expected, 'a list into text (ninja_roles: roles) is no problem');
  for (const field of savedFields) assert.match(field.message, messages[field.path as keyof typeof messages]);
  assert.equal(
    oomnitza.knobs.log.filter((e) => e.path === '/api/v3/users/meta').length,
    1,
    'the save read the data model itself: nobody had opened the mapping page or refreshed the fields',
  );

  const previewed = await admin.post('/api/integrations/preview', { document: document(wholeMapping) });
  assert.equal(previewed.status, 400, previewed.text);
  assert.deepEqual(paths(previewed.body.error.details.fields), expected);

  const wholeFile = await writeIntegration(
    world,
    yamlOf({ username: `{ expr: "'ninja-' & uid" }`, ninja_uid: 'uid', ...wholeMapping }, 'ninja_uid'),
    'whole.yaml',
  );
  const offline = await runCli(['validate', wholeFile], { env: world.env });
  assert.equal(offline.code, 0, 'offline, the tenant cannot be known');
  const online = await runCli(['validate', '--online', wholeFile], { env: world.env });
  assert.equal(online.code, 1, online.stdout + online.stderr);
  for (const path of expected) assert.match(online.stdout, new RegExp(`whole\\.yaml:\\d+:\\d+  ${path.replace('.', '\\.')}  `));
  assert.equal(online.stdout.trim().split('\n').length, expected.length, online.stdout);
  for (const dryRun of [true, false]) {
    const ran = await runCli(['run', '--config', wholeFile, ...(dryRun ? ['--dry-run'] : []), '--data-dir', world.dataDir], {
      env: world.env,
    });
    assert.equal(ran.code, 1, ran.stdout + ran.stderr);
    for (const path of expected) assert.match(ran.stderr, new RegExp(`${path.replace('.', '\\.')}  `));
  }

  // A sync key the data model does not mark unique: refused at validate and at save, not only at run time.
  const notUnique = await admin.post('/api/integrations', document({ first_name: 'firstName' }, ['first_name']));
  assert.equal(notUnique.status, 400, notUnique.text);
  assert.deepEqual(paths(notUnique.body.error.details.fields), ['syncKeys[0]']);
  assert.match(notUnique.body.error.details.fields[0].message, /first_name is not marked Unique/);
  const keyFile = await writeIntegration(world, yamlOf({ first_name: 'firstName' }, 'first_name'), 'key.yaml');
  const keyOnline = await runCli(['validate', '--online', keyFile], { env: world.env });
  assert.equal(keyOnline.code, 1);
  assert.match(keyOnline.stdout, /key\.yaml:\d+:\d+ {2}syncKeys\[0\] {2}Oomnitza field first_name is not marked Unique/);
  assert.deepEqual(
    oomnitza.knobs.log.filter((e) => e.method !== 'GET'),
    [],
    'nothing was written by any of it',
  );

  // 2. Failing some records only: the preview, the dry run and the run fail the same records.
  const perRecord = {
    ninja_roles: 'roles',
    ninja_id: { expr: 'administrator = true ? true : id' },
    department: { expr: "userType = 'TECHNICIAN' ? 'IT' : 'Helpdesk'" },
    ninja_short: { expr: "firstName & ' ' & lastName" },
  };
  const created = await admin.post('/api/integrations', document(perRecord));
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.body.warnings, []);
  const id = created.body.id as string;

  const preview = await admin.post('/api/integrations/preview', { document: document(perRecord), limit: 50 });
  assert.equal(preview.status, 200, preview.text);
  assert.deepEqual(preview.body.warnings, []);
  const previewFailed = new Map<string, string>(
    preview.body.failed.map((r: { sourceId: string; reason: string }) => [r.sourceId, r.reason]),
  );
  assert.equal(previewFailed.size, preview.body.failedTotal);
  const users = ninjaone.world.users;
  assert.ok(previewFailed.size > 0 && previewFailed.size < users.length, `${previewFailed.size} of ${users.length} fail`);

  const failedOf = async (dryRun: boolean) => {
    const started = await admin.post(`/api/integrations/${id}/runs`, { dryRun });
    assert.equal(started.status, 202, started.text);
    const run = await waitForRun(admin, started.body.id);
    assert.equal(run.state, 'completed_with_errors', JSON.stringify(run));
    const records = (await admin.get(`/api/runs/${run.id}/records?outcome=failed&kind=user&limit=1000`)).body.records as {
      sourceId: string;
      reason: string;
    }[];
    assert.equal(records.length, run.counts.failed);
    return new Map(records.map((r) => [r.sourceId, r.reason]));
  };
  oomnitza.knobs.clearLog();
  const dryFailed = await failedOf(true);
  assert.deepEqual(
    oomnitza.knobs.log.filter((e) => e.method !== 'GET'),
    [],
    'the dry run wrote nothing',
  );
  const realFailed = await failedOf(false);
  assert.deepEqual([...dryFailed.keys()].sort(), [...previewFailed.keys()].sort(), 'the preview fails what the dry run fails');
  assert.deepEqual([...realFailed.keys()].sort(), [...dryFailed.keys()].sort(), 'the dry run fails what the run fails');
  for (const [sourceId, reason] of realFailed) assert.equal(dryFailed.get(sourceId), reason, 'for the same reason');
  for (const [sourceId, reason] of previewFailed) assert.equal(dryFailed.get(sourceId), reason);

  const reasons = [...realFailed.values()].join('\n');
  assert.match(reasons, /ninja_id \(integer\) cannot take true: it is not a number/);
  assert.match(reasons, /department \(dropdown\) cannot take "Helpdesk": it is not one of the dropdown's values \(IT, Finance/);
  assert.match(reasons, /ninja_short \(string\) cannot take ".*": the field takes at most 12 characters/);
  // What was written has the list joined into the text field.
  const written = [...oomnitza.store.users.values()];
  assert.equal(written.length, users.length - realFailed.size);
  const several = users.find((u) => u.roleIds.length > 1 && written.some((w) => w['ninja_uid'] === u.uid));
  assert.ok(several, 'a written user with several roles');
  const names = several.roleIds.map((roleId) => ninjaone.world.roles.find((r) => r.id === roleId)?.name);
  assert.equal(written.find((w) => w['ninja_uid'] === several.uid)?.['ninja_roles'], names.join(', '));
  const onlineOk = await runCli(
    [
      'validate',
      '--online',
      await writeIntegration(
        world,
        yamlOf(
          {
            username: `{ expr: "'ninja-' & uid" }`,
            ninja_uid: 'uid',
            ninja_roles: 'roles',
            ninja_id: '{ expr: "administrator = true ? true : id" }',
          },
          'ninja_uid',
        ),
        'per-record.yaml',
      ),
    ],
    { env: world.env },
  );
  assert.equal(onlineOk.code, 0, 'what fails only some records cannot be known from the document');
});

test('a save whose data model cannot be read is saved with a warning that says so, never refused for it', async (t) => {
  const world = await startWorld(t, { users: 3, oomnitzaUsers: 0 });
  const { oomnitza, ninjaone } = world;
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  const connection = { url: oomnitza.url, apiToken: oomnitza.apiToken, allowInsecureHttp: true };
  for (const name of ['unreachable', 'no-metadata'])
    assert.equal((await admin.post('/api/oomnitza-connections', { name, ...connection })).status, 201);
  assert.equal(
    (
      await admin.post('/api/credentials', {
        name: 'ninjaone',
        url: ninjaone.url,
        clientId: 'demo-m2m',
        clientSecret: 'demo-m2m-secret',
        grantType: 'client_credentials',
        allowInsecureHttp: true,
      })
    ).status,
    201,
  );
  const document = (name: string, connectionName: string) => ({
    name,
    source: { credential: 'ninjaone' },
    destination: { connection: connectionName },
    syncKeys: ['email'],
    mapping: { email: 'email', ninja_nope: 'firstName' },
  });

  // The instance does not answer: saved, with the reason, and no token in it.
  oomnitza.knobs.settings.faults.push({ kind: 'reset', path: '/api/v3/users/meta' });
  const unreachable = await admin.post('/api/integrations', document('A', 'unreachable'));
  assert.equal(unreachable.status, 201, unreachable.text);
  assert.equal(unreachable.body.warnings.length, 1, unreachable.text);
  assert.equal(unreachable.body.warnings[0].path, 'destination.connection');
  assert.match(
    unreachable.body.warnings[0].message,
    /the mapping was not checked against Oomnitza's data model: could not read the users data model .*Each run checks it again/,
  );
  assert.ok(!unreachable.text.includes(oomnitza.apiToken));

  // The instance answers the route with something that is not field metadata: saved, and said so.
  oomnitza.knobs.settings.faults.length = 0;
  oomnitza.knobs.settings.faults.push({ kind: 'html', path: '/api/v3/users/meta' });
  const plain = await admin.post('/api/integrations', document('B', 'no-metadata'));
  assert.equal(plain.status, 201, plain.text);
  assert.match(
    plain.body.warnings[0]?.message ?? '',
    /the mapping is not checked against Oomnitza's data model: .*does not serve the users data model/,
  );
  oomnitza.knobs.settings.faults.length = 0;

  // Once the instance answers, the next save checks and refuses the unknown field.
  const again = await admin.put(`/api/integrations/${unreachable.body.id}`, document('A', 'unreachable'));
  assert.equal(again.status, 400, again.text);
  assert.deepEqual(paths(again.body.error.details.fields), ['mapping.ninja_nope']);
});
