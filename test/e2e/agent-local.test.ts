/**
 * The Local installation end to end, over real HTTP on loopback: a server and two `ninja-sync agent`
 * processes, each with its own secrets in its environment. Each agent runs only its own
 * integration, on Run now and on schedule; records and counts appear in the server as for a Cloud
 * run; a dry run through an agent writes nothing; an agent killed with SIGKILL mid-run leaves its
 * run failed after the heartbeat window, and the rerun creates no duplicate; the secrets are
 * nowhere in the server's database file or its log.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { startAgent, stopAgent } from '../support/agent-process.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer } from '../support/server.ts';

import type { TestDatabaseTarget } from '../support/databases.ts';

const password = 'correct horse battery staple';
const ninjaSecret = 'demo-m2m-secret';

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

function localIntegration(name: string, agent: string, prefix: string, ninjaUrl: string, oomnitzaUrl: string, secretVar: string) {
  return {
    name,
    installation: 'local',
    agent,
    source: { url: ninjaUrl, clientId: 'demo-m2m', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
    destination: { url: oomnitzaUrl, apiToken: `\${${secretVar}}` },
    allowInsecureHttp: true,
    syncKeys: ['username'],
    mapping: { username: { expr: `'${prefix}' & $string(id)` }, first_name: 'firstName', last_name: 'lastName' },
    schedule: { every: '30m', timezone: 'UTC' },
    contacts: ['it@acme.example'],
  };
}

const sqlite = {
  dialect: 'sqlite',
  options: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'agent-local-')) }),
} as unknown as TestDatabaseTarget;

test('server + two agents: own integrations only, Run now and schedule, dry run, SIGKILL mid-run, no secret on the server', async (t) => {
  const ninja = await startNinjaOneEmulator({ seed: 9, users: 12 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed: 9, users: 0 });
  t.after(() => oomnitza.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-local-server-'));
  const target = { ...sqlite, options: async () => ({ dataDir }) };
  let clock = new Date('2026-12-01T00:01:00.000Z');
  const server = await startTestServer(target, {
    now: () => clock,
    workerPollMs: 50,
    maintenanceIntervalMs: 100,
    staleAfterMs: 60_000,
    agentHeartbeatMs: 200,
  });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
  const api = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'ops', role: 'admin' })).body.token });

  const tokenA: string = (await api.post('/api/agents', { name: 'site-a' })).body.token;
  const tokenB: string = (await api.post('/api/agents', { name: 'site-b' })).body.token;
  const a = await api.post('/api/integrations', localIntegration('Site A', 'site-a', 'a-', ninja.url, oomnitza.url, 'OOMNITZA_API_TOKEN'));
  assert.equal(a.status, 201, a.text);
  const b = await api.post('/api/integrations', localIntegration('Site B', 'site-b', 'b-', ninja.url, oomnitza.url, 'OOMNITZA_TOKEN_B'));
  assert.equal(b.status, 201, b.text);

  // Each agent has its secrets in its own environment, and nothing else.
  const agentDirs = [mkdtempSync(join(tmpdir(), 'agent-a-')), mkdtempSync(join(tmpdir(), 'agent-b-'))];
  const envA = { NINJAONE_CLIENT_SECRET: ninjaSecret, OOMNITZA_API_TOKEN: oomnitza.apiToken };
  const envB = { NINJAONE_CLIENT_SECRET: ninjaSecret, OOMNITZA_TOKEN_B: oomnitza.apiToken };
  let agentA = startAgent(server.url, tokenA, agentDirs[0]!, envA);
  const agentB = startAgent(server.url, tokenB, agentDirs[1]!, envB);
  t.after(() => stopAgent(agentA));
  t.after(() => stopAgent(agentB));
  await until('both agents online', async () => {
    const agents = (await api.get('/api/agents')).body.agents;
    return agents.every((x: any) => x.online && x.version !== null);
  });

  const usersWith = (prefix: string) => [...oomnitza.store.users.values()].filter((u) => u.username.startsWith(prefix));
  const runOf = async (id: string) => (await api.get(`/api/runs/${id}`)).body;
  const finished = (id: string) =>
    until(`run ${id} ends`, async () => {
      const run = await runOf(id);
      return ['succeeded', 'completed_with_errors', 'failed', 'canceled'].includes(run.state) ? run : null;
    });

  // A dry run through agent B writes nothing, and shows its plan.
  const dry = await api.post(`/api/integrations/${b.body.id}/runs`, { dryRun: true });
  assert.equal(dry.status, 202, dry.text);
  const dryRun = await finished(dry.body.id);
  assert.equal(dryRun.state, 'succeeded', JSON.stringify(dryRun));
  assert.equal(dryRun.workerId, `agent:${(await api.get('/api/agents')).body.agents.find((x: any) => x.name === 'site-b').id}`);
  assert.equal(dryRun.counts.created, 12);
  assert.equal((await api.get(`/api/runs/${dry.body.id}/records`)).body.total, 12);
  assert.equal(oomnitza.store.users.size, 0, 'a dry run writes nothing');

  // Agent A is killed mid-run: the run fails after the heartbeat window, naming the agent.
  oomnitza.knobs.settings.latencyMs = 400;
  const first = await api.post(`/api/integrations/${a.body.id}/runs`, { dryRun: false });
  await until('a few users written', async () => usersWith('a-').length >= 2 || null);
  assert.equal((await runOf(first.body.id)).state, 'running');
  await stopAgent(agentA, 'SIGKILL');
  const written = usersWith('a-').length;
  assert.ok(written < 12, 'killed before the end');
  clock = new Date(clock.getTime() + 61_000);
  const killed = await finished(first.body.id);
  assert.equal(killed.state, 'failed');
  assert.match(killed.error, /agent "site-a" sent no heartbeat/);

  // Restarted, it reruns: no duplicate, every user once.
  oomnitza.knobs.settings.latencyMs = 0;
  agentA = startAgent(server.url, tokenA, agentDirs[0]!, envA);
  const rerun = await api.post(`/api/integrations/${a.body.id}/runs`, { dryRun: false });
  const done = await finished(rerun.body.id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done));
  assert.equal(usersWith('a-').length, 12);
  assert.equal(new Set(usersWith('a-').map((u) => u.username)).size, 12);
  assert.ok(done.counts.created <= 12 - written, JSON.stringify(done.counts));
  assert.equal(done.counts.created + done.counts.unchanged + done.counts.updated, 12);
  const records = (await api.get(`/api/runs/${rerun.body.id}/records?limit=100`)).body;
  assert.equal(records.total, 12, 'every record reported once');
  assert.equal(usersWith('b-').length, 0, 'agent A never ran B');

  // B's schedule comes due: agent B runs it, as a scheduled run.
  clock = new Date('2026-12-01T00:30:05.000Z');
  const scheduled = await until('the scheduled run of B', async () => {
    const runs = (await api.get(`/api/runs?integrationId=${b.body.id}`)).body.runs;
    return runs.find((r: any) => r.trigger === 'schedule' && r.state === 'succeeded');
  });
  assert.equal(scheduled.counts.created, 12);
  assert.equal(usersWith('b-').length, 12);

  // No secret reached the server: not its database file, not its log.
  await stopAgent(agentA);
  await stopAgent(agentB);
  const files = readdirSync(dataDir).filter((f) => f.startsWith('ninja-sync.db'));
  assert.ok(files.length > 0);
  const stored = files.map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('\n');
  const logs = server.logLines.join('\n');
  for (const secret of [ninjaSecret, oomnitza.apiToken, tokenA, tokenB]) {
    assert.ok(!stored.includes(secret), 'a secret is in the database file');
    assert.ok(!logs.includes(secret), 'a secret is in the log');
  }
  assert.ok(stored.includes('OOMNITZA_TOKEN_B'), 'the server stores the names');
  assert.ok(!agentA.output.join('').includes(oomnitza.apiToken), "no secret in the agent's own log");
});
