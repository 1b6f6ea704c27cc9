/**
 * The demo's Local installation (`serve --demo`): an agent enrolled as "Demo agent", running in
 * this process with the same loop as `ninja-sync agent` but its own data folder (its own vault key
 * and sealed secrets, inside the demo's data folder) and its own secrets, never the server's; one
 * Local integration assigned to it, pointing at the demo's emulators; and a first dry run, so the
 * Agents screen and the integration's runs show something at once.
 *
 * On a data folder from an earlier demo, the agent gets a new token (the old one was only ever
 * stored hashed) and the integration is pointed at this start's emulators.
 *
 * @example
 * const demoAgent = await startDemoAgent(server, { ninjaOneUrl, oomnitzaUrl, apiToken, log });
 * // … on stop:
 * await demoAgent.stop();
 */
import { join } from 'node:path';

import { runAgent } from '../../agent/agent.ts';
import { openSecretStore } from '../../agent/secret-store.ts';
import { createAgent, reissueAgentToken } from '../../agents/agent-store.ts';
import { createIntegration, findIntegrationByName, replaceIntegration } from '../../integrations/integration-store.ts';
import { integrationSchema } from '../../integrations/schema.ts';
import { createRun } from '../../runs/run-store.ts';
import { version } from '../../version.ts';

import type { AgentLog } from '../../agent/agent.ts';
import type { StartedServer } from '../../server/start.ts';

export const demoAgentName = 'Demo agent';
export const demoLocalIntegrationName = 'NinjaOne users (Local, demo agent)';

export interface DemoAgent {
  /** The agent's own folder: its vault key and its sealed secrets. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startDemoAgent(
  server: StartedServer,
  demo: {
    readonly ninjaOneUrl: string;
    /** The emulator's client-credentials app (demo-m2m). */
    readonly clientId: string;
    readonly clientSecret: string;
    readonly oomnitzaUrl: string;
    readonly apiToken: string;
    readonly log: AgentLog;
  },
): Promise<DemoAgent> {
  const { db, config } = server.context;
  const now = new Date();
  const existing = await db.selectFrom('agents').select('id').where('name', '=', demoAgentName).executeTakeFirst();
  const token = existing
    ? await reissueAgentToken(db, existing.id, now)
    : (await createAgent(db, { name: demoAgentName, createdBy: null }, now)).token;

  // The agent's secrets, sealed in its own folder as `ninja-sync agent secret set` would.
  const dataDir = join(config.dataDir, 'demo-agent');
  const secrets = await openSecretStore({ dataDir, env: {} });
  await secrets.set('NINJAONE_CLIENT_SECRET', demo.clientSecret);
  await secrets.set('OOMNITZA_API_TOKEN', demo.apiToken);

  const document = integrationSchema.parse({
    name: demoLocalIntegrationName,
    installation: 'local',
    agent: demoAgentName,
    source: { url: demo.ninjaOneUrl, clientId: demo.clientId, clientSecret: '${NINJAONE_CLIENT_SECRET}' },
    destination: { url: demo.oomnitzaUrl, apiToken: '${OOMNITZA_API_TOKEN}' },
    allowInsecureHttp: true,
    syncKeys: ['email'],
    mapping: {
      email: { field: 'email', transform: ['trim', 'lower'] },
      username: { field: 'email', transform: ['trim', 'lower'] },
      first_name: 'firstName',
      last_name: 'lastName',
    },
    schedule: { daily: '02:00', timezone: 'UTC' },
  });
  const found = await findIntegrationByName(db, demoLocalIntegrationName);
  const integration = found ? await replaceIntegration(db, found.id, document, now) : await createIntegration(db, document, now);
  if (!found)
    await createRun(db, { integrationId: integration.id, integrationName: integration.name, trigger: 'manual', dryRun: true, now });

  const controller = new AbortController();
  const running = runAgent({
    serverUrl: new URL(server.url),
    token,
    dataDir,
    env: {},
    version,
    log: demo.log,
    stop: controller.signal,
  }).catch((error: unknown) =>
    demo.log('error', 'the demo agent stopped', { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    dataDir,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
