/**
 * Issue 11's attacks by expression, end to end: a viewer's preview with a huge sum, endless
 * recursion, a backtracking regex in a filter or a memory bomb answers 422 naming the field while
 * `/healthz` keeps answering during the attack; the same field stored in an integration fails a
 * `ninja-sync run` with the field named, and the process ends. Budgets are small here (the
 * variables of the server's configuration); no assertion is about speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';
import { addClientCredential } from '../support/vendor-setup.ts';
import { integrationYaml, oomnitzaWrites, runJson, startWorld, writeIntegration } from './helpers.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'hostile-expressions-')) }),
} as unknown as TestDatabaseTarget;

/** Polls `/healthz` until `attack` settles; returns the attack's answer and how many polls were answered 200 meanwhile. */
async function whileHealthy<T>(url: string, attack: Promise<T>): Promise<{ answer: T; healthy: number }> {
  let settled = false;
  const done = attack.finally(() => (settled = true));
  let healthy = 0;
  while (!settled) {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    healthy += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { answer: await done, healthy };
}

/** A server on SQLite with a NinjaOne credential, and a viewer's client. */
async function previewServer(t: TestContext, env: Record<string, string>) {
  const ninja = await startNinjaOneEmulator({ seed: 11, users: 6 });
  t.after(() => ninja.close());
  const server = await startTestServer(sqlite, { worker: false, maintenance: false, env });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  await addClientCredential(admin, ninja);
  const viewer = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'viewer', role: 'viewer' })).body.token });
  return { url: server.url, viewer };
}

const base = {
  name: 'Hostile',
  source: { credential: 'ninjaone' },
  destination: { url: 'https://acme.oomnitza.com' },
  syncKeys: ['email'],
};

interface Attack {
  readonly what: string;
  readonly document: Record<string, unknown>;
  readonly field: string;
  readonly message: RegExp;
}

async function assertStopped(url: string, viewer: ReturnType<typeof apiClient>, attack: Attack): Promise<void> {
  const { answer, healthy } = await whileHealthy(url, viewer.post('/api/integrations/preview', { document: attack.document }));
  assert.equal(answer.status, 422, `${attack.what}: ${answer.text}`);
  assert.equal(answer.body.error.code, 'expression_limit', attack.what);
  assert.equal(answer.body.error.details.field, attack.field, attack.what);
  assert.match(answer.body.error.message, attack.message, attack.what);
  assert.ok(healthy > 0, `${attack.what}: /healthz answered during the attack`);
}

describe('hostile expressions', () => {
  test('previews stopped at their time budget answer 422 naming the field, /healthz answering throughout', async (t) => {
    const { url, viewer } = await previewServer(t, { NINJA_SYNC_PREVIEW_EXPRESSION_MS: '1000' });
    const attacks: Attack[] = [
      {
        what: 'a huge sum',
        document: {
          ...base,
          customFields: { fullName: '$string($sum([1..10000000]))' },
          mapping: { email: 'email', full_name: 'fullName' },
        },
        field: 'customFields.fullName',
        message: /^custom field fullName took longer than 1 s \(at record [^)]+\), the time a preview gives its expressions in all/,
      },
      {
        what: 'endless recursion',
        document: { ...base, mapping: { email: 'email', position: { expr: '($f := function($x){$f($x)}; $f(1))' } } },
        field: 'mapping.position',
        message: /^mapping position took longer than 1 s/,
      },
      {
        what: 'a backtracking regex in a filter',
        document: {
          ...base,
          customFields: { long: "$pad('', 40, 'a') & '!'" },
          filters: [{ field: 'long', op: 'matches', value: '^(a+)+$' }],
          mapping: { email: 'email' },
        },
        field: 'filters[0]',
        message: /^filter rule 1 took longer than 1 s/,
      },
    ];
    for (const attack of attacks) await assertStopped(url, viewer, attack);

    // The server is unharmed: a preview that needs JSONata works.
    const fine = await viewer.post('/api/integrations/preview', {
      document: { ...base, customFields: { roleList: "$join(roles, ', ')" }, mapping: { email: 'email', notes: 'roleList' } },
    });
    assert.equal(fine.status, 200, fine.text);
    assert.equal(fine.body.total, 6);
  });

  test('a memory bomb in a preview answers 422 naming the field, /healthz answering throughout', async (t) => {
    // Time enough that only the heap can stop it: the range is one step of 80 MB.
    const { url, viewer } = await previewServer(t, { NINJA_SYNC_PREVIEW_EXPRESSION_MS: '120000', NINJA_SYNC_EXPRESSION_MEMORY_MB: '48' });
    await assertStopped(url, viewer, {
      what: 'a memory bomb',
      document: { ...base, customFields: { bomb: '$count([1..10000000])' }, mapping: { email: 'email', notes: 'bomb' } },
      field: 'customFields.bomb',
      message: /^custom field bomb needed more than 48 MB of memory \(at record [^)]+\)/,
    });
  });

  test('a stored expression over its budget fails `ninja-sync run` with the field named; the run ends, nothing is written', async (t) => {
    const world = await startWorld(t, { users: 5 });
    const yaml = integrationYaml().replace(`fullName: "$trim(firstName & ' ' & lastName)"`, 'fullName: "$string($sum([1..10000000]))"');
    assert.ok(yaml.includes('$sum'), 'the attack is in the file');
    const file = await writeIntegration(world, yaml);
    const result = await runJson(world, file, [], { NINJA_SYNC_RUN_EXPRESSION_MS: '1000' });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.json.state, 'failed');
    assert.match(
      result.json.error ?? '',
      /^The mapping was stopped: custom field fullName took longer than 1 s \(at record [^)]+\), the time a run gives/,
    );
    assert.match(result.json.error ?? '', /NINJA_SYNC_RUN_EXPRESSION_MS/);
    assert.equal(oomnitzaWrites(world), 0);
  });
});
