/**
 * A `ninja-sync agent` whose secrets are sealed in its own store (`agent secret set`, value on
 * stdin; nothing in its environment) loses the server mid-run: the server stops and comes back on
 * the same address and data. The agent waits it out, resumes reporting, and the run ends with every
 * record counted once and every user written once. Over real HTTP on loopback, SQLite.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { generateVaultKey } from '../../src/credentials/vault.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

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

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `ninja-sync agent secret set NAME --data-dir DIR` with the value on stdin, as the README says. */
async function sealSecret(dataDir: string, name: string, value: string): Promise<string> {
  const child = spawn(process.execPath, ['bin/ninja-sync.js', 'agent', 'secret', 'set', name, '--data-dir', dataDir], {
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stdin.end(value);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, output);
  return output;
}

test('an agent with sealed secrets rides out a server restart mid-run: every record reported once, every user written once', async (t) => {
  const ninja = await startNinjaOneEmulator({ seed: 13, users: 12 });
  t.after(() => ninja.close());
  const oomnitza = await startOomnitzaEmulator({ seed: 13, users: 0 });
  t.after(() => oomnitza.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-resume-server-'));
  const target = { dialect: 'sqlite', options: async () => ({ dataDir }) } as unknown as TestDatabaseTarget;
  const env = { PORT: String(await freePort()), NINJA_SYNC_KEY: generateVaultKey().toString('base64') };
  let server: TestServer = await startTestServer(target, { env, workerPollMs: 50 });
  t.after(() => server.close());
  const admin = apiClient(server.url);
  assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
  const api = apiClient(server.url, { bearer: (await admin.post('/api/tokens', { name: 'ops', role: 'admin' })).body.token });
  const token: string = (await api.post('/api/agents', { name: 'site-a' })).body.token;
  const created = await api.post('/api/integrations', {
    name: 'Site A',
    installation: 'local',
    agent: 'site-a',
    source: { url: ninja.url, clientId: 'demo-m2m', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
    destination: { url: oomnitza.url, apiToken: '${OOMNITZA_API_TOKEN}' },
    allowInsecureHttp: true,
    syncKeys: ['username'],
    mapping: { username: { expr: "'a-' & $string(id)" }, first_name: 'firstName' },
  });
  assert.equal(created.status, 201, created.text);

  // The secrets go into the agent's sealed store; its environment holds none.
  const agentDir = mkdtempSync(join(tmpdir(), 'agent-resume-agent-'));
  assert.match(await sealSecret(agentDir, 'NINJAONE_CLIENT_SECRET', ninjaSecret), /stored sealed/);
  await sealSecret(agentDir, 'OOMNITZA_API_TOKEN', oomnitza.apiToken);
  const sealed = readFileSync(join(agentDir, 'agent-secrets.json'), 'utf8');
  assert.ok(!sealed.includes(ninjaSecret) && !sealed.includes(oomnitza.apiToken), 'sealed, not plain');

  // No secret in its environment: only the setting that lets it reach the emulators on loopback.
  const agentEnv: Record<string, string> = { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true' };
  const agent = spawn(process.execPath, ['bin/ninja-sync.js', 'agent', '--server', server.url, '--token', token, '--data-dir', agentDir], {
    env: agentEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess;
  const output: string[] = [];
  agent.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  agent.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  t.after(async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    agent.kill('SIGTERM');
    await exited;
  });
  await until('the agent online', async () => (await api.get('/api/agents')).body.agents[0]?.online);

  // Mid-run, the server goes away and comes back on the same address and data.
  oomnitza.knobs.settings.latencyMs = 300;
  const queued = await api.post(`/api/integrations/${created.body.id}/runs`, { dryRun: false });
  assert.equal(queued.status, 202, queued.text);
  await until('a few users written', async () => {
    if (oomnitza.store.users.size >= 2) return true;
    const now = (await api.get(`/api/runs/${queued.body.id}`)).body;
    if (!['queued', 'running'].includes(now.state)) assert.fail(`${JSON.stringify(now)}\n${output.join('')}`);
    return null;
  });
  await server.close();
  await until('the agent notices', async () => output.join('').includes('the server cannot be reached; retrying') || null);
  server = await startTestServer(target, { env, workerPollMs: 50 });
  oomnitza.knobs.settings.latencyMs = 0;

  const run = await until('the run ends', async () => {
    const answer = (await api.get(`/api/runs/${queued.body.id}`)).body;
    return ['succeeded', 'completed_with_errors', 'failed', 'canceled'].includes(answer.state) ? answer : null;
  });
  assert.equal(run.state, 'succeeded', `${JSON.stringify(run)}\n${output.join('')}`);
  assert.equal(run.counts.created, 12);
  assert.equal((await api.get(`/api/runs/${queued.body.id}/records?limit=100`)).body.total, 12, 'every record reported once');
  const usernames = [...oomnitza.store.users.values()].map((u) => u.username);
  assert.equal(usernames.length, 12);
  assert.equal(new Set(usernames).size, 12, 'every user written once');
  assert.ok(!output.join('').includes(ninjaSecret) && !output.join('').includes(oomnitza.apiToken), "no secret in the agent's log");
});
