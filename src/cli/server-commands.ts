/**
 * The server's commands on the `ninja-sync` command line: `serve`, `worker`, `backup`, `restore`,
 * `admin create` and `key rotate`. Kept apart from the file-run commands in `main.ts`; each module loads on use.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';

import type { CliIo } from './io.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

export function addServerCommands(sub: (name: string) => Command, io: CliIo, setExit: (code: number) => void): void {
  sub('serve')
    .description(
      'run the server: REST API, OAuth redirect and web UI, with its worker, runs in a thread of their own (SQLite in ./data by default)',
    )
    .option('--port <port>', 'port to listen on (else PORT, else 8080)', port)
    .option('--data-dir <dir>', 'folder of the SQLite store and the vault key (else DATA_DIR, else ./data)')
    .option('--demo', 'also start both emulators in-process, pre-filled, and mark every page as a demo')
    .option('--no-worker', 'do not run queued runs in this process (separate `ninja-sync worker` processes take them)')
    .addHelpText(
      'after',
      '\nEnvironment: HOST, PORT, PUBLIC_URL, DATA_DIR, DATABASE_URL, NINJA_SYNC_KEY, NINJA_SYNC_KEY_FILE, SMTP_URL, SMTP_FROM, LOG_LEVEL.',
    )
    .action(async (options: { port?: number; dataDir?: string; demo?: boolean; worker: boolean }) =>
      setExit(
        await (
          await import('./commands/serve.ts')
        ).serveCommand(io, { port: options.port, dataDir: options.dataDir, demo: options.demo === true, worker: options.worker }),
      ),
    );

  sub('worker')
    .description('take queued runs from PostgreSQL (DATABASE_URL), beside the server; start as many as you like')
    .option('--id <id>', 'a name for this worker in run records (else host:pid)')
    .option('--poll-ms <ms>', 'how often an idle worker looks for runs', positive, 2000)
    .option('--heartbeat-ms <ms>', 'how often a running run is stamped alive', positive, 5000)
    .option('--stale-after-ms <ms>', 'fail a running run with no heartbeat for this long (its worker died)', positive, 60000)
    .option('--tick-ms <ms>', 'how often schedules, watchdogs and e-mail are looked after', positive, 15000)
    .addOption(
      new Option('--runs-per-worker <n>', 'runs this process executes at the same time (runs mostly wait for the vendors)')
        .argParser(positive)
        .env('NINJA_SYNC_RUNS_PER_WORKER')
        .default(1),
    )
    .addHelpText(
      'after',
      '\nEnvironment: DATABASE_URL, DATABASE_POOL_SIZE (keep it above --runs-per-worker), NINJA_SYNC_KEY, NINJA_SYNC_RUNS_PER_WORKER.',
    )
    .action(
      async (options: { id?: string; pollMs: number; heartbeatMs: number; staleAfterMs: number; tickMs: number; runsPerWorker: number }) =>
        setExit(await (await import('./commands/admin.ts')).workerCommand(io, options)),
    );

  sub('backup')
    .description('copy the SQLite store to a file while the server runs (on PostgreSQL: says how with pg_dump)')
    .requiredOption('--to <file>', 'the backup file to write (never overwritten)')
    .option('--data-dir <dir>', 'folder of the SQLite store (else DATA_DIR, else ./data)')
    .action(async (options: { to: string; dataDir?: string }) =>
      setExit(await (await import('./commands/backup.ts')).backupCommand(io, options)),
    );

  sub('restore')
    .description('put a backup in place as the SQLite store; refused while a server uses the data folder')
    .requiredOption('--from <file>', 'the backup file (made by ninja-sync backup)')
    .option('--data-dir <dir>', 'folder of the SQLite store (else DATA_DIR, else ./data)')
    .option('--replace', 'replace a store that is already there (it is kept beside, renamed)')
    .action(async (options: { from: string; dataDir?: string; replace?: boolean }) =>
      setExit(await (await import('./commands/backup.ts')).restoreCommand(io, { ...options, replace: options.replace === true })),
    );

  const admin = sub('admin').description('manage app users');
  admin
    .command('create')
    .description('create a user (the first admin on a fresh install); the password comes from stdin or NINJA_SYNC_ADMIN_PASSWORD')
    .requiredOption('--email <email>', 'the e-mail address to sign in with')
    .option('--name <name>', 'display name')
    .option(
      '--role <role>',
      'admin or viewer',
      (value: string) => {
        if (value !== 'admin' && value !== 'viewer') throw new InvalidArgumentError('use admin or viewer.');
        return value;
      },
      'admin',
    )
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--data-dir <dir>', 'folder of the SQLite store (else DATA_DIR, else ./data)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action(async (options: { email: string; name?: string; role: 'admin' | 'viewer'; passwordStdin?: boolean; dataDir?: string }) =>
      setExit(
        await (await import('./commands/admin.ts')).adminCreateCommand(io, { ...options, passwordStdin: options.passwordStdin === true }),
      ),
    );

  const key = sub('key').description('manage the vault key');
  key
    .command('rotate')
    .description('re-seal every stored secret under a new vault key, in one transaction')
    .option('--data-dir <dir>', 'folder of the SQLite store and the key file (else DATA_DIR, else ./data)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action(async (options: { dataDir?: string }) => setExit(await (await import('./commands/admin.ts')).keyRotateCommand(io, options)));
}
