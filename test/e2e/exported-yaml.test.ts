/**
 * An integration exported from the server runs from the CLI: `validate` names the lines that point
 * at the server's stored credential and connection, with what to write instead, and `run` refuses
 * the file with exactly those problems (never an OK from `validate` followed by a refusal from
 * `run`); once changed as said, both pass, and the run syncs. Every problem comes in one pass,
 * variables that are not set included.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';
import { oomnitzaWrites, runCli, startWorld } from './helpers.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

// SQLite only: the export reads one row; the store is tested on both engines elsewhere.
const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'exported-')) }),
} as unknown as TestDatabaseTarget;

/** `file:LINE:COL  path  message` lines of validate (stdout) or run (stderr). */
function problemLines(text: string, file: string): { line: number; path: string; message: string }[] {
  const name = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`^${name}:(\\d+):\\d+ {2}(\\S+) {2}(.*)$`, 'gm'))].map((m) => ({
    line: Number(m[1]),
    path: m[2] ?? '',
    message: m[3] ?? '',
  }));
}

test('a YAML exported from the server: validate names the lines to change, run refuses the same, and after the change both pass', async (t) => {
  const world = await startWorld(t, { users: 8, oomnitzaUsers: 0 });
  const server = await startTestServer(sqlite, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  const ninja = {
    name: 'ninjaone',
    url: world.ninjaone.url,
    clientId: 'demo-m2m',
    clientSecret: 'demo-m2m-secret',
    grantType: 'client_credentials',
    allowInsecureHttp: true,
  };
  assert.equal((await admin.post('/api/credentials', ninja)).status, 201);
  const connection = { name: 'oomnitza', url: world.oomnitza.url, apiToken: world.oomnitza.apiToken, allowInsecureHttp: true };
  assert.equal((await admin.post('/api/oomnitza-connections', connection)).status, 201);
  const created = await admin.post('/api/integrations', {
    name: 'Exported',
    source: { credential: 'ninjaone' },
    destination: { connection: 'oomnitza' },
    allowInsecureHttp: true,
    syncKeys: ['email'],
    filters: [{ field: 'email', op: 'exists' }],
    mapping: { email: { field: 'email', transform: ['trim', 'lower'] }, username: { field: 'email', transform: ['trim', 'lower'] } },
  });
  assert.equal(created.status, 201, created.text);
  const exported = await admin.get(`/api/integrations/${created.body.id}/export`);
  assert.equal(exported.status, 200);
  const text = exported.text;
  const lines = text.split('\n');
  const credentialLine = lines.findIndex((l) => /^\s+credential: ninjaone$/.test(l)) + 1;
  const connectionLine = lines.findIndex((l) => /^\s+connection: oomnitza$/.test(l)) + 1;
  assert.ok(credentialLine > 0 && connectionLine > 0, text);
  const file = join(world.dir, 'exported.yaml');
  await writeFile(file, text);

  const validate = await runCli(['validate', file], { env: world.env });
  assert.equal(validate.code, 1, validate.stdout + validate.stderr);
  const problems = problemLines(validate.stdout, file);
  assert.deepEqual(
    problems.map((p) => [p.line, p.path]),
    [
      [credentialLine, 'source.credential'],
      [connectionLine, 'destination.connection'],
    ],
  );
  assert.match(problems[0]?.message ?? '', new RegExp(`replace line ${credentialLine} with url: .*clientId: \\$\\{NINJAONE_CLIENT_ID\\}`));
  assert.match(problems[1]?.message ?? '', new RegExp(`replace line ${connectionLine} with url: .*apiToken: \\$\\{OOMNITZA_API_TOKEN\\}`));
  assert.equal((await runCli(['validate', '--server', file], { env: world.env })).code, 0, 'as a server import, the names are right');

  // run refuses with the very same problems, before it reads or writes anything.
  const refused = await runCli(['run', '--config', file, '--dry-run', '--data-dir', world.dataDir], { env: world.env });
  assert.equal(refused.code, 1);
  assert.deepEqual(
    problemLines(refused.stderr, file).map((p) => [p.line, p.path, p.message]),
    problems.map((p) => [p.line, p.path, p.message]),
  );

  // Changed as the messages say: both lines replaced by the settings, from variables.
  const indent = (line: number) => /^\s*/.exec(lines[line - 1] ?? '')?.[0] ?? '';
  const changed = lines.flatMap((line, i) => {
    if (i + 1 === credentialLine)
      return [
        `${indent(credentialLine)}url: \${NINJAONE_URL}`,
        `${indent(credentialLine)}clientId: \${NINJAONE_CLIENT_ID}`,
        `${indent(credentialLine)}clientSecret: \${NINJAONE_CLIENT_SECRET}`,
      ];
    if (i + 1 === connectionLine)
      return [`${indent(connectionLine)}url: \${OOMNITZA_URL}`, `${indent(connectionLine)}apiToken: \${OOMNITZA_API_TOKEN}`];
    return [line];
  });
  await writeFile(file, changed.join('\n'));
  const ok = await runCli(['validate', file], { env: world.env });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const ran = await runCli(['run', '--config', file, '--data-dir', world.dataDir], { env: world.env });
  // 2: ran, some records failed (the seeded tenant has users sharing an email); never 1, refused.
  assert.ok(ran.code === 0 || ran.code === 2, ran.stdout + ran.stderr);
  assert.ok(oomnitzaWrites(world) > 0, 'the run synced');

  // Every problem in one pass: a variable that is not set does not hide a mapping problem.
  const mappingAt = changed.indexOf('mapping:');
  const broken = changed.map((line, i) => (i > mappingAt ? line.replace(/^(\s+)field: email$/, '$1field: emial') : line));
  assert.notDeepEqual(broken, changed);
  await writeFile(file, broken.join('\n'));
  const { OOMNITZA_API_TOKEN: _unset, ...env } = world.env;
  const both = await runCli(['validate', file], { env });
  assert.equal(both.code, 1);
  const paths = problemLines(both.stdout, file).map((p) => p.path);
  assert.ok(paths.includes('destination.apiToken'), both.stdout);
  assert.ok(paths.includes('mapping.email.field') && paths.includes('mapping.username.field'), both.stdout);
  assert.match(both.stdout, /environment variable OOMNITZA_API_TOKEN is not set/);
  const runBoth = await runCli(['run', '--config', file, '--dry-run', '--data-dir', world.dataDir], { env });
  assert.equal(runBoth.code, 1);
  assert.deepEqual(
    problemLines(runBoth.stderr, file).map((p) => p.path),
    paths,
  );
});
