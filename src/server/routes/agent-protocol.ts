/**
 * The agent protocol's routes (contracts in `src/contracts/agent-protocol.ts`). Every call carries an agent
 * token (`Bearer nsa_…`); it reaches only the Local integrations assigned to that agent and the
 * runs that agent holds. An unknown or revoked token is refused and logged — without the token.
 */
import { agentIntegrations, agentWorkerId, recordAgentHello, resolveAgentToken } from '../../agents/agent-store.ts';
import { claimLinks } from '../../agents/claim-links.ts';
import { agentProtocolContracts as contracts, agentReadsHeader, agentReadsOf } from '../../contracts/agent-protocol.ts';
import { integrationRowToIntegration } from '../../integrations/integration-store.ts';
import { claimNextRun } from '../../runs/claim.ts';
import { IllegalRunTransitionError } from '../../runs/errors.ts';
import { storeRecordBatch } from '../../runs/record-batches.ts';
import { finishRun, getRun, heartbeat } from '../../runs/run-store.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { FastifyRequest } from 'fastify';
import type { Agent } from '../../agents/agent-store.ts';
import type { Wakeup } from '../../agents/wakeup.ts';
import type { AgentIntegration } from '../../contracts/agent-protocol.ts';
import type { AppDb } from '../../db/app-database.ts';
import type { Run } from '../../runs/run.ts';
import type { RouteKit } from '../route-kit.ts';

export interface AgentProtocolOptions {
  readonly wakeup: Wakeup;
  /** How often agents heartbeat a running run (default 5 s). */
  readonly heartbeatMs?: number;
  /** How long one claim waits for work at most (default 25 s; the agent may ask for less). */
  readonly claimWaitMs?: number;
  /** How often a waiting claim looks for work in the store (default 1 s). */
  readonly claimPollMs?: number;
  /** Called after an agent finished a run (alerts), as the worker's `onRunFinished`. */
  readonly onFinished?: (run: Run) => Promise<void>;
}

export function createAgentProtocolRoutes(options: AgentProtocolOptions) {
  return function registerAgentProtocolRoutes({ app, context, registry }: RouteKit): void {
    const { db, now } = context;
    const agents = new WeakMap<FastifyRequest, Agent>();
    const heartbeatMs = options.heartbeatMs ?? 5_000;
    const claimWaitMs = options.claimWaitMs ?? 25_000;

    /** Resolves the agent of the request, or refuses it (401) and logs that, never the token. */
    async function authorizeAgent(request: FastifyRequest): Promise<null> {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      const agent = match ? await resolveAgentToken(db, match[1]!, now()) : null;
      if (agent === null) throw agentRefused(request, match ? 'unknown or revoked agent token' : 'no agent token');
      agents.set(request, agent);
      return null;
    }
    const agentOf = (request: FastifyRequest): Agent => agents.get(request)!;

    /** The 401 of an agent whose token does not (or no longer) count; logged without the token. */
    function agentRefused(request: FastifyRequest, presented: string): ApiError {
      request.log.warn({ url: request.url.split('?')[0], ip: request.ip, presented }, 'agent refused');
      return new ApiError(
        401,
        'agent_unauthenticated',
        'the agent token is missing, unknown or revoked; an admin enrolls the agent again under Agents and gives it the new token',
      );
    }

    /** A run this agent holds, or 404 (a run of another agent is not admitted to exist). */
    async function heldRun(agent: Agent, runId: string): Promise<Run> {
      const run = await getRun(db, runId);
      if (run === null || run.workerId !== agentWorkerId(agent.id))
        throw new ApiError(404, 'not_found', `no run with id ${runId} held by the agent "${agent.name}"`);
      return run;
    }

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.hello,
      access: 'public',
      handler: async ({ body, request }) => {
        const agent = await recordAgentHello(db, agentOf(request).id, body, now());
        request.log.info({ agent: agent.name, version: body.version, hostname: body.hostname }, 'agent connected');
        return { agent: { id: agent.id, name: agent.name }, heartbeatMs, claimWaitMs };
      },
    });

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.integrations,
      access: 'public',
      handler: async ({ request }) => ({ integrations: await definitionsOf(db, agentOf(request)) }),
    });

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.claim,
      access: 'public',
      handler: async ({ query, request, reply }) => {
        const agent = agentOf(request);
        const reads = agentReadsOf(request.headers[agentReadsHeader]);
        let gone = false;
        reply.raw.once('close', () => {
          gone = true;
        });
        const deadline = Date.now() + Math.min(query.waitMs, claimWaitMs);
        let lastSeen = Date.now();
        for (;;) {
          // An agent that hung up (it stopped, or the server is closing and cut it) gets nothing
          // more: not a run, not another query on a store that may be closing.
          if (gone) return undefined;
          // Revoked while it waits: its token stops here too, not only on its next request.
          const live = await db.selectFrom('agents').select('revoked_at').where('id', '=', agent.id).executeTakeFirst();
          if (live?.revoked_at !== null) throw agentRefused(request, 'agent revoked while it waited for a run');
          const integrationIds = (await agentIntegrations(db, agent.id)).filter((i) => i.enabled).map((i) => i.id);
          const run = gone ? null : await claimNextRun(db, agentWorkerId(agent.id), { integrationIds, now: now() });
          if (run !== null) {
            const row = await db.selectFrom('integrations').selectAll().where('id', '=', run.integrationId!).executeTakeFirst();
            if (row === undefined) {
              // Deleted between the claim and now: nothing to hand over, and no agent will ever finish it.
              const failed = await finishRun(db, run.id, {
                state: 'failed',
                error: 'the run belongs to no stored integration (it was deleted before its agent took the run); nothing to run',
                fuseReason: null,
                phase: 'done',
                now: now(),
              });
              await options.onFinished?.(failed);
              continue;
            }
            const integration = toDefinition(row);
            const handed = await claimLinks(db, run, integration.document, { agentName: agent.name, reads });
            if (!handed.ok) {
              // Not for this agent as it is: failed with the reason (and alerted), and on to the next run.
              const failed = await finishRun(db, run.id, {
                state: 'failed',
                error: handed.error,
                fuseReason: null,
                phase: 'done',
                now: now(),
              });
              request.log.warn({ agent: agent.name, run: run.id, integration: row.name }, 'a run could not be handed to the agent');
              await options.onFinished?.(failed);
              continue;
            }
            request.log.info({ agent: agent.name, run: run.id, integration: row.name }, 'agent took a run');
            return {
              run: { ...pick(run), integrationId: run.integrationId! },
              integration,
              ...(handed.links === undefined ? {} : { links: handed.links }),
            };
          }
          if (gone || Date.now() >= deadline) return undefined;
          await options.wakeup.wait(Math.min(options.claimPollMs ?? 1_000, Math.max(deadline - Date.now(), 0)));
          if (Date.now() - lastSeen >= 5_000) {
            // A waiting agent is an online agent.
            lastSeen = Date.now();
            await db.updateTable('agents').set({ last_seen_at: now().toISOString() }).where('id', '=', agent.id).execute();
          }
        }
      },
    });

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.heartbeat,
      access: 'public',
      handler: async ({ params, body, request }) => {
        const run = await heldRun(agentOf(request), params.id);
        if (body.phase !== undefined && run.state === 'running') {
          await db
            .updateTable('runs')
            .set({ phase: body.phase, phase_total: body.phaseTotal ?? null })
            .where('id', '=', run.id)
            .where('state', '=', 'running')
            .execute();
        }
        return heartbeat(db, run.id, { now: now() });
      },
    });

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.records,
      access: 'public',
      handler: async ({ params, body, request }) => {
        const agent = agentOf(request);
        const run = await heldRun(agent, params.id);
        const result = await storeRecordBatch(db, run.id, body.batch, body.records, now());
        if (result.outcome === 'not_running')
          throw new ApiError(409, 'run_not_running', `run ${run.id} is ${result.state} on the server; stop it, its records are not taken`);
        if (result.outcome === 'duplicate')
          request.log.info({ agent: agent.name, run: run.id, batch: body.batch }, 'agent sent a batch again; it was stored already');
        return { batch: body.batch, outcome: result.outcome, records: result.records };
      },
    });

    defineRoute(app, registry, authorizeAgent, {
      ...contracts.finish,
      access: 'public',
      handler: async ({ params, body, request }) => {
        const agent = agentOf(request);
        const run = await heldRun(agent, params.id);
        try {
          const finished = await finishRun(db, run.id, {
            state: body.state,
            ...(body.counts ? { counts: body.counts } : {}),
            ...(body.saasCounts ? { saasCounts: body.saasCounts } : {}),
            error: body.error,
            fuseReason: body.fuseReason,
            phase: 'done',
            now: now(),
          });
          request.log.info({ agent: agent.name, run: run.id, state: finished.state }, 'agent finished a run');
          await options.onFinished?.(finished);
          return { state: finished.state };
        } catch (error) {
          // Finished already: by this agent (a resend after a lost answer) or by the server (vanished).
          if (error instanceof IllegalRunTransitionError) return { state: error.from };
          throw error;
        }
      },
    });
  };
}

function pick(run: Run) {
  return { id: run.id, dryRun: run.dryRun, trigger: run.trigger, queuedAt: run.queuedAt };
}

type IntegrationRow = Parameters<typeof integrationRowToIntegration>[0];

function toDefinition(row: IntegrationRow): AgentIntegration {
  const stored = integrationRowToIntegration(row);
  return { id: stored.id, name: stored.name, enabled: stored.enabled, updatedAt: stored.updatedAt, document: stored.document };
}

async function definitionsOf(db: AppDb, agent: Agent): Promise<AgentIntegration[]> {
  const rows = await db
    .selectFrom('integrations')
    .selectAll()
    .where('agent_id', '=', agent.id)
    .where('installation', '=', 'local')
    .orderBy('name')
    .execute();
  return rows.map(toDefinition);
}
