/**
 * Starts a real ninja-sync server for a test, on a loopback port, against the database a
 * `forEachDialect` target gives, with its log lines captured so a test can assert what was (and was
 * not) logged.
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
import { redactPaths } from '../../src/server/logger.ts';
import { type StartedServer, type StartOptions, startServer } from '../../src/server/start.ts';

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
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const server = await startServer(config, { ...options, logger });
  return { ...server, logLines };
}
