/**
 * The whole admin journey of the server issue, as curl would do it against a running server: set
 * up, connect NinjaOne with OAuth (through the emulator's consent screen), connect Oomnitza, create
 * an integration, export and import it as YAML, dry run, run, rerun with zero writes, read the
 * per-record outcomes, cancel, and automate with an API token. On SQLite and PostgreSQL; and no
 * secret in any log line the server wrote.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import { addAuthorizedCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';

const password = 'correct horse battery staple';
const terminal = new Set(['succeeded', 'completed_with_errors', 'failed', 'canceled']);

async function waitForRun(client: ApiClient, id: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const run = (await client.get(`/api/runs/${id}`)).body;
    if (terminal.has(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`run ${id} did not finish`);
}

const writes = (log: readonly { method: string; path: string }[]) =>
  log.filter((e) => e.method !== 'GET' && e.path.startsWith('/api/v3/users')).length;

forEachDialect('server: integrations and runs end to end', (target) => {
  test('an admin goes from nothing to synced users with curl-like calls', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 11, users: 30 });
    t.after(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator({ seed: 11, users: 3 });
    t.after(() => oomnitza.close());
    const server = await startTestServer(target, { workerPollMs: 100 });
    t.after(() => server.close());

    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);

    ninja.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
    const credential = await addAuthorizedCredential(admin, ninja);

    const connection = await addOomnitzaConnection(admin, oomnitza);
    assert.ok(!connection.text.includes(oomnitza.apiToken));
    const connTest = await admin.post(`/api/oomnitza-connections/${connection.body.id}/test`);
    assert.equal(connTest.body.ok, true, connTest.text);

    const document = {
      name: 'NinjaOne users',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      customFields: { fullName: "firstName & ' ' & lastName" },
      mapping: {
        email: { field: 'email', transform: ['trim', 'lower'] },
        username: { field: 'email', transform: ['trim', 'lower'] },
        first_name: 'firstName',
        last_name: 'lastName',
        full_name: 'fullName',
      },
      contacts: ['it-ops@acme.example'],
    };
    const invalid = await admin.post('/api/integrations', {
      ...document,
      source: { credential: 'nope' },
      mapping: { ...document.mapping, position: 'jobTitle' },
    });
    assert.equal(invalid.status, 400);
    const paths = invalid.body.error.details.fields.map((f: { path: string }) => f.path);
    assert.ok(paths.includes('source.credential'), JSON.stringify(paths));
    assert.ok(
      paths.some((p: string) => p.startsWith('mapping.position')),
      JSON.stringify(paths),
    );

    const created = await admin.post('/api/integrations', document);
    assert.equal(created.status, 201, created.text);
    const integrationId: string = created.body.id;

    const exported = await admin.get(`/api/integrations/${integrationId}/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.text, /credential: ninjaone/);
    const imported = await admin.fetchRaw(`${server.url}/api/integrations/import?replace=true`, {
      method: 'POST',
      body: exported.text,
      headers: { 'content-type': 'application/yaml', 'x-csrf-token': admin.csrfToken! },
    });
    assert.equal(imported.status, 200, await imported.clone().text());
    const broken = await admin.fetchRaw(`${server.url}/api/integrations/import`, {
      method: 'POST',
      body: 'name: x\nsyncKeys: [email]\nmapping: {email: emial}\nsource: {credential: ninjaone}\ndestination: {connection: oomnitza}\n',
      headers: { 'content-type': 'application/yaml', 'x-csrf-token': admin.csrfToken! },
    });
    assert.equal(broken.status, 400);
    const brokenBody = (await broken.json()) as any;
    assert.ok(
      brokenBody.error.details.fields.some((f: { line?: number; message: string }) => f.line === 3 && /email/.test(f.message)),
      JSON.stringify(brokenBody),
    );

    // Dry run: the whole plan with old and new values, zero writes.
    oomnitza.knobs.clearLog();
    const dry = await admin.post(`/api/integrations/${integrationId}/runs`, { dryRun: true });
    assert.equal(dry.status, 202, dry.text);
    const dryRun = await waitForRun(admin, dry.body.id);
    assert.equal(dryRun.dryRun, true);
    assert.ok(['succeeded', 'completed_with_errors'].includes(dryRun.state), JSON.stringify(dryRun));
    assert.ok(dryRun.counts.created > 0);
    assert.equal(writes(oomnitza.knobs.log), 0, 'a dry run writes nothing');
    const planned = await admin.get(`/api/runs/${dry.body.id}/records?outcome=created&limit=5`);
    assert.equal(planned.body.records.length, 5);
    assert.ok(
      planned.body.records[0].changes.some(
        (c: { field: string; old: unknown; new: unknown }) => c.field === 'email' && c.old === null && typeof c.new === 'string',
      ),
    );

    // The real run.
    const real = await admin.post(`/api/integrations/${integrationId}/runs`, {});
    const done = await waitForRun(admin, real.body.id);
    assert.ok(['succeeded', 'completed_with_errors'].includes(done.state), JSON.stringify(done));
    assert.equal(done.counts.created, dryRun.counts.created, 'the run did what the dry run planned');
    assert.equal(oomnitza.store.users.size, 3 + done.counts.created);
    const skipped = await admin.get(`/api/runs/${real.body.id}/records?outcome=skipped`);
    assert.equal(skipped.body.total, done.counts.skipped);
    for (const record of skipped.body.records) assert.ok(record.reason, 'every skipped record says why');
    const search = await admin.get(`/api/runs/${real.body.id}/records?search=${encodeURIComponent(planned.body.records[0].label)}`);
    assert.ok(search.body.total >= 1);
    const csv = await admin.get(`/api/runs/${real.body.id}/records.csv?outcome=created`);
    assert.equal(csv.text.trim().split('\r\n').length, done.counts.created + 1);

    // Nothing changed in NinjaOne: a rerun writes nothing.
    oomnitza.knobs.clearLog();
    const rerun = await waitForRun(admin, (await admin.post(`/api/integrations/${integrationId}/runs`, {})).body.id);
    assert.equal(rerun.counts.created, 0);
    assert.equal(rerun.counts.updated, 0);
    assert.equal(writes(oomnitza.knobs.log), 0, 'an unchanged record costs no write');

    // Automation: a token runs the integration and reads the result.
    const token = (await admin.post('/api/tokens', { name: 'ci', role: 'admin' })).body.token;
    const script = apiClient(server.url, { bearer: token });
    const byToken = await script.post(`/api/integrations/${integrationId}/runs`, { dryRun: true });
    assert.equal(byToken.status, 202);
    assert.equal(byToken.body.trigger, 'api');
    await waitForRun(script, byToken.body.id);
    const listed = await script.get(`/api/runs?integrationId=${integrationId}&limit=2`);
    assert.equal(listed.body.runs.length, 2);
    assert.ok(listed.body.next);

    // Cancel a slow run.
    oomnitza.knobs.settings.latencyMs = 300;
    for (let i = 0; i < 20; i++)
      ninja.world.users.push({
        ...ninja.world.users[0]!,
        id: 99_000 + i,
        uid: `0f3c9a52-0000-4000-8000-${String(i).padStart(12, '0')}`,
        email: `late.user.${i}@acme.example`,
      });
    const slow = await admin.post(`/api/integrations/${integrationId}/runs`, {});
    const canceled = await admin.post(`/api/runs/${slow.body.id}/cancel`);
    assert.equal(canceled.status, 200);
    const ended = await waitForRun(admin, slow.body.id);
    assert.equal(ended.state, 'canceled');
    oomnitza.knobs.settings.latencyMs = 0;
    assert.equal((await admin.post(`/api/runs/${slow.body.id}/cancel`)).status, 409);

    const metrics = await admin.get('/metrics');
    assert.match(metrics.text, /ninja_sync_runs\{state="succeeded"\} [1-9]|ninja_sync_runs\{state="completed_with_errors"\} [1-9]/);
    assert.match(metrics.text, /ninja_sync_vendor_calls_total\{vendor="Oomnitza",status="200"\} [1-9]/);
    assert.match(metrics.text, /ninja_sync_vendor_calls_total\{vendor="NinjaOne",status="200"\} [1-9]/);

    const secrets = ['demo-web-secret', oomnitza.apiToken, token, password];
    const tokens = await server.context.db
      .selectFrom('credentials')
      .select(['access_token_sealed', 'refresh_token_sealed'])
      .executeTakeFirstOrThrow();
    const access = server.context.vault.open(tokens.access_token_sealed!, `credential:${credential.body.id}:access_token`);
    const refresh = server.context.vault.open(tokens.refresh_token_sealed!, `credential:${credential.body.id}:refresh_token`);
    secrets.push(access, refresh);
    for (const line of server.logLines)
      for (const secret of secrets) assert.ok(!line.includes(secret), `a secret leaked into the log: ${line.slice(0, 120)}`);
  });
});
