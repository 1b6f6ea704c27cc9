/**
 * Local agents, for admins: enroll one (its token is shown only in that answer), list them with
 * their state (version, last seen, online or offline), their integrations and recent runs, and
 * revoke one (its token stops working on its next request).
 */
import {
  type Agent,
  AgentError,
  agentIntegrations,
  createAgent,
  defaultAgentOfflineAfterMs,
  getAgent,
  isAgentOnline,
  listAgents,
  revokeAgent,
} from '../../agents/agent-store.ts';
import { agentContracts } from '../../contracts/agents.ts';
import { listRuns } from '../../runs/run-store.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { runViews } from '../run-view.ts';

import type { AgentView } from '../../contracts/agents.ts';
import type { AppDb } from '../../db/app-database.ts';
import type { RouteKit } from '../route-kit.ts';

const recentRunsPerAgent = 5;

/** The exact command an admin runs on the agent's machine; its data folder holds the agent's vault key. */
export function agentCommandLine(serverUrl: string, token: string): string {
  return `ninja-sync agent --server ${serverUrl} --token ${token} --data-dir /var/lib/ninja-sync-agent`;
}

async function agentView(db: AppDb, agent: Agent, now: Date): Promise<AgentView> {
  const integrations = await agentIntegrations(db, agent.id);
  const runs = (await Promise.all(integrations.map((i) => listRuns(db, { integrationId: i.id, limit: recentRunsPerAgent }))))
    .flat()
    .sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0))
    .slice(0, recentRunsPerAgent);
  return {
    ...agent,
    online: isAgentOnline(agent, now, defaultAgentOfflineAfterMs),
    integrations,
    recentRuns: await runViews(db, runs),
  };
}

export function registerAgentRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;

  defineRoute(app, registry, authorize, {
    ...agentContracts.list,
    access: 'viewer',
    handler: async () => ({
      agents: await Promise.all((await listAgents(db)).map((agent) => agentView(db, agent, now()))),
      serverUrl: context.config.publicUrl.origin,
    }),
  });

  defineRoute(app, registry, authorize, {
    ...agentContracts.get,
    access: 'viewer',
    handler: async ({ params }) => {
      const agent = await getAgent(db, params.id);
      if (agent === null) throw notFound('agent', params.id);
      return agentView(db, agent, now());
    },
  });

  defineRoute(app, registry, authorize, {
    ...agentContracts.create,
    access: 'admin',
    handler: async ({ body, principal }) => {
      try {
        const { token, agent } = await createAgent(
          db,
          { name: body.name, createdBy: principal?.kind === 'session' ? principal.user.id : null },
          now(),
        );
        return { token, agent: await agentView(db, agent, now()), command: agentCommandLine(context.config.publicUrl.origin, token) };
      } catch (error) {
        if (error instanceof AgentError && error.code === 'name_taken')
          throw new ApiError(409, 'name_taken', error.message, { fields: [{ path: 'name', message: error.message }] });
        throw error;
      }
    },
  });

  defineRoute(app, registry, authorize, {
    ...agentContracts.revoke,
    access: 'admin',
    handler: async ({ params }) => {
      if (!(await revokeAgent(db, params.id, now()))) throw notFound('live agent', params.id);
      return undefined;
    },
  });
}
