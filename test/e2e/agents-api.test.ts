/**
 * The server's side of the Local installation, spoken to over real HTTP as an agent would: enrolling
 * agents, the assignment and OAuth rules at save, the protocol (definitions scoped to the agent's
 * own integrations, claim, heartbeat, numbered batches with a resend that is not counted twice,
 * finish), the server's own worker never running a Local integration, a run whose agent vanished
 * failing after the heartbeat window, an agent offline at a due time raising the alert that names
 * it, and a revoked token refused and logged without the token. With offboarding.policy suspend,
 * the claim carries the integration's user links (kept from the agent's own reports) to an agent that
 * says it reads them; an older agent is never handed such a run: it fails, saying to update the
 * agent, while its claims of other integrations keep the shape it knows. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { agentReadsHeader, claimAnswerSchema } from '../../src/contracts/agent-protocol.ts';
import { emptyRunCounts } from '../../src/sync/ports.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

const password = 'correct horse battery staple';

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`gave up waiting: ${what}`);
}

function localDocument(name: string, agent: string | undefined, ninjaUrl: string, oomnitzaUrl: string): Record<string, unknown> {
  return {
    name,
    installation: 'local',
    ...(agent === undefined ? {} : { agent }),
    source: { url: ninjaUrl, clientId: 'demo-m2m', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
    destination: { url: oomnitzaUrl, apiToken: '${OOMNITZA_API_TOKEN}' },
    allowInsecureHttp: true,
    syncKeys: ['username'],
    mapping: { username: { expr: "'ninja-' & $string(id)" }, first_name: 'firstName' },
    schedule: { every: '30m', timezone: 'UTC' },
    contacts: ['it@acme.example'],
  };
}

const outcome = (n: number) => ({
  sourceId: String(n),
  label: `user ${n}`,
  kind: 'user',
  outcome: 'created',
  reason: null,
  destinationId: `u${n}`,
  changes: [{ field: 'username', old: null, new: `ninja-${n}` }],
});

forEachDialect('server: local agents', (target) => {
  test('enroll, assignment rules, the protocol scoped to each agent, vanished runs, missed schedules, revocation', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 5, users: 4 });
    t.after(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator({ seed: 5, users: 0 });
    t.after(() => oomnitza.close());
    let clock = new Date('2026-12-01T00:01:00.000Z');
    const server = await startTestServer(target, {
      now: () => clock,
      workerPollMs: 50,
      maintenanceIntervalMs: 100,
      staleAfterMs: 60_000,
    });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
    // Sessions expire on the test clock; an API token does not.
    const api = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'ops', role: 'admin' })).body.token });

    const oauth = await api.post('/api/credentials', {
      name: 'ninjaone-oauth',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      allowInsecureHttp: true,
    });
    assert.equal(oauth.status, 201, oauth.text);
    await api.post('/api/oomnitza-connections', {
      name: 'oomnitza',
      url: oomnitza.url,
      apiToken: oomnitza.apiToken,
      allowInsecureHttp: true,
    });

    // Enroll two agents: the token is in the answer once, never in a list.
    const siteA = await api.post('/api/agents', { name: 'site-a' });
    assert.equal(siteA.status, 201, siteA.text);
    const tokenA: string = siteA.body.token;
    assert.match(tokenA, /^nsa_/);
    assert.equal(siteA.body.command, `ninja-sync agent --server ${server.url} --token ${tokenA} --data-dir /var/lib/ninja-sync-agent`);
    const siteB = await api.post('/api/agents', { name: 'site-b' });
    const tokenB: string = siteB.body.token;
    assert.equal((await api.post('/api/agents', { name: 'site-a' })).status, 409);
    const listed = await api.get('/api/agents');
    assert.equal(listed.status, 200, listed.text);
    assert.ok(!listed.text.includes(tokenA) && !listed.text.includes(tokenB), 'a token is shown only once');
    assert.equal(listed.body.serverUrl, server.url, 'where agents call');
    assert.deepEqual(
      listed.body.agents.map((a: any) => [a.name, a.online, a.enrolledAt]),
      [
        ['site-a', false, null],
        ['site-b', false, null],
      ],
    );

    // The rules at save: an OAuth credential is refused with the doc's reason; secrets only by name;
    // a Local integration needs a live agent, a Cloud one takes none.
    const base = localDocument('Site A users', 'site-a', ninja.url, oomnitza.url);
    const withOauth = await api.post('/api/integrations', { ...base, source: { credential: 'ninjaone-oauth' } });
    assert.equal(withOauth.status, 400, withOauth.text);
    const oauthProblem = withOauth.body.error.details.fields.find((f: any) => f.path === 'source.credential');
    assert.match(oauthProblem.message, /OAuth is not available for a Local installation: it uses client credentials/);
    const literal = await api.post('/api/integrations', {
      ...base,
      source: { url: ninja.url, clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret' },
    });
    assert.equal(literal.status, 400);
    assert.ok(literal.body.error.details.fields.some((f: any) => f.path === 'source.clientSecret'));
    assert.ok(!literal.text.includes('demo-m2m-secret'), 'a refused secret is not echoed');
    const noAgent = await api.post('/api/integrations', localDocument('x', undefined, ninja.url, oomnitza.url));
    assert.deepEqual(
      noAgent.body.error.details.fields.map((f: any) => f.path),
      ['agent'],
    );
    const unknownAgent = await api.post('/api/integrations', localDocument('x', 'site-z', ninja.url, oomnitza.url));
    assert.match(unknownAgent.body.error.details.fields[0].message, /no agent named "site-z"/);
    const cloudWithAgent = await api.post('/api/integrations', {
      name: 'Cloud users',
      agent: 'site-a',
      source: { credential: 'ninjaone-oauth' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['username'],
      mapping: { username: 'email' },
    });
    assert.deepEqual(
      cloudWithAgent.body.error.details.fields.map((f: any) => f.path),
      ['agent'],
    );

    const a = await api.post('/api/integrations', base);
    assert.equal(a.status, 201, a.text);
    const b = await api.post('/api/integrations', localDocument('Site B users', 'site-b', ninja.url, oomnitza.url));
    assert.equal(b.status, 201, b.text);

    // Each agent sees only its own integrations; the server stores only the variables' names.
    const agentA = apiClient(server.url, { bearer: tokenA });
    const agentB = apiClient(server.url, { bearer: tokenB });
    const hello = await agentA.post('/api/agent/hello', { version: '0.1.0', hostname: 'host-a' });
    assert.equal(hello.status, 200, hello.text);
    assert.equal(hello.body.agent.name, 'site-a');
    const defsA = (await agentA.get('/api/agent/integrations')).body.integrations;
    assert.deepEqual(
      defsA.map((d: any) => d.name),
      ['Site A users'],
    );
    assert.equal(defsA[0].document.source.clientSecret, '${NINJAONE_CLIENT_SECRET}');
    assert.deepEqual(
      (await agentB.get('/api/agent/integrations')).body.integrations.map((d: any) => d.name),
      ['Site B users'],
    );
    // An agent token opens nothing else, and a person's token opens no agent route.
    assert.equal((await agentA.get('/api/integrations')).status, 401);
    assert.equal((await api.get('/api/agent/integrations')).status, 401);

    // Run now queues a Local run; the server's own worker never takes it, while it runs Cloud ones.
    const queued = await api.post(`/api/integrations/${a.body.id}/runs`, { dryRun: false });
    assert.equal(queued.status, 202, queued.text);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await api.get(`/api/runs/${queued.body.id}`)).body.state, 'queued', 'the server does not run a Local integration');
    // Agent B's claim does not see A's run.
    assert.equal((await agentB.post('/api/agent/claim?waitMs=0')).status, 204);
    const claimed = await agentA.post('/api/agent/claim?waitMs=1000');
    assert.equal(claimed.status, 200, claimed.text);
    assert.equal(claimed.body.run.id, queued.body.id);
    assert.equal(claimed.body.integration.name, 'Site A users');
    const runId: string = claimed.body.run.id;
    assert.equal((await agentB.post(`/api/agent/runs/${runId}/heartbeat`, {})).status, 404, "another agent's run is not admitted");

    const beat = await agentA.post(`/api/agent/runs/${runId}/heartbeat`, { phase: 'writing', phaseTotal: 3 });
    assert.deepEqual(beat.body, { running: true, state: 'running', cancelRequested: false });
    const first = await agentA.post(`/api/agent/runs/${runId}/records`, { batch: 1, records: [outcome(1), outcome(2)] });
    assert.deepEqual(first.body, { batch: 1, outcome: 'stored', records: 2 });
    const again = await agentA.post(`/api/agent/runs/${runId}/records`, { batch: 1, records: [outcome(1), outcome(2)] });
    assert.equal(again.body.outcome, 'duplicate', 'a resend is recognised');
    await agentA.post(`/api/agent/runs/${runId}/records`, { batch: 2, records: [{ ...outcome(3), outcome: 'failed', reason: 'no' }] });
    const midway = (await api.get(`/api/runs/${runId}`)).body;
    assert.deepEqual(midway.counts, { ...emptyRunCounts(), created: 2, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
    assert.equal(midway.phase, 'writing');
    assert.equal((await api.get(`/api/runs/${runId}/records`)).body.total, 3, 'never stored twice');
    const finish = {
      state: 'completed_with_errors',
      counts: { created: 2, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 1 },
      error: '1 record failed',
      fuseReason: null,
    };
    assert.deepEqual((await agentA.post(`/api/agent/runs/${runId}/finish`, finish)).body, { state: 'completed_with_errors' });
    assert.deepEqual((await agentA.post(`/api/agent/runs/${runId}/finish`, finish)).body, { state: 'completed_with_errors' }, 'resend');
    assert.equal((await agentA.post(`/api/agent/runs/${runId}/records`, { batch: 3, records: [outcome(4)] })).status, 409);

    const view = (await api.get('/api/agents')).body.agents.find((x: any) => x.name === 'site-a');
    assert.equal(view.online, true);
    assert.equal(view.version, '0.1.0');
    assert.equal(view.hostname, 'host-a');
    assert.deepEqual(
      view.integrations.map((i: any) => i.name),
      ['Site A users'],
    );
    assert.equal(view.recentRuns[0].id, runId);

    // A run whose agent vanishes (no heartbeat for the window) ends failed, naming the agent.
    const second = await api.post(`/api/integrations/${a.body.id}/runs`, { dryRun: true });
    assert.equal((await agentA.post('/api/agent/claim?waitMs=1000')).body.run.id, second.body.id);
    clock = new Date(clock.getTime() + 61_000);
    const vanished = await until('the vanished run fails', async () => {
      const run = (await api.get(`/api/runs/${second.body.id}`)).body;
      return run.state === 'failed' ? run : null;
    });
    assert.match(vanished.error, /agent "site-a" sent no heartbeat/);
    const late = await agentA.post(`/api/agent/runs/${second.body.id}/heartbeat`, {});
    assert.deepEqual(late.body, { running: false, state: 'failed', cancelRequested: false }, 'a late agent is told to stop');

    // Agent A is offline (silent for minutes) when its schedule comes due: the contacts are told,
    // naming the agent.
    clock = new Date('2026-12-01T00:30:05.000Z');
    const alert = await until('the missed-start alert', async () => {
      const alerts = (await api.get(`/api/alerts?status=open&subjectId=${a.body.id}`)).body.alerts;
      return alerts.find((x: any) => x.condition === 'schedule_missed');
    });
    assert.match(alert.message, /Scheduled run did not start/);
    assert.match(alert.message, /agent "site-a" is offline/);
    const inbox = (await admin.get('/api/notifications')).body;
    assert.ok(
      inbox.notifications.some((n: any) => /site-a/.test(n.body) || /site-a/.test(n.title)),
      JSON.stringify(inbox),
    );

    // Revoked: the token is refused from the next request, and the refusal is logged without it.
    assert.equal((await api.delete(`/api/agents/${siteB.body.agent.id}`)).status, 204);
    const refused = await agentB.post('/api/agent/claim?waitMs=0');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'agent_unauthenticated');
    assert.equal((await apiClient(server.url, { bearer: 'nsa_forged' }).get('/api/agent/integrations')).status, 401);
    assert.ok(server.logLines.some((line) => line.includes('agent refused')));
    const logs = server.logLines.join('\n');
    for (const secret of [tokenA, tokenB, 'nsa_forged']) assert.ok(!logs.includes(secret), 'no agent token in the log');
    const noAgentRun = await api.post(`/api/integrations/${b.body.id}/runs`, { dryRun: false });
    assert.equal(noAgentRun.status, 409);
    assert.match(noAgentRun.body.error.message, /revoked/);
  });

  test('offboarding: the claim carries the user links to an agent that reads them; an older agent is not handed such a run', async (t) => {
    const server = await startTestServer(target, { workerPollMs: 50, maintenanceIntervalMs: 100 });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
    const api = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'ops', role: 'admin' })).body.token });
    const token: string = (await api.post('/api/agents', { name: 'site-a' })).body.token;
    const document = {
      ...localDocument('Site A users', 'site-a', 'http://127.0.0.1:9', 'http://127.0.0.1:9'),
      offboarding: { policy: 'suspend' },
    };
    const saved = await api.post('/api/integrations', document);
    assert.equal(saved.status, 201, saved.text);
    const id: string = saved.body.id;

    // This agent's calls, with and without the header that says it reads links (an older agent sends none).
    const claim = async (reads: boolean) => {
      const response = await fetch(`${server.url}/api/agent/claim?waitMs=1000`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(reads ? { [agentReadsHeader]: 'links' } : {}) },
      });
      return { status: response.status, body: response.status === 200 ? ((await response.json()) as any) : null };
    };
    const agent = apiClient(server.url, { bearer: token });
    const runNow = async () => (await api.post(`/api/integrations/${id}/runs`, { dryRun: false })).body.id as string;
    const finish = async (runId: string) =>
      (await agent.post(`/api/agent/runs/${runId}/finish`, { state: 'succeeded', error: null, fuseReason: null })).body;

    // The first run: no links yet, but the list is there (the policy needs it), and the answer is valid.
    const firstId = await runNow();
    const first = await claim(true);
    assert.equal(first.status, 200);
    assert.equal(first.body.run.id, firstId);
    assert.deepEqual(first.body.links, []);
    assert.ok(claimAnswerSchema.safeParse(first.body).success);
    // The agent reports what it created, with the NinjaOne uids: the server links them.
    const reported = [1, 2].map((n) => ({ ...outcome(n), label: `user${n}@acme.example`, sourceUid: `uid-${n}` }));
    assert.equal((await agent.post(`/api/agent/runs/${firstId}/records`, { batch: 1, records: reported })).status, 200);
    assert.deepEqual(await finish(firstId), { state: 'succeeded' });

    // The next claim hands those links over, as the store has them.
    const secondId = await runNow();
    const second = await claim(true);
    assert.equal(second.body.run.id, secondId);
    assert.deepEqual(second.body.links, [
      { oomnitzaUid: 'u1', ninjaoneUid: 'uid-1', ninjaoneId: '1', label: 'user1@acme.example', suspended: false },
      { oomnitzaUid: 'u2', ninjaoneUid: 'uid-2', ninjaoneId: '2', label: 'user2@acme.example', suspended: false },
    ]);
    // It suspends user 2 (who left): the next claim says so.
    const suspension = { ...reported[1], outcome: 'suspended', reason: 'NinjaOne user uid uid-2 is no longer in NinjaOne', changes: [] };
    await agent.post(`/api/agent/runs/${secondId}/records`, { batch: 1, records: [suspension] });
    await finish(secondId);
    const thirdId = await runNow();
    const third = await claim(true);
    assert.deepEqual(
      third.body.links.map((l: any) => [l.ninjaoneUid, l.suspended]),
      [
        ['uid-1', false],
        ['uid-2', true],
      ],
    );
    await finish(thirdId);

    // An older agent (no header) is not handed the run: it would refuse the answer, or suspend nobody.
    const oldId = await runNow();
    assert.equal((await claim(false)).status, 204);
    const old = (await api.get(`/api/runs/${oldId}`)).body;
    assert.equal(old.state, 'failed');
    assert.match(old.error, /agent "site-a" is older than offboarding for Local integrations.*Update ninja-sync on the agent's machine/);
    const alert = await until('the failed-run alert', async () => {
      const alerts = (await api.get(`/api/alerts?status=open&subjectId=${id}`)).body.alerts;
      return alerts.find((x: any) => x.condition === 'run_failed');
    });
    assert.ok(alert);

    // With policy leave, no links: the answer is exactly the shape an older agent parses strictly.
    const updated = await api.put(`/api/integrations/${id}`, { ...document, offboarding: { policy: 'leave' } });
    assert.equal(updated.status, 200, updated.text);
    for (const reads of [false, true]) {
      const leaveId = await runNow();
      const answer = await claim(reads);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.run.id, leaveId);
      assert.ok(!('links' in answer.body), 'no links without a suspend policy');
      assert.ok(claimAnswerSchema.omit({ links: true }).safeParse(answer.body).success, 'an older agent parses it');
      await finish(leaveId);
    }
  });
});
