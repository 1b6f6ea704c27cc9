/**
 * Requests that race each other, as a double click, two admins at once or a script in a loop send
 * them: whatever the interleaving, no answer is a 5xx, and the store ends in a state one of the
 * orders would have left. Over real HTTP, on SQLite and PostgreSQL (where requests really run side
 * by side on a pool of connections).
 *
 * @example TEST_CONCURRENCY=1 npm test -- api-races
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { createRun } from '../../src/runs/run-store.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect, type TestDatabaseTarget } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import { addClientCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';

import type { ApiAnswer } from '../support/api-client.ts';

function statusesOf(answers: readonly ApiAnswer[]): string {
  return answers.map((a) => `${a.status} ${a.status >= 500 ? a.text.slice(0, 200) : ''}`.trim()).join(' | ');
}

/**
 * Both emulators, a server with no worker and no scheduler (nothing moves between two requests but
 * the race), its first admin, and the credential "ninjaone" and connection "oomnitza".
 */
async function startRaceWorld(t: TestContext, target: TestDatabaseTarget, seed: number) {
  const ninja = await startNinjaOneEmulator({ seed, users: 2 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed, users: 0 });
  t.after(() => oomnitza.close());
  const server = await startTestServer(target, { worker: false, maintenance: false });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
  await addClientCredential(admin, ninja);
  const connection = await addOomnitzaConnection(admin, oomnitza);
  return { ninja, oomnitza, server, admin, connection };
}

forEachDialect('requests that race', (target) => {
  test('"Run now" racing the delete of its integration is refused (404 or 409), never a 500', async (t) => {
    // No worker: the queued runs stay as the race left them.
    const { server, admin } = await startRaceWorld(t, target, 3);

    // Found on PostgreSQL: the run was inserted after the integration it names was deleted (a foreign-key refusal, 500).
    for (let round = 0; round < 12; round++) {
      const integration = await admin.post('/api/integrations', {
        name: `Staff ${round}`,
        source: { credential: 'ninjaone' },
        destination: { connection: 'oomnitza' },
        syncKeys: ['email'],
        mapping: { email: 'email' },
      });
      assert.equal(integration.status, 201, integration.text);
      const id = integration.body.id as string;
      const starts = Array.from({ length: 4 }, () => admin.post(`/api/integrations/${id}/runs`, { dryRun: true }));
      const [deleted, ...answers] = await Promise.all([admin.delete(`/api/integrations/${id}`), ...starts]);
      assert.equal(deleted?.status, 204, deleted?.text);
      assert.ok(
        answers.every((a) => a.status === 202 || a.status === 404 || a.status === 409),
        `round ${round}: ${statusesOf(answers)}`,
      );
      for (const refused of answers.filter((a) => a.status === 409)) assert.match(refused.text, /deleted a record this one refers to/);
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.deepEqual(
      server.logLines.filter((line) => line.includes('unhandled error')),
      [],
    );
  });

  test('two admins disabling or demoting each other at once leave one enabled admin', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const db = server.context.db;
    const first = apiClient(server.url);
    assert.equal((await first.post('/api/setup', { email: 'ann@acme.example', password: 'correct horse battery staple' })).status, 201);
    const bob = await first.post('/api/users', {
      email: 'bob@acme.example',
      name: 'Bob',
      role: 'admin',
      password: 'another long passphrase 43',
    });
    assert.equal(bob.status, 201, bob.text);
    const bobSession = apiClient(server.url);
    assert.equal(
      (await bobSession.post('/api/session', { email: 'bob@acme.example', password: 'another long passphrase 43' })).status,
      200,
    );
    // Each acts through an API token of their own: it stops while its maker is disabled, and comes back with them.
    const ann = apiClient(server.url, { bearer: (await first.post('/api/tokens', { name: 'ann', role: 'admin' })).body.token });
    const bobApi = apiClient(server.url, { bearer: (await bobSession.post('/api/tokens', { name: 'bob', role: 'admin' })).body.token });
    const annId = (await first.get('/api/session')).body.user.id as string;
    const bobId = bob.body.id as string;
    const admins = async () =>
      (await db.selectFrom('app_users').select('email').where('role', '=', 'admin').where('disabled_at', 'is', null).execute()).map(
        (row) => row.email,
      );

    // Found on PostgreSQL: both counted two enabled admins, both went ahead, and no admin was left.
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all([
        ann.patch(`/api/users/${bobId}`, { disabled: true }),
        bobApi.patch(`/api/users/${annId}`, { disabled: true }),
      ]);
      const left = await admins();
      assert.equal(left.length, 1, `round ${round}: ${statusesOf(answers)}; enabled admins: ${left.join(', ')}`);
      assert.equal(answers.filter((a) => a.status === 200).length, 1, statusesOf(answers));
      // The other was refused: the last admin (409), or its token stopped with its maker (401).
      for (const refused of answers.filter((a) => a.status !== 200)) assert.ok([401, 409].includes(refused.status), refused.text);
      const survivor = left[0] === 'ann@acme.example' ? ann : bobApi;
      const other = left[0] === 'ann@acme.example' ? bobId : annId;
      assert.equal((await survivor.patch(`/api/users/${other}`, { disabled: false })).status, 200);
    }
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all([
        ann.patch(`/api/users/${bobId}`, { role: 'viewer' }),
        bobApi.patch(`/api/users/${annId}`, { role: 'viewer' }),
      ]);
      const left = await admins();
      assert.equal(left.length, 1, `round ${round}: ${statusesOf(answers)}; admins: ${left.join(', ')}`);
      // The other was refused: the last admin (409), or its token became a viewer's with its maker (403).
      const refused = answers.find((a) => a.status !== 200);
      assert.ok(
        (refused?.status === 409 && refused.body.error.code === 'last_admin') ||
          (refused?.status === 403 && refused.body.error.code === 'forbidden'),
        statusesOf(answers),
      );
      const survivor = left[0] === 'ann@acme.example' ? ann : bobApi;
      const other = left[0] === 'ann@acme.example' ? bobId : annId;
      assert.equal((await survivor.patch(`/api/users/${other}`, { role: 'admin' })).status, 200);
    }
  });

  test("an integration's catch-up setting saved while others are deleted is saved (200), whatever the order", async (t) => {
    // No scheduler: the integrations have no schedule state yet, so saving a catch-up setting writes one for each.
    const { server, admin } = await startRaceWorld(t, target, 4);
    const create = async (name: string) => {
      const answer = await admin.post('/api/integrations', {
        name,
        source: { credential: 'ninjaone' },
        destination: { connection: 'oomnitza' },
        syncKeys: ['email'],
        mapping: { email: 'email' },
      });
      assert.equal(answer.status, 201, answer.text);
      return answer.body.id as string;
    };
    const kept = await create('Kept');

    // Found on PostgreSQL: the schedule state of an integration deleted meanwhile was refused by its foreign key, failing the whole save.
    for (let round = 0; round < 10; round++) {
      const doomed = await Promise.all(Array.from({ length: 6 }, (_, i) => create(`Doomed ${round}.${i}`)));
      const [saved, ...deleted] = await Promise.all([
        admin.put(`/api/integrations/${kept}/catch-up`, { catchUp: round % 2 === 0 ? 'skip' : 'once' }),
        ...doomed.map((id) => admin.delete(`/api/integrations/${id}`)),
      ]);
      assert.equal(saved?.status, 200, `round ${round}: ${saved?.text}`);
      assert.deepEqual(
        deleted.map((a) => a.status),
        doomed.map(() => 204),
      );
    }
    const states = await server.context.db.selectFrom('schedule_state').select(['integration_id', 'catch_up']).execute();
    assert.deepEqual(states, [{ integration_id: kept, catch_up: 'once' }]);
  });

  test('a save of an integration deleted while the save checks it answers 404, not 200 for a document stored nowhere', async (t) => {
    const { oomnitza, admin, connection } = await startRaceWorld(t, target, 5);
    const document = (name: string) => ({
      name,
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: { email: 'email' },
    });
    const integration = await admin.post('/api/integrations', document('Staff'));
    assert.equal(integration.status, 201, integration.text);
    const id = integration.body.id as string;

    // A new API token drops the cached data model: the save reads it from Oomnitza, slowly, and the delete lands meanwhile.
    assert.equal((await admin.patch(`/api/oomnitza-connections/${connection.body.id}`, { apiToken: oomnitza.apiToken })).status, 200);
    oomnitza.knobs.settings.latencyMs = 1_000;
    const saving = admin.put(`/api/integrations/${id}`, document('Staff renamed'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await admin.delete(`/api/integrations/${id}`)).status, 204);
    const saved = await saving;
    oomnitza.knobs.settings.latencyMs = 0;
    // Found by a hostile review: the save answered 200 with the renamed document, stored nowhere.
    assert.equal(saved.status, 404, saved.text);
    assert.match(saved.body.error.message, /deleted meanwhile/);
    assert.equal((await admin.get(`/api/integrations/${id}`)).status, 404);
    assert.deepEqual((await admin.get('/api/integrations')).body.integrations, []);
  });

  test('"Run now" and an agent\'s claim racing the delete of a Local integration: started or 404, handed over or failed; never "no agent", a 500 or a run no one holds', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
    const enrolled = await admin.post('/api/agents', { name: 'site-a' });
    assert.equal(enrolled.status, 201, enrolled.text);
    const agent = apiClient(server.url, { bearer: enrolled.body.token });
    assert.equal((await agent.post('/api/agent/hello', { version: '1.0.0', hostname: 'site-a-host' })).status, 200);

    // Found: "Run now" said the integration had no agent when it had been deleted meanwhile; and on PostgreSQL the claim
    // took the run, then found its integration gone (500), and the run stayed "running" for an agent that never got it.
    const handed: string[] = [];
    for (let round = 0; round < 12; round++) {
      const local = await admin.post('/api/integrations', {
        name: `Branch ${round}`,
        installation: 'local',
        agent: 'site-a',
        source: { url: 'https://eu.ninjarmm.com', clientId: '${NINJA_ID}', clientSecret: '${NINJA_SECRET}' },
        destination: { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_TOKEN}' },
        syncKeys: ['email'],
        mapping: { email: 'email' },
      });
      assert.equal(local.status, 201, local.text);
      const claim = agent.post('/api/agent/claim?waitMs=300');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [claimed, started, deleted] = await Promise.all([
        claim,
        admin.post(`/api/integrations/${local.body.id}/runs`, { dryRun: true }),
        new Promise((resolve) => setTimeout(resolve, round % 4)).then(() => admin.delete(`/api/integrations/${local.body.id}`)),
      ]);
      // Started, or refused as deleted (404, or 409 when the delete came between its check and its write); never "no agent".
      assert.ok(started.status === 202 || started.status === 404 || started.body.error?.code === 'conflict', started.text);
      assert.ok(claimed.status === 200 || claimed.status === 204, `round ${round}: ${claimed.status} ${claimed.text.slice(0, 200)}`);
      assert.equal(deleted.status, 204);
      if (claimed.status === 200) handed.push(claimed.body.run.id as string);
    }
    const running = await server.context.db.selectFrom('runs').select('id').where('state', '=', 'running').execute();
    assert.deepEqual(running.map((run) => run.id).sort(), [...handed].sort(), 'every running run is one the agent was handed');
    assert.deepEqual(
      server.logLines.filter((line) => line.includes('unhandled error')),
      [],
    );
  });

  test('an integration saved while its credential or connection is deleted or renamed never ends up naming one that is gone', async (t) => {
    const { ninja, oomnitza, admin } = await startRaceWorld(t, target, 6);
    const document = (name: string, credential: string, connection: string) => ({
      name,
      source: { credential },
      destination: { connection },
      syncKeys: ['email'],
      mapping: { email: 'email' },
    });

    // Found on PostgreSQL: the save checked the credential was there, the delete checked no integration named it, and both went ahead.
    for (let round = 0; round < 8; round++) {
      const credential = await admin.post('/api/credentials', {
        name: `ninjaone ${round}`,
        url: ninja.url,
        clientId: 'demo-m2m',
        clientSecret: 'demo-m2m-secret',
        grantType: 'client_credentials',
        allowInsecureHttp: true,
      });
      const connection = await admin.post('/api/oomnitza-connections', {
        name: `oomnitza ${round}`,
        url: oomnitza.url,
        apiToken: oomnitza.apiToken,
        allowInsecureHttp: true,
      });
      assert.equal(credential.status, 201, credential.text);
      assert.equal(connection.status, 201, connection.text);
      const answers = await Promise.all([
        admin.post('/api/integrations', document(`Staff ${round}`, `ninjaone ${round}`, 'oomnitza')),
        round % 2 === 0
          ? admin.delete(`/api/credentials/${credential.body.id}`)
          : admin.patch(`/api/credentials/${credential.body.id}`, { name: `ninjaone ${round} renamed` }),
        admin.post('/api/integrations', document(`Sales ${round}`, 'ninjaone', `oomnitza ${round}`)),
        round % 2 === 0
          ? admin.delete(`/api/oomnitza-connections/${connection.body.id}`)
          : admin.patch(`/api/oomnitza-connections/${connection.body.id}`, { name: `oomnitza ${round} renamed` }),
      ]);
      assert.ok(
        answers.every((a) => a.status < 300 || (a.status >= 400 && a.status < 500)),
        `round ${round}: ${statusesOf(answers)}`,
      );
    }
    const credentials = new Set(((await admin.get('/api/credentials')).body.credentials as { name: string }[]).map((c) => c.name));
    const connections = new Set(((await admin.get('/api/oomnitza-connections')).body.connections as { name: string }[]).map((c) => c.name));
    const integrations = (await admin.get('/api/integrations')).body.integrations as {
      name: string;
      document: { source: { credential: string }; destination: { connection: string } };
    }[];
    const dangling = integrations
      .filter((i) => !credentials.has(i.document.source.credential) || !connections.has(i.document.destination.connection))
      .map((i) => `${i.name} → ${i.document.source.credential} / ${i.document.destination.connection}`);
    assert.deepEqual(dangling, []);
  });

  test('an agent revoked while its claim waits is refused there, and the run queued meanwhile is not handed to it', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
    const enrolled = await admin.post('/api/agents', { name: 'site-a' });
    const agent = apiClient(server.url, { bearer: enrolled.body.token });
    assert.equal((await agent.post('/api/agent/hello', { version: '1.0.0', hostname: 'site-a-host' })).status, 200);
    const local = await admin.post('/api/integrations', {
      name: 'Branch',
      installation: 'local',
      agent: 'site-a',
      source: { url: 'https://eu.ninjarmm.com', clientId: '${NINJA_ID}', clientSecret: '${NINJA_SECRET}' },
      destination: { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_TOKEN}' },
      syncKeys: ['email'],
      mapping: { email: 'email' },
    });
    assert.equal(local.status, 201, local.text);

    // Found by a hostile review: a claim authorised before the revoke went on waiting, and took what came due.
    const claim = agent.post('/api/agent/claim?waitMs=5000');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await admin.delete(`/api/agents/${enrolled.body.agent.id}`)).status, 204);
    // As the scheduler queues a run that came due ("Run now" refuses a revoked agent's integration).
    const queued = await createRun(server.context.db, { integrationId: local.body.id, integrationName: 'Branch', trigger: 'schedule' });
    const claimed = await claim;
    assert.equal(claimed.status, 401, claimed.text);
    assert.equal(claimed.body.error.code, 'agent_unauthenticated');
    assert.equal((await admin.get(`/api/runs/${queued.id}`)).body.state, 'queued');
  });
});
