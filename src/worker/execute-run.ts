/**
 * Executes one claimed run of a stored integration through the run executor all entry points share
 * (`src/runs/run-executor.ts`): reads the integration, builds the NinjaOne client from the stored
 * credential (tokens renewed through the vault) and the Oomnitza client from the stored connection,
 * and reports into the runs store. Never throws for the run's own failures: the run's end state is
 * always written, also when something it could not foresee throws.
 *
 * @example
 * const run = await claimNextRun(db, workerId);
 * if (run) await executeRun(deps, run);
 */
import { storedNinjaOneClient } from '../credentials/ninjaone-client.ts';
import { findOomnitzaConnectionByName, openOomnitzaToken } from '../credentials/oomnitza-connections.ts';
import { findCredentialRowByName } from '../credentials/store.ts';
import { getIntegration, IntegrationStoreError } from '../integrations/integration-store.ts';
import { createNinjaOneSource } from '../ninjaone/source.ts';
import { createOomnitzaClient } from '../oomnitza/client.ts';
import { executeRun as executeWith, type RunEndpoints, RunSetupError } from '../runs/run-executor.ts';
import { createRunReporter } from '../runs/run-reporter.ts';
import { createLinkSource, linkKey } from '../runs/user-links.ts';

import type { ExpressionLimits } from '../config.ts';
import type { Vault } from '../credentials/vault.ts';
import type { AppDb } from '../db/app-database.ts';
import type { Integration } from '../integrations/schema.ts';
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
  /** What the integrations' expressions may use (the config's); from the environment when absent. */
  readonly expressionLimits?: ExpressionLimits;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface Endpoints extends RunEndpoints {
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
  const source = createNinjaOneSource(storedNinjaOneClient(deps, credential));
  const destination = createOomnitzaClient({
    baseUrl: connection.url,
    apiToken: openOomnitzaToken(deps.vault, connection),
    allowInsecureHttp: connection.allow_insecure_http === 1,
    concurrency: deps.concurrency ?? 8,
  });
  return { source, destination };
}

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
  const reporter = createRunReporter(deps.db, run.id, { now: deps.now });
  const integrationId = run.integrationId;
  try {
    const done = await executeWith({
      integration: async () => {
        if (!integrationId) throw new RunSetupError('the run belongs to no stored integration (it was deleted); nothing to run');
        try {
          return (await getIntegration(deps.db, integrationId)).document;
        } catch (error) {
          if (error instanceof IntegrationStoreError) throw new RunSetupError(error.message, { cause: error });
          throw error;
        }
      },
      endpoints: async (integration) => ({
        ...(await endpointsFor(deps, integration)),
        links: createLinkSource(deps.db, linkKey(run)),
      }),
      reporter: {
        ...reporter,
        async heartbeat() {
          try {
            return await reporter.heartbeat();
          } catch (error) {
            log('warn', 'heartbeat failed', { run: run.id, error: String(error) });
            throw error;
          }
        },
      },
      dryRun: run.dryRun,
      signal: controller.signal,
      heartbeatMs: deps.heartbeatMs ?? 5_000,
      concurrency: deps.concurrency ?? 8,
      now: deps.now,
      ...(deps.expressionLimits === undefined ? {} : { expressionLimits: deps.expressionLimits }),
    });
    if (done.result === null) log('warn', 'run failed', { run: run.id, error: done.error });
    else log(done.state === 'succeeded' ? 'info' : 'warn', 'run finished', { run: run.id, state: done.state, counts: done.result.counts });
    return done.state;
  } catch (error) {
    log('error', 'run failed', {
      run: run.id,
      error: `The run stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    });
    return 'failed';
  }
}
