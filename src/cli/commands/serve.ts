/**
 * `ninja-sync serve`: the server (REST API, OAuth redirect, web UI) with its worker (runs in a thread of their own), on
 * 127.0.0.1:8080 and SQLite in ./data/ unless the environment says otherwise (see `src/config.ts`).
 *
 * `--demo` also starts both emulators in-process, registers this server's redirect URL with the
 * NinjaOne emulator's demo client app, pre-fills a NinjaOne credential and an Oomnitza connection
 * pointing at them, starts a demo agent in-process with one Local integration assigned to it
 * (`demo-agent.ts`), and marks every page as a demo. Its data lives in a temporary folder unless
 * `--data-dir` is given, so a demo never mixes with real credentials.
 *
 * @example
 * ninja-sync serve --port 9000
 * ninja-sync serve --demo
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Config, ConfigError, loadConfig, oauthRedirectUrl } from '../../config.ts';
import {
  createOomnitzaConnection,
  findOomnitzaConnectionByName,
  updateOomnitzaConnection,
} from '../../credentials/oomnitza-connections.ts';
import { createCredential, findCredentialRowByName, updateCredential } from '../../credentials/store.ts';
import { serverRunningOn, writeServerPidFile } from '../../db/backup.ts';
import { allowPrivateVendorHosts } from '../../http/vendor-hosts.ts';
import { createLogger } from '../../server/logger.ts';
import { type StartedServer, startServer } from '../../server/start.ts';
import { ensureWebBuild } from '../../server/web-build.ts';
import { version } from '../../version.ts';
import { type RunningEmulators, startEmulators } from '../emulators.ts';
import { exitCodes } from '../exit-codes.ts';
import { type DemoAgent, demoAgentName, demoLocalIntegrationName, startDemoAgent } from './demo-agent.ts';
import { untilSignal } from './emulate.ts';

import type { CliIo } from '../io.ts';

export interface ServeOptions {
  readonly port?: number | undefined;
  readonly dataDir?: string | undefined;
  readonly demo: boolean;
  readonly worker: boolean;
}

export const demoCredentialName = 'NinjaOne (demo)';
export const demoConnectionName = 'Oomnitza (demo)';

export function configOrExit(io: CliIo, overrides: { port?: number | undefined; dataDir?: string | undefined }): Config | null {
  try {
    return loadConfig(io.env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`ninja-sync: ${error.message}\n`);
      return null;
    }
    throw error;
  }
}

export async function serveCommand(io: CliIo, options: ServeOptions, stop: Promise<unknown> = untilSignal()): Promise<number> {
  const throwaway = options.dataDir === undefined && options.demo ? await mkdtemp(join(tmpdir(), 'ninja-sync-demo-')) : null;
  const dataDir = options.dataDir ?? throwaway ?? undefined;
  const config = configOrExit(io, { port: options.port, dataDir });
  if (!config) return exitCodes.usage;
  // One server per SQLite store (its worker is the store's only one), and the pid file `restore`
  // checks is one server's: a second one would overwrite it, and remove it when it stops.
  const running = config.databaseUrl === undefined ? serverRunningOn(config.dataDir) : null;
  if (running !== null) {
    io.err(
      `ninja-sync serve: a ninja-sync server (pid ${running}) is already using ${config.dataDir}; stop it first, or give this one another --data-dir\n`,
    );
    return exitCodes.failed;
  }
  // The demo's emulators listen on loopback; otherwise the operator's setting decides.
  allowPrivateVendorHosts(config.allowPrivateHosts || options.demo);

  try {
    if (await ensureWebBuild()) io.out('built the web UI (web/dist)\n');
  } catch (error) {
    // Without Vite (a production install without dev dependencies) the API still serves; the
    // UI's page says how to build it.
    io.err(
      `ninja-sync serve: the web UI could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run \`npm run build:web\`\n`,
    );
  }

  let emulators: RunningEmulators | null = null;
  let demoAgent: DemoAgent | null = null;
  let server: StartedServer;
  const logger = createLogger({ level: config.logLevel });
  try {
    if (options.demo) emulators = await startEmulators({ seed: 7, users: 40 });
    server = await startServer(config, {
      logger,
      worker: options.worker,
      ...(emulators ? { demo: { ninjaOneUrl: emulators.ninjaone.url, oomnitzaUrl: emulators.oomnitza.url } } : {}),
    });
  } catch (error) {
    await emulators?.close();
    io.err(`ninja-sync serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }

  const redirectUrl = oauthRedirectUrl(server.context.config);
  // `ninja-sync restore` refuses while this file names a live process.
  const removePidFile = server.context.dialect === 'sqlite' ? writeServerPidFile(config.dataDir) : null;
  logger.info(
    { version, url: server.url, store: server.context.dialect, worker: options.worker, demo: options.demo },
    'ninja-sync started',
  );
  io.out(`ninja-sync ${version} is listening on ${server.url}\n`);
  io.out(`  store: ${server.context.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}\n`);
  io.out(`  OAuth redirect URL to register in NinjaOne: ${redirectUrl}\n`);
  if (emulators) {
    const { ninjaone, oomnitza } = emulators;
    ninjaone.addRedirectUri('demo-web', redirectUrl);
    const web = ninjaone.clientApps.find((app) => app.clientId === 'demo-web');
    await prefillDemo(server, {
      ninjaOneUrl: ninjaone.url,
      clientSecret: web?.clientSecret ?? 'demo-web-secret',
      oomnitzaUrl: oomnitza.url,
      apiToken: oomnitza.apiToken,
    });
    const m2m = ninjaone.clientApps.find((app) => app.clientId === 'demo-m2m');
    const agentLog = logger.child({ component: 'demo-agent' });
    demoAgent = await startDemoAgent(server, {
      ninjaOneUrl: ninjaone.url,
      clientId: m2m?.clientId ?? 'demo-m2m',
      clientSecret: m2m?.clientSecret ?? 'demo-m2m-secret',
      oomnitzaUrl: oomnitza.url,
      apiToken: oomnitza.apiToken,
      log: (level, message, fields = {}) => agentLog[level](fields, message),
    });
    io.out(`\nDEMO MODE — nothing here touches a real NinjaOne or Oomnitza.\n`);
    io.out(`  NinjaOne emulator: ${ninjaone.url} (client app demo-web, already registered with the redirect URL)\n`);
    io.out(`  Oomnitza emulator: ${oomnitza.url}\n`);
    io.out(`  Pre-filled: credential "${demoCredentialName}" (click Authenticate) and connection "${demoConnectionName}".\n`);
    io.out(
      `  Local installation: "${demoLocalIntegrationName}", run by "${demoAgentName}" in this process (its secrets sealed in ${demoAgent.dataDir}).\n`,
    );
    io.out(`  Data folder: ${config.dataDir}${throwaway ? ' (removed when the demo stops)' : ''}\n`);
  }
  io.out(`\nOpen ${server.url} to set up the first admin. Stop with Ctrl-C.\n`);

  await stop;
  io.err('ninja-sync: stopping (canceling the run in hand, if any)…\n');
  await demoAgent?.stop();
  await server.close();
  removePidFile?.();
  await emulators?.close();
  if (throwaway) await rm(throwaway, { recursive: true, force: true });
  return exitCodes.ok;
}

/**
 * The demo credential and connection, pointing at this start's emulators. On a data folder from an
 * earlier demo they exist already, pointing at that run's ports: they are repointed (the
 * credential then needs Authenticate again, as after any URL change).
 */
async function prefillDemo(
  server: StartedServer,
  demo: { ninjaOneUrl: string; clientSecret: string; oomnitzaUrl: string; apiToken: string },
): Promise<void> {
  const { db, vault } = server.context;
  const now = new Date();
  const credential = await findCredentialRowByName(db, demoCredentialName);
  const settings = {
    url: demo.ninjaOneUrl,
    clientId: 'demo-web',
    clientSecret: demo.clientSecret,
    scopes: 'monitoring management',
    grantType: 'authorization_code' as const,
    allowInsecureHttp: true,
  };
  if (credential) {
    if (credential.url !== new URL(demo.ninjaOneUrl).origin) await updateCredential(db, vault, credential.id, settings, now);
  } else await createCredential(db, vault, { name: demoCredentialName, ...settings }, now);
  const connection = await findOomnitzaConnectionByName(db, demoConnectionName);
  const target = { url: demo.oomnitzaUrl, apiToken: demo.apiToken, allowInsecureHttp: true };
  if (connection) await updateOomnitzaConnection(db, vault, connection.id, target, now);
  else await createOomnitzaConnection(db, vault, { name: demoConnectionName, ...target }, now);
}
