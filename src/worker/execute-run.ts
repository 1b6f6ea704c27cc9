/**
 * Executes one claimed run of a stored integration: builds the NinjaOne client from the stored
 * credential (tokens renewed through the vault) and the Oomnitza client from the stored connection,
 * runs the sync with the store's reporter, heartbeats while it works, stops when a cancel is asked
 * for, and always writes the run's end state — also when something it could not foresee throws.
 *
 * @example
 * const run = await claimNextRun(db, workerId);
 * if (run) await executeRun(deps, run);
 */
import { findOomnitzaConnectionByName, openOomnitzaToken } from '../credentials/oomnitza-connections.ts';
import { findCredentialRowByName } from '../credentials/store.ts';
import { createStoredTokenProvider } from '../credentials/tokens.ts';
import { getIntegration, IntegrationStoreError } from '../integrations/integration-store.ts';
import { compileMapping } from '../mapping/compile.ts';
import { createNinjaOneClient } from '../ninjaone/client.ts';
import { createNinjaOneSource } from '../ninjaone/source.ts';
import { createOomnitzaClient } from '../oomnitza/client.ts';
import { createRunReporter } from '../runs/run-reporter.ts';
import { finishRun, heartbeat } from '../runs/run-store.ts';
import { type RunResult, runSync } from '../sync/run-sync.ts';

import type { Vault } from '../credentials/vault.ts';
import type { AppDb } from '../db/app-database.ts';
import type { Integration } from '../integrations/schema.ts';
import type { UserSource } from '../mapping/source-record.ts';
import type { Run, TerminalRunState } from '../runs/run.ts';
import type { SaasDestination, UserDestination } from '../sync/ports.ts';

export interface WorkerDeps {
  readonly db: AppDb;
  readonly vault: Vault;
  readonly dialect: 'sqlite' | 'postgres';
  readonly now: () => Date;
  /** How often a running run says it is alive (and learns of a cancel). */
  readonly heartbeatMs?: number;
  readonly concurrency?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** A problem that ends a run before it starts, in words that say what to do. */
class RunSetupError extends Error {
  override readonly name = 'RunSetupError';
}

export interface Endpoints {
  readonly source: UserSource;
  readonly destination: UserDestination & SaasDestination;
}

/** The NinjaOne and Oomnitza clients of a stored integration, from its named credential and connection. */
export async function endpointsFor(deps: WorkerDeps, integration: Integration): Promise<Endpoints> {
  const credentialName = integration.source.credential;
  const connectionName = integration.destination.connection;
  if (!credentialName) throw new RunSetupError('the integration names no NinjaOne credential (source.credential); edit it and pick one');
  if (!connectionName)
    throw new RunSetupError('the integration names no Oomnitza connection (destination.connection); edit it and pick one');
  const credential = await findCredentialRowByName(deps.db, credentialName);
  if (!credential)
    throw new RunSetupError(`the NinjaOne credential "${credentialName}" does not exist any more; edit the integration and pick another`);
  const connection = await findOomnitzaConnectionByName(deps.db, connectionName);
  if (!connection)
    throw new RunSetupError(`the Oomnitza connection "${connectionName}" does not exist any more; edit the integration and pick another`);
  const source = createNinjaOneSource(
    createNinjaOneClient({ origin: new URL(credential.url), tokens: createStoredTokenProvider(deps, credential.id) }),
  );
  const destination = createOomnitzaClient({
    baseUrl: connection.url,
    apiToken: openOomnitzaToken(deps.vault, connection),
    allowInsecureHttp: connection.allow_insecure_http === 1,
    concurrency: deps.concurrency ?? 8,
  });
  return { source, destination };
}

const terminal = (state: RunResult['state']): TerminalRunState => (state === 'queued' || state === 'running' ? 'failed' : state);

/**
 * Runs a claimed (running) run to its end state and returns that state. Never throws for the run's
 * own failures. `controller` lets this process cancel at once; other processes' cancels arrive with
 * the next heartbeat.
 */
export async function executeRun(
  deps: WorkerDeps,
  run: Run,
  controller: AbortController = new AbortController(),
): Promise<TerminalRunState> {
  const log = deps.log ?? (() => undefined);
  const beat = setInterval(() => {
    heartbeat(deps.db, run.id, { now: deps.now() })
      .then((state) => {
        if (state.cancelRequested || !state.running) controller.abort();
      })
      .catch((error: unknown) => log('warn', 'heartbeat failed', { run: run.id, error: String(error) }));
  }, deps.heartbeatMs ?? 5_000);
  beat.unref();
  try {
    if (!run.integrationId) throw new RunSetupError('the run belongs to no stored integration (it was deleted); nothing to run');
    const { document: integration } = await getIntegration(deps.db, run.integrationId);
    const compiled = compileMapping(integration);
    const endpoints = await endpointsFor(deps, integration);
    const reporter = createRunReporter(deps.db, run.id);
    const result = await runSync({
      integration,
      compiled,
      source: endpoints.source,
      destination: endpoints.destination,
      reporter,
      dryRun: run.dryRun,
      signal: controller.signal,
      now: deps.now,
      concurrency: deps.concurrency ?? 8,
    });
    await reporter.flush();
    const state = terminal(result.state);
    await finishRun(deps.db, run.id, {
      state,
      counts: result.counts,
      ...(result.saasCounts ? { saasCounts: result.saasCounts } : {}),
      error: result.error ?? null,
      fuseReason: result.fuseTripped ?? null,
      phase: 'done',
      now: deps.now(),
    });
    log(state === 'succeeded' ? 'info' : 'warn', 'run finished', { run: run.id, state, counts: result.counts });
    return state;
  } catch (error) {
    const known =
      error instanceof RunSetupError ||
      error instanceof IntegrationStoreError ||
      (error instanceof Error && error.name === 'MappingValidationError');
    const message = known
      ? (error as Error).message
      : `the run stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
    log(known ? 'warn' : 'error', 'run failed', { run: run.id, error: message });
    await finishRun(deps.db, run.id, { state: 'failed', error: message, phase: 'done', now: deps.now() }).catch((finishError: unknown) => {
      // The run may have been failed as stale meanwhile; the watchdog's word stands.
      log('error', "could not record the run's end", { run: run.id, error: String(finishError) });
    });
    return 'failed';
  } finally {
    clearInterval(beat);
  }
}
