/**
 * Offboarding for a Local integration, end to end: a real server (SQLite and PostgreSQL), a real
 * `ninja-sync agent` process holding the secrets, and both emulators, over HTTP. The agent's first
 * run creates (and so links, on the server) the users; a user removed from NinjaOne and one disabled
 * there are suspended in Oomnitza on the next run (a dry run shows it first and writes nothing), and
 * unsuspended when back; an Oomnitza user never linked stays untouched; an empty NinjaOne answer
 * trips the fuse with 0 writes — all done by the agent from the links the server handed it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { listUserLinks } from '../../src/runs/user-links.ts';
import { startAgent, stopAgent } from '../support/agent-process.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import type { AgentProcess } from '../support/agent-process.ts';

const password = 'correct horse battery staple';
const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const writes = (oomnitza: OomnitzaEmulator) =>
  oomnitza.knobs.log.filter((e) => writeMethods.has(e.method) && e.path.startsWith('/api/')).map((e) => `${e.method} ${e.path}`);

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

async function ninjaAdmin(url: string, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${url}/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  assert.ok(response.ok, `${method} ${path}: ${String(response.status)} ${await response.text()}`);
}

forEachDialect('offboarding through a local agent', (target) => {
  test('suspend on leave and disable, unsuspend on return, never an unlinked user, the fuse for an empty NinjaOne', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 21, users: 14 });
    t.after(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator({
      seed: 21,
      users: 4,
      seedUsers: [{ username: 'stranger', email: 'stranger@acme.example', first_name: 'Not', last_name: 'Linked' }],
    });
    t.after(() => oomnitza.close());
    const server = await startTestServer(target, { workerPollMs: 50, maintenanceIntervalMs: 100, agentHeartbeatMs: 200 });
    // The agent goes first: a server closing under an agent's long-poll waits for it.
    let agent: AgentProcess | null = null;
    t.after(async () => {
      if (agent !== null) await stopAgent(agent);
      await server.close();
    });
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
    const api = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'ops', role: 'admin' })).body.token });
    const token: string = (await api.post('/api/agents', { name: 'site-a' })).body.token;

    // Saved as Local with policy suspend: no longer refused.
    const saved = await api.post('/api/integrations', {
      name: 'Local offboarding',
      installation: 'local',
      agent: 'site-a',
      source: { url: ninja.url, clientId: 'demo-m2m', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
      destination: { url: oomnitza.url, apiToken: '${OOMNITZA_API_TOKEN}' },
      allowInsecureHttp: true,
      syncKeys: ['email'],
      filters: [{ field: 'enabled', op: 'eq', value: true }],
      mapping: {
        email: { field: 'email', transform: ['trim', 'lower'] },
        username: { field: 'email', transform: ['trim', 'lower'] },
        first_name: 'firstName',
      },
      offboarding: { policy: 'suspend' },
    });
    assert.equal(saved.status, 201, saved.text);
    const integrationId: string = saved.body.id;

    agent = startAgent(server.url, token, mkdtempSync(join(tmpdir(), 'agent-offboarding-')), {
      NINJAONE_CLIENT_SECRET: 'demo-m2m-secret',
      OOMNITZA_API_TOKEN: oomnitza.apiToken,
    });

    const stranger = [...oomnitza.store.users.values()].find((u) => u['email'] === 'stranger@acme.example');
    assert.ok(stranger);
    const before = new Map([...oomnitza.store.users.values()].map((u) => [String(u['uid']), u['suspended']]));
    const suspendedIn = (uid: string | null) => oomnitza.store.users.get(Number(uid))?.['suspended'];

    /** Run now (or a dry run) through the agent, to its end; the run as the API shows it. */
    async function run(dryRun = false): Promise<any> {
      const queued = await api.post(`/api/integrations/${integrationId}/runs`, { dryRun });
      assert.equal(queued.status, 202, queued.text);
      const done = await until(`run ${queued.body.id as string} ends`, async () => {
        const got = (await api.get(`/api/runs/${queued.body.id as string}`)).body;
        return ['succeeded', 'completed_with_errors', 'failed', 'canceled'].includes(got.state) ? got : null;
      });
      assert.match(done.workerId, /^agent:/, 'the agent ran it');
      return done;
    }
    const recordsOf = async (runId: string, outcome: string): Promise<any[]> =>
      (await api.get(`/api/runs/${runId}/records?outcome=${outcome}&limit=1000`)).body.records;
    /** The seeded NinjaOne world has users that cannot sync (duplicate or missing e-mails): they fail, the rest sync. */
    const synced = (done: any) => assert.ok(['succeeded', 'completed_with_errors'].includes(done.state), JSON.stringify(done));

    // 1. The first run creates the users; the server links them from what the agent reported.
    const first = await run();
    synced(first);
    const created = await recordsOf(first.id, 'created');
    assert.ok(created.length >= 6, `created ${String(created.length)}`);
    assert.equal(first.counts.suspended, 0);
    const links = await listUserLinks(server.context.db, integrationId);
    assert.equal(links.length, created.length, 'one link per created user, none for the strangers');
    assert.ok(!links.some((l) => l.oomnitzaUid === String(stranger['uid'])));

    // 2. One user leaves NinjaOne, another is disabled there.
    const [gone, disabled] = created;
    const goneUser = structuredClone(ninja.world.users.find((u) => String(u.id) === gone.sourceId));
    assert.ok(goneUser);
    await ninjaAdmin(ninja.url, 'DELETE', `/users/${gone.sourceId as string}`);
    await ninjaAdmin(ninja.url, 'PATCH', `/users/${disabled.sourceId as string}`, { enabled: false });
    const both = [gone.destinationId, disabled.destinationId].sort();

    // 3. The dry run shows both suspensions and writes nothing.
    oomnitza.knobs.clearLog();
    const dry = await run(true);
    assert.equal(dry.counts.suspended, 2, JSON.stringify(dry.counts));
    assert.deepEqual((await recordsOf(dry.id, 'suspended')).map((r) => r.destinationId).sort(), both);
    assert.deepEqual(writes(oomnitza), []);
    assert.equal(suspendedIn(gone.destinationId), false);

    // 4. The run suspends exactly those two, one PATCH each; the server marks their links.
    oomnitza.knobs.clearLog();
    const second = await run();
    synced(second);
    assert.equal(second.counts.suspended, 2, JSON.stringify(second.counts));
    const suspended = await recordsOf(second.id, 'suspended');
    assert.match(suspended.find((r) => r.destinationId === gone.destinationId)?.reason ?? '', /is no longer in NinjaOne/);
    assert.equal(suspendedIn(gone.destinationId), true);
    assert.equal(suspendedIn(disabled.destinationId), true);
    assert.deepEqual(writes(oomnitza).sort(), both.map((uid) => `PATCH /api/v3/users/${uid as string}`).sort());
    const marked = (await listUserLinks(server.context.db, integrationId)).filter((l) => l.suspended).map((l) => l.oomnitzaUid);
    assert.deepEqual(marked.sort(), both);

    // 5. The next run writes nothing: the agent knows from the links that both are suspended already.
    oomnitza.knobs.clearLog();
    const third = await run();
    assert.equal(third.counts.suspended, 0);
    assert.deepEqual(writes(oomnitza), []);

    // 6. Back in NinjaOne (the same user again) and enabled again: both are unsuspended.
    await ninjaAdmin(ninja.url, 'POST', '/users', goneUser);
    await ninjaAdmin(ninja.url, 'PATCH', `/users/${disabled.sourceId as string}`, { enabled: true });
    const fourth = await run();
    synced(fourth);
    assert.equal(fourth.counts.unsuspended, 2, JSON.stringify(fourth.counts));
    assert.equal(suspendedIn(gone.destinationId), false);
    assert.equal(suspendedIn(disabled.destinationId), false);
    assert.ok((await listUserLinks(server.context.db, integrationId)).every((l) => !l.suspended));

    // 7. NinjaOne answers no users at all: the fuse stops the agent's run before its first write.
    for (const user of [...ninja.world.users]) await ninjaAdmin(ninja.url, 'DELETE', `/users/${String(user.id)}`);
    oomnitza.knobs.clearLog();
    const empty = await run();
    assert.equal(empty.state, 'failed');
    assert.match(empty.fuseReason ?? '', /^Offboarding fuse: NinjaOne answered no users at all/);
    assert.deepEqual(writes(oomnitza), []);

    // Never linked, never touched: the stranger and the seeded users keep what they had.
    for (const user of oomnitza.store.users.values())
      if (!links.some((l) => l.oomnitzaUid === String(user['uid']))) assert.equal(user['suspended'], before.get(String(user['uid'])));
    assert.equal(stranger['suspended'], before.get(String(stranger['uid'])));
    // The agent says how many users it was handed as managed, run by run.
    assert.match(agent.output.join(''), new RegExp(`"managedUsers":${String(created.length)},"msg":"run ${second.id as string} `));
  });
});
