/**
 * One run engine: `ninja-sync run` (the CLI, as a child process) and the server's worker run the
 * same integration — the CLI from a file, the server from its stored credential and connection —
 * against the same NinjaOne tenant and two Oomnitza emulators that start out identical. Both go
 * through `src/runs/run-executor.ts`, so they must store the same records and leave Oomnitza the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { listRunRecords } from '../../src/runs/run-records.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import { addAuthorizedCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';
import { runJson, startWorld, writeIntegration } from './helpers.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

const seed = 21;
const oomnitzaUsers = 6;

/** Everything but where the integration reads and writes: the same in the file and in the store. */
const shared = {
  name: 'one engine',
  recordType: 'user_and_saas_user',
  syncKeys: ['email'],
  customFields: { fullName: "$trim(firstName & ' ' & lastName)" },
  filters: [{ field: 'userType', op: 'eq', value: 'END_USER' }],
  mapping: {
    email: { field: 'email', transform: ['trim', 'lower'] },
    username: { field: 'email', transform: ['trim', 'lower'] },
    first_name: { field: 'firstName', transform: ['trim'] },
    last_name: { field: 'lastName', transform: ['trim'] },
    full_name: 'fullName',
    phone_number: 'phone',
  },
};

interface Comparable {
  readonly kind: string;
  readonly sourceId: string | null;
  readonly label: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly changes: unknown;
}

/** Records as both runs must agree on them. Oomnitza numbers new users in the order writes land, so the uid is left out. */
function comparable(records: readonly Comparable[]): Comparable[] {
  return records
    .map(({ kind, sourceId, label, outcome, reason, changes }) => ({ kind, sourceId, label, outcome, reason, changes }))
    .sort((a, b) => `${a.kind}:${a.sourceId ?? ''}:${a.label}`.localeCompare(`${b.kind}:${b.sourceId ?? ''}:${b.label}`));
}

function oomnitzaPeople(oomnitza: OomnitzaEmulator): unknown[] {
  return [...oomnitza.store.users.values()]
    .map((user) => ({ email: user['email'], first_name: user['first_name'], last_name: user['last_name'], full_name: user['full_name'] }))
    .sort((a, b) => String(a.email).localeCompare(String(b.email)));
}

forEachDialect('one run executor for the CLI and the server', (target) => {
  test('a CLI run and a server run of the same integration store the same records', async (t) => {
    const world = await startWorld(t, { seed, users: 40, oomnitzaUsers, autoApprove: true });

    // The CLI: the integration as a file, client credentials from the environment.
    const file = await writeIntegration(
      world,
      JSON.stringify({
        ...shared,
        source: { url: '${NINJAONE_URL}', clientId: '${NINJAONE_CLIENT_ID}', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
        destination: { url: '${OOMNITZA_URL}', apiToken: '${OOMNITZA_API_TOKEN}' },
        allowInsecureHttp: true,
      }),
      'integration.json.yaml',
    );
    const cli = await runJson(world, file);
    assert.ok(cli.json.state === 'succeeded' || cli.json.state === 'completed_with_errors', JSON.stringify(cli.json));
    assert.ok(cli.json.counts.created > 0, 'the CLI run created users');
    const cliStore = await openDatabase({ dataDir: world.dataDir });
    t.after(() => cliStore.close());
    const cliRecords = await listRunRecords(cliStore.db, cli.json.runId, { limit: 1000, offset: 0 });

    // The server: a stored credential (OAuth through the emulator's consent) and connection, run by its worker.
    const oomnitza = await startOomnitzaEmulator({ host: '127.0.0.1', port: 0, seed, users: oomnitzaUsers });
    t.after(() => oomnitza.close());
    assert.deepEqual(oomnitzaPeople(oomnitza).length, oomnitzaUsers, 'the second Oomnitza starts as the first did');
    const server = await startTestServer(target, { workerPollMs: 50 });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
    world.ninjaone.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
    await addAuthorizedCredential(admin, world.ninjaone);
    await addOomnitzaConnection(admin, oomnitza);
    const created = await admin.post('/api/integrations', {
      ...shared,
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
    });
    assert.equal(created.status, 201, created.text);
    const queued = await admin.post(`/api/integrations/${created.body.id}/runs`, {});
    assert.equal(queued.status, 202, queued.text);
    let run = queued.body;
    for (let i = 0; i < 600 && (run.state === 'queued' || run.state === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = (await admin.get(`/api/runs/${queued.body.id}`)).body;
    }
    assert.equal(run.state, cli.json.state, JSON.stringify(run));
    assert.deepEqual(run.counts, cli.json.counts);
    assert.ok(run.counts.filtered > 0, 'the technicians the filter drops are counted as filtered, apart from skipped');
    const filteredRecords = (await admin.get(`/api/runs/${run.id}/records?outcome=filtered`)).body;
    assert.equal(filteredRecords.total, run.counts.filtered);
    const csv = await admin.get(`/api/runs/${run.id}/records.csv?outcome=filtered`);
    assert.match(csv.text, /,filtered,/);
    const serverRecords = (await admin.get(`/api/runs/${run.id}/records?limit=1000`)).body;

    assert.equal(serverRecords.total, cliRecords.total);
    assert.ok(
      serverRecords.records.some((r: Comparable) => r.kind === 'saas'),
      'the SaaS phase ran, with roles from the mapped records',
    );
    assert.deepEqual(comparable(serverRecords.records), comparable(cliRecords.records));
    assert.deepEqual(oomnitzaPeople(oomnitza), oomnitzaPeople(world.oomnitza));
  });
});
