/**
 * A real `ninja-sync agent` process for end-to-end tests: started from `bin/ninja-sync.js` with its
 * secrets in its own environment, its output kept (to assert what it logged, and what it did not),
 * and stopped with the signal a test names.
 *
 * @example
 * const agent = startAgent(server.url, token, dataDir, { NINJAONE_CLIENT_SECRET: 'x', OOMNITZA_API_TOKEN: 'y' });
 * t.after(() => stopAgent(agent));
 */
import { type ChildProcess, spawn } from 'node:child_process';

export type AgentProcess = ChildProcess & { readonly output: string[] };

export function startAgent(serverUrl: string, token: string, dataDir: string, env: Record<string, string>): AgentProcess {
  const child = spawn(process.execPath, ['bin/ninja-sync.js', 'agent', '--server', serverUrl, '--token', token, '--data-dir', dataDir], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return Object.assign(child, { output });
}

/** Stops the agent (SIGTERM: it finishes its run as canceled; SIGKILL: it just dies) and waits for its exit. */
export async function stopAgent(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
