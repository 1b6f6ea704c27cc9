/**
 * `serve --demo` shows the Local installation without any setup: a demo agent runs in the process
 * with its own data folder and sealed secrets, online, with one Local integration assigned to it
 * whose first dry run it has taken and reported. Restarted on the same data folder, the agent gets
 * a new token and the integration points at the new emulators. Over real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { demoAgentName, demoLocalIntegrationName } from '../../src/cli/commands/demo-agent.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import { captureIo } from '../../src/cli/test-io.test-support.ts';
import { apiClient } from '../support/api-client.ts';

const password = 'correct horse battery staple';

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

test('serve --demo: a demo agent online with its Local integration and a finished dry run; restarted, it is online again', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'demo-agent-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const urls: string[] = [];
  for (let round = 0; round < 2; round++) {
    const io = captureIo({ env: { PORT: '0', LOG_LEVEL: 'silent' } });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const finished = serveCommand(io, { demo: true, worker: false, dataDir }, stopped);
    try {
      const output = await until('the demo is up', async () => {
        if (io.stderr().includes('ninja-sync serve:')) assert.fail(io.stderr());
        return /Stop with Ctrl-C/.test(io.stdout()) ? io.stdout() : null;
      });
      assert.match(
        output,
        new RegExp(`Local installation: "${demoLocalIntegrationName.replace(/[()]/g, '\\$&')}", run by "${demoAgentName}"`),
      );
      const serverUrl = /is listening on (\S+)/.exec(output)![1]!;
      const ninjaUrl = /NinjaOne emulator: (\S+)/.exec(output)![1]!;
      urls.push(ninjaUrl);
      const admin = apiClient(serverUrl);
      if (round === 0) assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
      else assert.equal((await admin.post('/api/session', { email: 'it@acme.example', password })).status, 200);

      const agent = await until('the demo agent online, its dry run done', async () => {
        const found = (await admin.get('/api/agents')).body.agents.find((a: { name: string }) => a.name === demoAgentName);
        return found?.online && ['succeeded', 'completed_with_errors'].includes(found.recentRuns[0]?.state) ? found : null;
      });
      assert.deepEqual(
        agent.integrations.map((i: { name: string }) => i.name),
        [demoLocalIntegrationName],
      );
      const run = agent.recentRuns[0];
      assert.equal(run.dryRun, true);
      // The demo tenant has a user without an e-mail and a few that Oomnitza refuses, as a real one would.
      const counts = run.counts as Record<string, number>;
      assert.equal(
        Object.values(counts).reduce((sum, n) => sum + n, 0),
        40,
        'each of the 40 demo users has an outcome',
      );
      assert.ok(counts['created']! > 30, JSON.stringify(counts));
      assert.equal(run.workerId, `agent:${String(agent.id)}`);
      const integration = (await admin.get(`/api/integrations/${String(agent.integrations[0].id)}`)).body.document;
      assert.equal(integration.source.url, ninjaUrl, 'pointed at this start’s emulator');
      assert.equal(integration.source.clientSecret, '${NINJAONE_CLIENT_SECRET}', 'the server keeps only the name');
    } finally {
      stop();
      assert.equal(await finished, 0, io.stderr());
    }
  }
  assert.notEqual(urls[0], urls[1]);
  // The agent's secrets are sealed in its own folder, with its own key; not in the server's database.
  const agentDir = join(dataDir, 'demo-agent');
  assert.ok(existsSync(join(agentDir, 'agent-secrets.json')) && existsSync(join(agentDir, 'vault.key')));
  assert.ok(!readFileSync(join(agentDir, 'agent-secrets.json'), 'utf8').includes('demo-m2m-secret'), 'sealed');
  assert.ok(!readFileSync(join(dataDir, 'ninja-sync.db')).toString('latin1').includes('demo-m2m-secret'));
});
