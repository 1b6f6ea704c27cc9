/**
 * Builds the server from its settings: opens the store (running migrations), loads the vault key,
 * and assembles the Fastify app with every route. `serve` and the tests start the server this way.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(`listening on ${server.url}`);
 * await server.close();
 */
import { createWakeup } from '../agents/wakeup.ts';
import { loadVaultKeys, vaultFromKeys, type VaultKeys } from '../credentials/vault.ts';
import { openDatabase } from '../db/open-database.ts';
import { privateVendorHostsAllowed } from '../http/vendor-hosts.ts';
import { createMailer } from '../notifications/mailer.ts';
import { afterRunFinished, type MaintenanceDeps, startMaintenance } from '../worker/maintenance.ts';
import { startRunHost } from '../worker/run-host.ts';
import { startWorker, type Worker } from '../worker/worker.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { createAgentProtocolRoutes } from './routes/agent-protocol.ts';
import { registerAgentRoutes } from './routes/agents.ts';
import { registerCredentialRoutes } from './routes/credentials.ts';
import { registerIntegrationRoutes } from './routes/integrations.ts';
import { registerNotificationRoutes } from './routes/notifications.ts';
import { registerOAuthRedirectRoute } from './routes/oauth-redirect.ts';
import { registerOomnitzaConnectionRoutes } from './routes/oomnitza-connections.ts';
import { registerPreviewRoutes } from './routes/preview.ts';
import { createRunRoutes } from './routes/runs.ts';
import { registerScheduleRoutes } from './routes/schedule.ts';
import { registerWebRoutes } from './routes/web.ts';

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AppContext } from './context.ts';
import type { RouteModule } from './route-kit.ts';

export const serverRoutes: readonly RouteModule[] = [
  registerCredentialRoutes,
  registerOAuthRedirectRoute,
  registerOomnitzaConnectionRoutes,
  registerIntegrationRoutes,
  registerPreviewRoutes,
  registerNotificationRoutes,
  registerScheduleRoutes,
  registerAgentRoutes,
  registerWebRoutes,
];

export interface StartedServer {
  readonly app: FastifyInstance;
  readonly context: AppContext;
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** The worker of this process (its runs in a thread, or inline), when there is one. */
  readonly worker: Worker | null;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly now?: () => Date;
  readonly demo?: AppContext['demo'];
  /** Run queued runs in this process (default true; false when separate workers take them). */
  readonly worker?: boolean;
  /**
   * Where this process runs them: in a worker thread of their own, so the API never waits on a run
   * (`src/worker/run-host.ts`), or on the server's own event loop (`inline`). The config's
   * `NINJA_SYNC_RUNS_IN` (thread) when absent; inline when `now` is given: a test clock cannot
   * cross into a thread.
   */
  readonly runs?: 'thread' | 'inline';
  readonly workerPollMs?: number;
  /** Schedules, watchdogs and e-mail on a beat in this process (default true). */
  readonly maintenance?: boolean;
  readonly maintenanceIntervalMs?: number;
  /** A running run without a heartbeat for this long is failed (default 60 s); local agents too. */
  readonly staleAfterMs?: number;
  /** How often local agents heartbeat a running run (default 5 s). */
  readonly agentHeartbeatMs?: number;
}

export async function createContext(
  config: Config,
  options: StartOptions = {},
): Promise<{ context: AppContext; vaultKeys: VaultKeys; close: () => Promise<void> }> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const store = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: config.databasePoolSize });
  try {
    const vaultKeys = await loadVaultKeys({
      envKey: config.vaultKey,
      envPreviousKeys: config.vaultPreviousKeys,
      keyFile: config.vaultKeyFile,
      dataDir: config.dataDir,
    });
    const vault = vaultFromKeys(vaultKeys);
    const context: AppContext = {
      config,
      db: store.db,
      dialect: store.dialect,
      vault,
      logger,
      now: options.now ?? (() => new Date()),
      demo: options.demo,
    };
    return { context, vaultKeys, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<StartedServer> {
  const { context, vaultKeys, close: closeStore } = await createContext(config, options);
  let app: FastifyInstance;
  const workerDeps = {
    db: context.db,
    vault: context.vault,
    dialect: context.dialect,
    now: context.now,
    expressionLimits: config.expressionLimits,
    log: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}) =>
      context.logger[level](fields, message),
  };
  let worker: Worker | null = null;
  // Long-polling agents are woken by "Run now" and by schedules that came due.
  const agentWakeup = createWakeup();
  const maintenanceDeps: MaintenanceDeps = {
    db: context.db,
    now: context.now,
    mailer: createMailer(context.config),
    log: workerDeps.log,
    ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
    get publicUrl() {
      return context.config.publicUrl;
    },
  };
  try {
    app = await buildApp(context, [
      ...serverRoutes,
      createRunRoutes({
        wake: () => {
          worker?.wake();
          agentWakeup.wake();
        },
        cancel: (runId) => worker?.cancel(runId),
      }),
      createAgentProtocolRoutes({
        wakeup: agentWakeup,
        onFinished: (run) => afterRunFinished(maintenanceDeps, run),
        ...(options.agentHeartbeatMs === undefined ? {} : { heartbeatMs: options.agentHeartbeatMs }),
      }),
    ]);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await closeStore();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (config.port === 0 && config.publicUrl.port === '0') {
    // Port 0 (tests, demos) means "any free port": the public URL, and with it the OAuth redirect
    // URL, can only be known now. Routes read context.config at request time, so they see this.
    const publicUrl = new URL(config.publicUrl);
    publicUrl.port = String(port);
    (context as { config: Config }).config = Object.freeze({ ...config, port, publicUrl });
  }
  const runsIn = options.runs ?? (options.now === undefined ? config.runsIn : 'inline');
  if ((options.worker ?? true) && runsIn === 'inline') {
    worker = startWorker(workerDeps, {
      ...(options.workerPollMs ? { pollMs: options.workerPollMs } : {}),
      onRunFinished: (run) => afterRunFinished(maintenanceDeps, run),
    });
  } else if (options.worker ?? true) {
    worker = startRunHost(
      {
        store: { databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 3 },
        vaultKeys,
        allowPrivateHosts: privateVendorHostsAllowed(),
        expressionLimits: config.expressionLimits,
        worker: options.workerPollMs ? { pollMs: options.workerPollMs } : {},
        memoryMb: config.runMemoryMb,
      },
      { db: context.db, now: context.now, log: workerDeps.log, onRunFinished: (run) => afterRunFinished(maintenanceDeps, run) },
    );
  }
  const maintenance =
    (options.maintenance ?? true)
      ? startMaintenance(maintenanceDeps, {
          ...(options.maintenanceIntervalMs ? { intervalMs: options.maintenanceIntervalMs } : {}),
          onQueued: () => {
            worker?.wake();
            agentWakeup.wake();
          },
        })
      : null;
  void maintenance?.tick();
  return {
    app,
    context,
    worker,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    async close() {
      // Within seconds (SIGTERM): the runs in hand are canceled meanwhile, and requests still open
      // after 3 s (an agent's long poll) are cut.
      const stopped = Promise.all([worker?.stop(), maintenance?.stop()]);
      const cut = setTimeout(() => app.server.closeAllConnections(), 3_000);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await stopped;
      maintenanceDeps.mailer?.close();
      await closeStore();
    },
  };
}
