/**
 * `ninja-sync agent`: the Local installation's agent (see `src/agent/agent.ts`), and
 * `ninja-sync agent secret set NAME` for its sealed store of secrets.
 *
 * @example
 * ninja-sync agent --server https://sync.example.com --token nsa_… --data-dir /var/lib/ninja-sync-agent
 * printf '%s' "$TOKEN" | ninja-sync agent secret set OOMNITZA_API_TOKEN --data-dir /var/lib/ninja-sync-agent
 */
import { runAgent } from '../../agent/agent.ts';
import { openSecretStore } from '../../agent/secret-store.ts';
import { AgentRefusedError, checkServerUrl } from '../../agent/server-client.ts';
import { ConfigError, readAgentSettings } from '../../config.ts';
import { createLogger } from '../../server/logger.ts';
import { version } from '../../version.ts';
import { exitCodes } from '../exit-codes.ts';
import { untilSignal } from './emulate.ts';

import type { CliIo } from '../io.ts';

export interface AgentCommandOptions {
  readonly server?: string | undefined;
  readonly token?: string | undefined;
  readonly dataDir: string;
}

export async function agentCommand(io: CliIo, options: AgentCommandOptions, stopWhen: Promise<unknown> = untilSignal()): Promise<number> {
  const serverText = options.server ?? io.env['NINJA_SYNC_SERVER_URL'];
  const token = options.token ?? io.env['NINJA_SYNC_AGENT_TOKEN'];
  if (!serverText || !token) {
    io.err(
      'ninja-sync agent: give --server URL and --token TOKEN (or NINJA_SYNC_SERVER_URL and NINJA_SYNC_AGENT_TOKEN); an admin creates the token under Agents\n',
    );
    return exitCodes.usage;
  }
  let serverUrl: URL;
  try {
    serverUrl = checkServerUrl(serverText);
  } catch (error) {
    io.err(`ninja-sync agent: ${(error as Error).message}\n`);
    return exitCodes.usage;
  }
  let settings;
  try {
    settings = readAgentSettings(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`ninja-sync agent: ${error.message}\n`);
    return exitCodes.usage;
  }
  const logger = createLogger({ level: settings.logLevel });
  const controller = new AbortController();
  void stopWhen.then(() => {
    logger.info('stopping: the run in hand, if any, is canceled at its next safe point and reported');
    controller.abort();
  });
  try {
    await runAgent({
      serverUrl,
      token,
      dataDir: options.dataDir,
      env: io.env,
      expressionLimits: settings.expressionLimits,
      version,
      stop: controller.signal,
      log: (level, message, fields = {}) => logger[level](fields, message),
    });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof AgentRefusedError) {
      io.err(`ninja-sync agent: ${error.message}\n`);
      return exitCodes.failed;
    }
    io.err(`ninja-sync agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
}

/** `agent secret set NAME`: the value from stdin (never an argument, which others could read). */
export async function agentSecretSetCommand(
  io: CliIo,
  name: string,
  options: { dataDir: string },
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  const value = text.replace(/\r?\n$/, '');
  try {
    const store = await openSecretStore({ dataDir: options.dataDir, env: io.env });
    await store.set(name, value);
  } catch (error) {
    io.err(`ninja-sync agent secret set: ${(error as Error).message}\n`);
    return exitCodes.usage;
  }
  io.out(`${name} is stored sealed in ${options.dataDir}\n`);
  return exitCodes.ok;
}
