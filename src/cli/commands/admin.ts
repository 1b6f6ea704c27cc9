/**
 * Server administration from the shell: `ninja-sync admin create` (the first admin, or any user),
 * `ninja-sync key rotate` (re-seal every secret under a new vault key) and `ninja-sync worker`
 * (a worker process beside the server, for PostgreSQL).
 *
 * The password never goes on the command line (it would sit in shell history and `ps`): it is read
 * from standard input (`--password-stdin`) or from `NINJA_SYNC_ADMIN_PASSWORD`.
 *
 * @example
 * printf '%s\n' "$PASSWORD" | ninja-sync admin create --email it@acme.example --password-stdin
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { AccountError, createAppUser } from '../../accounts/users.ts';
import { rotateVaultKey } from '../../credentials/rotate-key.ts';
import { generateVaultKey, loadVaultKeys, vaultFromKeys } from '../../credentials/vault.ts';
import { openDatabase, sqliteFileName } from '../../db/open-database.ts';
import { createMailer } from '../../notifications/mailer.ts';
import { version } from '../../version.ts';
import { afterRunFinished, startMaintenance } from '../../worker/maintenance.ts';
import { startWorker } from '../../worker/worker.ts';
import { exitCodes } from '../exit-codes.ts';
import { untilSignal } from './emulate.ts';
import { configOrExit } from './serve.ts';

import type { CliIo } from '../io.ts';

export interface AdminCreateOptions {
  readonly email: string;
  readonly name?: string | undefined;
  readonly role: 'admin' | 'viewer';
  readonly passwordStdin: boolean;
  readonly dataDir?: string | undefined;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function adminCreateCommand(
  io: CliIo,
  options: AdminCreateOptions,
  readPassword: () => Promise<string> = readStdinLine,
): Promise<number> {
  const config = configOrExit(io, { dataDir: options.dataDir });
  if (!config) return exitCodes.usage;
  const password = options.passwordStdin ? await readPassword() : io.env['NINJA_SYNC_ADMIN_PASSWORD'];
  if (!password) {
    io.err(
      options.passwordStdin
        ? `ninja-sync admin create: --password-stdin read no password: standard input was empty; pipe it in, e.g. printf '%s\\n' "$PASSWORD" | ninja-sync admin create --email ${options.email} --password-stdin\n`
        : 'ninja-sync admin create: give the password on standard input with --password-stdin, or in NINJA_SYNC_ADMIN_PASSWORD (never as an argument)\n',
    );
    return exitCodes.usage;
  }
  const store = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const user = await createAppUser(
      store.db,
      { email: options.email, name: options.name ?? '', role: options.role, password },
      new Date(),
    );
    io.out(`created ${user.role} ${user.email}; sign in at ${config.publicUrl.origin}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof AccountError) {
      io.err(`ninja-sync admin create: ${error.message}\n`);
      return exitCodes.failed;
    }
    throw error;
  } finally {
    await store.close();
  }
}

export async function keyRotateCommand(io: CliIo, options: { readonly dataDir?: string | undefined }): Promise<number> {
  const config = configOrExit(io, { dataDir: options.dataDir });
  if (!config) return exitCodes.usage;
  // A mistyped data folder would otherwise get a new store and key, and "re-sealed 0 secrets".
  const sqliteFile = join(config.dataDir, sqliteFileName);
  if (config.databaseUrl === undefined && !existsSync(sqliteFile)) {
    io.err(`ninja-sync key rotate: there is no store to re-seal: ${sqliteFile} does not exist (check --data-dir / DATA_DIR)\n`);
    return exitCodes.failed;
  }
  const keys = await loadVaultKeys({
    envKey: config.vaultKey,
    envPreviousKeys: config.vaultPreviousKeys,
    keyFile: config.vaultKeyFile,
    dataDir: config.dataDir,
  });
  const store = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const newKey = generateVaultKey();
    const { resealed } = await rotateVaultKey(store.db, keys, newKey);
    const newKeyId = vaultFromKeys({ current: newKey, previous: [], file: null }).keyId;
    if (keys.file) {
      io.out(
        `re-sealed ${resealed} secrets under a new key (id ${newKeyId}); ${keys.file} now holds only the new key. Restart the server and workers.\n`,
      );
    } else {
      io.out(`re-sealed ${resealed} secrets under a new key (id ${newKeyId}).\n`);
      io.out(
        `Set NINJA_SYNC_KEY to the new key below for the server and every worker, then restart them; the old key no longer opens anything.\n`,
      );
      io.out(`${newKey.toString('base64')}\n`);
    }
    return exitCodes.ok;
  } finally {
    await store.close();
  }
}

export interface WorkerCommandOptions {
  readonly id?: string | undefined;
  readonly pollMs: number;
  /** How often the worker says a run is alive (default 5 s). */
  readonly heartbeatMs?: number | undefined;
  /** A run without a heartbeat for this long is failed (default 60 s). */
  readonly staleAfterMs?: number | undefined;
  /** How often schedules, watchdogs and e-mail are looked after (default 15 s). */
  readonly tickMs?: number | undefined;
  /** Runs this process executes at the same time (default 1). */
  readonly runsPerWorker?: number | undefined;
}

export async function workerCommand(io: CliIo, options: WorkerCommandOptions, stop: Promise<unknown> = untilSignal()): Promise<number> {
  const config = configOrExit(io, {});
  if (!config) return exitCodes.usage;
  if (!config.databaseUrl) {
    io.err(
      'ninja-sync worker: separate workers need PostgreSQL (set DATABASE_URL); with the embedded SQLite store, `ninja-sync serve` runs its own worker\n',
    );
    return exitCodes.usage;
  }
  const keys = await loadVaultKeys({
    envKey: config.vaultKey,
    envPreviousKeys: config.vaultPreviousKeys,
    keyFile: config.vaultKeyFile,
    dataDir: config.dataDir,
  });
  const runsPerWorker = options.runsPerWorker ?? 1;
  if (config.databasePoolSize < runsPerWorker + 1) {
    io.err(
      `ninja-sync worker: DATABASE_POOL_SIZE=${config.databasePoolSize} is too small for ${runsPerWorker} runs at once: each run needs a connection to report while the worker claims and heartbeats; set it to at least ${runsPerWorker + 1} (twice the runs is comfortable)\n`,
    );
    return exitCodes.usage;
  }
  const store = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: config.databasePoolSize });
  const log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void =>
    io.err(`${JSON.stringify({ level, message, ...fields })}\n`);
  const now = (): Date => new Date();
  const maintenanceDeps = {
    db: store.db,
    now,
    publicUrl: config.publicUrl,
    mailer: createMailer(config),
    log,
    ...(options.staleAfterMs ? { staleAfterMs: options.staleAfterMs } : {}),
  };
  const worker = startWorker(
    {
      db: store.db,
      vault: vaultFromKeys(keys),
      dialect: store.dialect,
      now,
      log,
      expressionLimits: config.expressionLimits,
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    },
    {
      ...(options.id ? { workerId: options.id } : {}),
      pollMs: options.pollMs,
      runsAtOnce: runsPerWorker,
      onRunFinished: (run) => afterRunFinished(maintenanceDeps, run),
    },
  );
  const maintenance = startMaintenance(maintenanceDeps, {
    ...(options.tickMs ? { intervalMs: options.tickMs } : {}),
    onQueued: () => worker.wake(),
  });
  void maintenance.tick();
  io.out(
    `ninja-sync ${version} worker ${worker.workerId} is taking runs from PostgreSQL, ${runsPerWorker === 1 ? 'one at a time' : `${runsPerWorker} at a time`}; stop with Ctrl-C\n`,
  );
  await stop;
  await maintenance.stop();
  await worker.stop();
  maintenanceDeps.mailer?.close();
  await store.close();
  return exitCodes.ok;
}
