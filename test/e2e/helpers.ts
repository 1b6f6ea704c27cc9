/**
 * End-to-end helpers: both emulators in the test process on 127.0.0.1, an integration file that
 * points at them, and `node bin/ninja-sync.js` spawned as a child process, as a user runs it.
 *
 * @example
 * const world = await startWorld(t, { users: 30 });
 * const file = await writeIntegration(world);
 * const run = await runCli(['run', '--config', file, '--json', '--data-dir', world.dataDir], { env: world.env });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type NinjaOneEmulator, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { type OomnitzaEmulator, startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = join(repoRoot, 'bin', 'ninja-sync.js');

export interface World {
  readonly ninjaone: NinjaOneEmulator;
  readonly oomnitza: OomnitzaEmulator;
  readonly dir: string;
  readonly dataDir: string;
  /** The environment the integration file's ${VARS} read. */
  readonly env: Record<string, string>;
}

interface Cleanup {
  after(fn: () => Promise<void>): void;
}

export interface WorldOptions {
  readonly users?: number;
  readonly seed?: number;
  readonly oomnitzaUsers?: number;
  readonly seedUsers?: Record<string, unknown>[];
  /** NinjaOne's consent page approves by itself (for an authorization-code flow in a test). */
  readonly autoApprove?: boolean;
}

export async function startWorld(t: Cleanup, options: WorldOptions = {}): Promise<World> {
  const ninjaone = await startNinjaOneEmulator({
    host: '127.0.0.1',
    port: 0,
    seed: options.seed ?? 3,
    users: options.users ?? 30,
    autoApprove: options.autoApprove ?? false,
  });
  const oomnitza = await startOomnitzaEmulator({
    host: '127.0.0.1',
    port: 0,
    seed: options.seed ?? 3,
    users: options.oomnitzaUsers ?? 5,
    ...(options.seedUsers ? { seedUsers: options.seedUsers } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-e2e-'));
  t.after(async () => {
    await Promise.allSettled([ninjaone.close(), oomnitza.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const env = {
    NINJAONE_URL: ninjaone.url,
    NINJAONE_CLIENT_ID: 'demo-m2m',
    NINJAONE_CLIENT_SECRET: 'demo-m2m-secret',
    OOMNITZA_URL: oomnitza.url,
    OOMNITZA_API_TOKEN: oomnitza.apiToken,
  };
  return { ninjaone, oomnitza, dir, dataDir: join(dir, 'data'), env };
}

/** The integration most tests run: users by email, with an expression, a transform and a filter. */
export function integrationYaml(extra = ''): string {
  return `name: e2e users
source:
  url: \${NINJAONE_URL}
  clientId: \${NINJAONE_CLIENT_ID}
  clientSecret: \${NINJAONE_CLIENT_SECRET}
destination:
  url: \${OOMNITZA_URL}
  apiToken: \${OOMNITZA_API_TOKEN}
allowInsecureHttp: true
syncKeys: [email]
customFields:
  fullName: "$trim(firstName & ' ' & lastName)"
mapping:
  email: { field: email, transform: [trim, lower] }
  username: { field: email, transform: [trim, lower] }
  first_name: { field: firstName, transform: [trim] }
  last_name: { field: lastName, transform: [trim] }
  full_name: fullName
  phone_number: phone
${extra}`;
}

export async function writeIntegration(world: World, text = integrationYaml(), name = 'integration.yaml'): Promise<string> {
  const file = join(world.dir, name);
  await writeFile(file, text);
  return file;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Kill the child after this long (a test must never hang); 120 s by default. */
  readonly timeoutMs?: number;
  /** Called with the child once it is spawned (to kill it mid-way). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Spawns `node bin/ninja-sync.js ...args` and collects its output and exit code. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** Requests the Oomnitza emulator logged that write (POST, PATCH, PUT, DELETE) under /api. */
export function oomnitzaWrites(world: World): number {
  return world.oomnitza.knobs.log.filter((e) => e.path.startsWith('/api/') && e.method !== 'GET').length;
}

export function parseJsonOutput(result: CliResult): Record<string, unknown> {
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== 1)
    throw new Error(`expected one line of JSON on stdout, got ${lines.length}:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

/** What `ninja-sync run --json` prints. */
export interface RunJson {
  ok: boolean;
  runId: string;
  state: string;
  dryRun: boolean;
  counts: Record<'created' | 'updated' | 'unchanged' | 'skipped' | 'filtered' | 'failed', number>;
  durationMs: number;
  error: string | null;
  problems: { outcome: string; label: string; sourceId: string | null; reason: string }[];
  problemTotal: number;
  plan?: { outcome: string; label: string; changes: { field: string; old: unknown; new: unknown }[] }[];
}

/** `ninja-sync run --config FILE --json` against the world, with its JSON answer. */
export async function runJson(
  world: World,
  file: string,
  extra: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number | null; json: RunJson; stderr: string }> {
  const result = await runCli(['run', '--config', file, '--json', '--data-dir', world.dataDir, ...extra], {
    env: { ...world.env, ...env },
  });
  return { code: result.code, json: parseJsonOutput(result) as unknown as RunJson, stderr: result.stderr };
}

/** The NinjaOne users a sync by email can write: with an email no other user shares. */
export function syncable(world: World): number {
  const emails = new Map<string, number>();
  for (const user of world.ninjaone.world.users) {
    const key = user.email?.trim().toLowerCase();
    if (key) emails.set(key, (emails.get(key) ?? 0) + 1);
  }
  return [...emails.values()].filter((n) => n === 1).length;
}

export interface SpawnedServe {
  readonly child: ChildProcess;
  /** Where it listens, from its first lines. */
  readonly url: string;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
}

/**
 * A `serve` process spawned as a user starts it (`command args`, e.g. the repo's bin or an installed
 * one); resolves with its URL once it says it listens and how to stop it; rejects with its output if
 * it exits first or takes over 90 s.
 *
 * @example const serve = await spawnServe(process.execPath, [binPath, 'serve', '--port', '0'], { cwd: repoRoot, env });
 */
export function spawnServe(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): Promise<SpawnedServe> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within 90 s:\n${out}`));
    }, 90_000);
    child.stdout.on('data', () => {
      const url = /is listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve({ child, url, output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}
