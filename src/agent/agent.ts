/**
 * The local agent's loop: say hello to the server, read the definitions of its Local integrations,
 * then long-poll for runs and do each one with the shared run executor (`src/runs/run-executor.ts`)
 * — the same engine as `ninja-sync run` and the workers — reporting to the server instead of a
 * store. The NinjaOne and Oomnitza secrets are resolved here, from the agent's environment or its
 * sealed store, and never leave this process.
 *
 * Stopping (SIGTERM): the run in hand is canceled at its next safe point and reported as canceled;
 * then the loop ends. A lost connection is waited out (calls are retried); a revoked token ends
 * the agent with `AgentRefusedError`.
 *
 * @example
 * await runAgent({ serverUrl, token, dataDir: '/var/lib/ninja-sync-agent', env: process.env, version, log, stop });
 */
import { hostname } from 'node:os';

import { buildClients } from '../cli/build-clients.ts';
import { substituteEnv } from '../integrations/env-substitution.ts';
import { executeRun, RunSetupError } from '../runs/run-executor.ts';
import { createRemoteReporter } from './remote-reporter.ts';
import { openSecretStore } from './secret-store.ts';
import { AgentRefusedError, createServerClient } from './server-client.ts';

import type { ExpressionLimits } from '../config.ts';
import type { ClaimAnswer } from '../contracts/agent-protocol.ts';
import type { Integration } from '../integrations/schema.ts';
import type { RunEndpoints } from '../runs/run-executor.ts';
import type { LinkSource } from '../sync/ports.ts';

export type AgentLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface AgentOptions {
  readonly serverUrl: URL;
  readonly token: string;
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  readonly log: AgentLog;
  /** Aborts when the agent should stop (SIGTERM). */
  readonly stop: AbortSignal;
  /** Oomnitza writes in flight at most (default 8). */
  readonly concurrency?: number;
  /** The longest wait between retries of a call to the server (default 10 s). */
  readonly maxBackoffMs?: number;
  /** Time and heap for the runs' expressions (read from the environment when absent). */
  readonly expressionLimits?: ExpressionLimits;
}

/** Resolves when stopped; rejects with `AgentRefusedError` when the server refuses the token. */
export async function runAgent(options: AgentOptions): Promise<void> {
  const { log, stop } = options;
  // Calls of a run are not tied to `stop`: a stopping agent still reports the run's end.
  const server = createServerClient({
    serverUrl: options.serverUrl,
    token: options.token,
    ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    onRetry: (what, attempt, reason) => log('warn', 'the server cannot be reached; retrying', { call: what, attempt, reason }),
  });
  const secrets = await openSecretStore({ dataDir: options.dataDir, env: options.env });
  const hello = await server.hello({ version: options.version, hostname: hostname() });
  log('info', `connected to ${options.serverUrl.origin} as agent "${hello.agent.name}"`);
  const { integrations } = await server.integrations();
  const known = await secrets.values();
  for (const definition of integrations) {
    const missing = missingVariables(definition.document, known);
    log(missing.length === 0 ? 'info' : 'warn', `integration "${definition.name}"${definition.enabled ? '' : ' (disabled)'}`, {
      ...(missing.length === 0 ? {} : { missing: `set ${missing.join(', ')} in the environment or with ninja-sync agent secret set` }),
    });
  }
  if (integrations.length === 0) log('warn', 'no integration is assigned to this agent yet; assign one in the server (installation Local)');

  while (!stop.aborted) {
    let claim: ClaimAnswer | null;
    try {
      claim = await server.claim(hello.claimWaitMs, stop);
    } catch (error) {
      if (stop.aborted) break;
      if (error instanceof AgentRefusedError) throw error;
      log('error', 'asking the server for work failed', { error: error instanceof Error ? error.message : String(error) });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    if (claim !== null) await doRun(claim);
  }

  async function doRun(claim: ClaimAnswer): Promise<void> {
    const { run, integration } = claim;
    log('info', `run ${run.id} of "${integration.name}" started${run.dryRun ? ' (dry run: nothing is written)' : ''}`, {
      trigger: run.trigger,
      // Offboarding's users: those this integration created or matched before (policy suspend only).
      ...(claim.links === undefined ? {} : { managedUsers: claim.links.length }),
    });
    const reporter = createRemoteReporter(server, run.id);
    try {
      const done = await executeRun({
        integration: integration.document,
        endpoints: async (document) => ({ ...(await endpointsOf(document, await secrets.values())), ...linksOf(claim) }),
        reporter,
        dryRun: run.dryRun,
        signal: stop,
        heartbeatMs: hello.heartbeatMs,
        concurrency: options.concurrency ?? 8,
        ...(options.expressionLimits === undefined ? {} : { expressionLimits: options.expressionLimits }),
      });
      const counts = done.result?.counts;
      log(done.state === 'succeeded' ? 'info' : 'warn', `run ${run.id} of "${integration.name}" ended ${done.state}`, {
        ...(counts ? { counts } : {}),
        ...(done.error ? { error: done.error } : {}),
        batches: reporter.batchesSent(),
      });
    } catch (error) {
      if (error instanceof AgentRefusedError) throw error;
      log('error', `run ${run.id} stopped unexpectedly`, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function endpointsOf(document: Integration, values: Record<string, string | undefined>): Promise<RunEndpoints> {
    const missing = missingVariables(document, values);
    if (missing.length > 0)
      throw new RunSetupError(
        `the agent has no value for ${missing.join(', ')}: set ${missing.length === 1 ? 'it' : 'them'} in the agent's environment or with \`ninja-sync agent secret set NAME\` on the agent's machine`,
      );
    const resolved: Integration = {
      ...document,
      source: resolveAll(document.source, values),
      destination: resolveAll(document.destination, values),
    };
    const clients = await buildClients(resolved, { dataDir: options.dataDir, env: values, concurrency: options.concurrency ?? 8 });
    if (!clients.ok) throw new RunSetupError(clients.message);
    return { source: clients.source, destination: clients.destination };
  }
}

/**
 * The integration's user links as the server handed them with the claim, for offboarding: a run
 * with `offboarding.policy: suspend` suspends and unsuspends from them as a Cloud run does. The
 * server sends them for that policy only; a suspend run without them (a server older than this)
 * fails rather than silently suspending nobody.
 */
export function linksOf(claim: ClaimAnswer): { links?: LinkSource } {
  if (claim.links !== undefined) {
    const links = claim.links;
    return { links: { listLinks: () => Promise.resolve(links) } };
  }
  if (claim.integration.document.offboarding?.policy === 'suspend')
    throw new RunSetupError(
      'offboarding.policy is suspend, but the server sent no user links with the run, so the agent cannot tell whom to suspend: update the ninja-sync server, or set offboarding.policy to leave',
    );
  return {};
}

/** The variables a definition's connection settings name that the agent cannot resolve. */
export function missingVariables(document: Integration, values: Readonly<Record<string, string | undefined>>): string[] {
  const missing = new Set<string>();
  for (const part of [document.source, document.destination])
    for (const value of Object.values(part))
      if (typeof value === 'string') for (const name of substituteEnv(value, values).missing) missing.add(name);
  return [...missing];
}

function resolveAll<T extends object>(part: T, values: Readonly<Record<string, string | undefined>>): T {
  return Object.fromEntries(
    Object.entries(part).map(([key, value]) => [key, typeof value === 'string' ? substituteEnv(value, values).value : value]),
  ) as T;
}
