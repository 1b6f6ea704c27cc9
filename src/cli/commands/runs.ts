/**
 * `ninja-sync runs list` and `ninja-sync runs show ID`: the stored runs and their records, read
 * from the same store `run` writes (SQLite in ./data, or DATABASE_URL). An id may be shortened to
 * its first characters, as `runs list` prints it, when that prefix is unique.
 *
 * @example
 * ninja-sync runs list --limit 5
 * ninja-sync runs show 3f2a9c1e --outcome failed
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { openDatabase, sqliteFileName } from '../../db/open-database.ts';
import { listRunRecords } from '../../runs/run-records.ts';
import { getRun, listRuns } from '../../runs/run-store.ts';
import { type RecordOutcomeKind, recordOutcomes } from '../../sync/ports.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatChanges, formatDuration, table } from '../summary.ts';

import type { AppDb } from '../../db/app-database.ts';
import type { Run } from '../../runs/run.ts';
import type { CliIo } from '../io.ts';

export async function runsListCommand(
  io: CliIo,
  options: { readonly dataDir: string; readonly limit: number; readonly json: boolean },
): Promise<number> {
  const noStore = (where: string): number => {
    io.out(
      options.json
        ? `${JSON.stringify({ runs: [] })}\n`
        : `No runs yet: there is no store at ${where}. Start one with: ninja-sync run --config FILE (or ninja-sync demo)\n`,
    );
    return exitCodes.ok;
  };
  return withDb(io, options.dataDir, noStore, async (db) => {
    const runs = await listRuns(db, { limit: options.limit });
    if (options.json) {
      io.out(`${JSON.stringify({ runs })}\n`);
      return exitCodes.ok;
    }
    if (runs.length === 0) {
      io.out('No runs yet. Start one with: ninja-sync run --config FILE (or ninja-sync demo)\n');
      return exitCodes.ok;
    }
    const rows = runs.map((run) => [
      run.id.slice(0, 8),
      run.queuedAt.replace('T', ' ').slice(0, 19),
      run.state + (run.dryRun ? ' (dry run)' : ''),
      String(run.counts.created),
      String(run.counts.updated),
      String(run.counts.unchanged),
      String(run.counts.skipped),
      String(run.counts.filtered),
      String(run.counts.failed),
      durationOf(run),
      run.integrationName,
    ]);
    const header = [
      'id',
      'queued (UTC)',
      'state',
      'created',
      'updated',
      'unchanged',
      'skipped',
      'filtered',
      'failed',
      'took',
      'integration',
    ];
    const align = ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] as const;
    io.out(`${table([header, ...rows], align).join('\n')}\n`);
    return exitCodes.ok;
  });
}

export async function runsShowCommand(
  io: CliIo,
  id: string,
  options: { readonly dataDir: string; readonly limit: number; readonly json: boolean; readonly outcome?: string },
): Promise<number> {
  if (options.outcome !== undefined && !(recordOutcomes as readonly string[]).includes(options.outcome)) {
    io.err(`ninja-sync runs show: --outcome must be one of ${recordOutcomes.join(', ')}\n`);
    return exitCodes.usage;
  }
  const noStore = (where: string): number => {
    io.err(`ninja-sync runs show: no run ${id}: there is no store at ${where}; give the --data-dir the run was made with\n`);
    return exitCodes.failed;
  };
  return withDb(io, options.dataDir, noStore, async (db) => {
    const found = await findRun(db, id);
    if (found === null) {
      io.err(`ninja-sync runs show: no run ${id}; see ninja-sync runs list\n`);
      return exitCodes.failed;
    }
    if ('matches' in found) {
      io.err(
        `ninja-sync runs show: ${id} is the start of ${found.matches.join(', ')}${found.more ? ' and more' : ''}; give more of the id\n`,
      );
      return exitCodes.failed;
    }
    const run = found;
    const { records, total } = await listRunRecords(db, run.id, {
      limit: options.limit,
      offset: 0,
      ...(options.outcome ? { outcome: options.outcome as RecordOutcomeKind } : {}),
    });
    if (options.json) {
      io.out(`${JSON.stringify({ run, records, total })}\n`);
      return exitCodes.ok;
    }
    const lines = [
      `Run ${run.id}${run.dryRun ? ' (dry run)' : ''}: ${run.state}`,
      `  integration  ${run.integrationName}`,
      `  queued       ${run.queuedAt}`,
      `  finished     ${run.finishedAt ?? '-'}   took ${durationOf(run)}`,
      `  users        ${countsText(run.counts)}`,
    ];
    const saas = run.saasCounts;
    if (Object.values(saas).some((n) => n > 0)) lines.push(`  SaaS users   ${countsText(saas)}`);
    if (run.fuseReason) lines.push(`  fuse         ${run.fuseReason}`);
    if (run.error) lines.push(`  error        ${run.error}`);
    lines.push('');
    if (records.length === 0) lines.push(options.outcome ? `No ${options.outcome} records.` : 'No records.');
    else {
      lines.push(
        `Records${options.outcome ? ` (${options.outcome})` : ''}: ${records.length < total ? `first ${records.length} of ${total}` : `${total}`}`,
      );
      lines.push(
        ...table(
          records.map((r) => [r.outcome, r.kind === 'saas' ? `${r.label} (SaaS)` : r.label, r.reason ?? formatChanges(r.changes)]),
          ['left', 'left', 'left'],
        ).map((l) => `  ${l}`),
      );
    }
    io.out(`${lines.join('\n')}\n`);
    return exitCodes.ok;
  });
}

/**
 * Opens the store for reading. A SQLite store that is not there is not made: a mistyped --data-dir
 * would otherwise leave an empty store behind and answer as if nothing had run.
 */
async function withDb(
  io: CliIo,
  dataDir: string,
  noStore: (where: string) => number,
  work: (db: AppDb) => Promise<number>,
): Promise<number> {
  const sqliteFile = resolve(dataDir, sqliteFileName);
  if (!io.env['DATABASE_URL'] && !existsSync(sqliteFile)) return noStore(sqliteFile);
  let opened;
  try {
    opened = await openDatabase({ databaseUrl: io.env['DATABASE_URL'], dataDir });
  } catch (error) {
    io.err(`ninja-sync runs: cannot open the run store: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
  try {
    return await work(opened.db);
  } finally {
    await opened.close();
  }
}

/** A full id, or a prefix of at least 4 characters that matches exactly one run; the runs it starts when several. */
async function findRun(db: AppDb, id: string): Promise<Run | { matches: string[]; more: boolean } | null> {
  const exact = await getRun(db, id);
  if (exact !== null || id.length < 4 || !/^[0-9a-f-]+$/i.test(id)) return exact;
  const rows = await db.selectFrom('runs').select('id').where('id', 'like', `${id.toLowerCase()}%`).orderBy('id').limit(6).execute();
  if (rows.length > 1) return { matches: rows.slice(0, 5).map((row) => row.id), more: rows.length > 5 };
  return rows[0] ? getRun(db, rows[0].id) : null;
}

function durationOf(run: Run): string {
  const start = run.startedAt ?? run.queuedAt;
  if (run.finishedAt === null) return '-';
  return formatDuration(Date.parse(run.finishedAt) - Date.parse(start));
}

/** `created 3, updated 1, unchanged 40, skipped 0, filtered 2, failed 0` */
function countsText(counts: Run['counts']): string {
  return recordOutcomes.map((outcome) => `${outcome} ${counts[outcome]}`).join(', ');
}
