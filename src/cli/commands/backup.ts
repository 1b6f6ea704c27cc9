/**
 * `ninja-sync backup --to FILE` and `ninja-sync restore --from FILE`: a consistent copy of the
 * SQLite store while the server runs, and its return into a data folder no server is using. On
 * PostgreSQL both say how to use pg_dump and pg_restore instead.
 *
 * @example
 * ninja-sync backup --to /backups/ninja-sync-$(date +%F).db
 * ninja-sync restore --from /backups/ninja-sync-2026-12-01.db --data-dir /var/lib/ninja-sync
 */
import { resolve } from 'node:path';

import { BackupError, backupSqlite, postgresBackupAdvice, restoreSqlite } from '../../db/backup.ts';
import { exitCodes } from '../exit-codes.ts';
import { configOrExit } from './serve.ts';

import type { CliIo } from '../io.ts';

const keyReminder =
  'The backup holds the stored secrets sealed by the vault key and cannot be read without it: keep the key (NINJA_SYNC_KEY, or vault.key in the data folder) safe, apart from the backups.';

export async function backupCommand(io: CliIo, options: { readonly to: string; readonly dataDir?: string | undefined }): Promise<number> {
  const config = configOrExit(io, { dataDir: options.dataDir });
  if (!config) return exitCodes.usage;
  if (config.databaseUrl) {
    io.err(`ninja-sync backup: ${postgresBackupAdvice}\n`);
    return exitCodes.usage;
  }
  const to = resolve(io.cwd, options.to);
  try {
    const { runs } = await backupSqlite(config.dataDir, to);
    io.out(`backed up the store of ${config.dataDir} to ${to} (${runs} runs)\n${keyReminder}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    io.err(`ninja-sync backup: ${error.message}\n`);
    return exitCodes.failed;
  }
}

export async function restoreCommand(
  io: CliIo,
  options: { readonly from: string; readonly dataDir?: string | undefined; readonly replace: boolean },
): Promise<number> {
  const config = configOrExit(io, { dataDir: options.dataDir });
  if (!config) return exitCodes.usage;
  if (config.databaseUrl) {
    io.err(`ninja-sync restore: ${postgresBackupAdvice}\n`);
    return exitCodes.usage;
  }
  try {
    const { runs, keptAs } = restoreSqlite(resolve(io.cwd, options.from), config.dataDir, { replace: options.replace });
    io.out(`restored ${runs} runs into ${config.dataDir}${keptAs ? `; the store it replaced is kept as ${keptAs}` : ''}\n`);
    io.out('Start the server with the vault key the backup was made with.\n');
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    io.err(`ninja-sync restore: ${error.message}\n`);
    return exitCodes.failed;
  }
}
