/**
 * Starts a real ninja-sync server for a test, on a loopback port, against the database a
 * `forEachDialect` target gives, with its log lines captured so a test can assert what was (and was
 * not) logged; or (`startRoutesServer`) one with only the route modules a test names.
 *
 * @example
 * const server = await startTestServer(target);
 * t.after(() => server.close());
 * const admin = apiClient(server.url);
 */
import { Writable } from 'node:stream';
import pino from 'pino';

import { loadConfig } from '../../src/config.ts';
import { generateVaultKey } from '../../src/credentials/vault.ts';
import { buildApp } from '../../src/server/app.ts';
import { redactPaths } from '../../src/server/logger.ts';
import { createContext, type StartedServer, type StartOptions, startServer } from '../../src/server/start.ts';

import type { AppDb } from '../../src/db/app-database.ts';
import type { RouteModule } from '../../src/server/route-kit.ts';
import type { TestDatabaseTarget } from './databases.ts';

export interface TestServer extends StartedServer {
  /** Every log line the server wrote, as raw JSON text. */
  readonly logLines: string[];
}

export async function startTestServer(
  target: TestDatabaseTarget,
  options: StartOptions & { env?: Record<string, string> } = {},
): Promise<TestServer> {
  const { databaseUrl, dataDir } = await target.options();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: redactPaths, censor: '[redacted]' } }, sink);
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    NINJA_SYNC_KEY: generateVaultKey().toString('base64'),
    NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const server = await startServer(config, { ...options, logger });
  return { ...server, logLines };
}

/**
 * A real server on a loopback port with the given route modules (besides health, session and
 * tokens), against a fresh database of `target` that has the alert tables, and a test clock.
 *
 * @example
 * const server = await startRoutesServer(target, [registerScheduleRoutes], clock.now);
 * after(() => server.close());
 */
export async function startRoutesServer(
  target: TestDatabaseTarget,
  routes: readonly RouteModule[],
  now: () => Date,
): Promise<{ url: string; db: AppDb; close(): Promise<void> }> {
  const { databaseUrl, dataDir } = await target.options();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    NINJA_SYNC_KEY: generateVaultKey().toString('base64'),
    LOG_LEVEL: 'silent',
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  });
  const { context, close } = await createContext(config, { now, logger: pino({ level: 'silent' }) });
  const db = context.db;
  const app = await buildApp(context, routes);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    close: async () => {
      await app.close();
      await close();
    },
  };
}
