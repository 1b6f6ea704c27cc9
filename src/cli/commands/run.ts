/**
 * `ninja-sync run --config FILE`: loads and checks the integration file, builds the NinjaOne and
 * Oomnitza clients from its inline settings, runs one sync recorded in the store, and prints a
 * summary table (or, with `--json`, one JSON object). The exit code tells the outcome apart.
 *
 * Ctrl-C (or SIGTERM) cancels at the next safe point: records already written stay written, the run
 * is stored as canceled, and a rerun finishes the job. A second Ctrl-C quits at once.
 *
 * @example
 * ninja-sync run --config examples/ninjaone-users.yaml --dry-run
 */
import { ConfigError, readFileRunSettings } from '../../config.ts';
import { openDatabase } from '../../db/open-database.ts';
import { loadIntegrationFile } from '../../integrations/load.ts';
import { buildClients } from '../build-clients.ts';
import { exitCodeOfRunState, exitCodes } from '../exit-codes.ts';
import { cancelOnSignal } from '../interrupt.ts';
import { retryTally, runOnce } from '../run-once.ts';
import { formatSummary } from '../summary.ts';
import { formatProblem } from './validate.ts';

import type { OomnitzaClient } from '../../oomnitza/client.ts';
import type { CliIo } from '../io.ts';

export interface RunOptions {
  readonly config: string;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly dataDir: string;
  readonly concurrency: number;
  /** Failed and skipped records listed at the end. */
  readonly show: number;
}

export async function runCommand(io: CliIo, options: RunOptions): Promise<number> {
  // A bad setting stops the command before it reads a file or calls a vendor, as it stops `serve`.
  let expressionLimits;
  try {
    ({ expressionLimits } = readFileRunSettings(io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    failBeforeRun(io, options, error.message);
    return exitCodes.usage;
  }
  const loaded = await loadIntegrationFile(options.config, { env: io.env, fileRun: true });
  if (!loaded.ok) {
    if (options.json)
      io.out(`${JSON.stringify({ ok: false, state: 'failed', error: 'the integration file has problems', problems: loaded.problems })}\n`);
    else {
      for (const problem of loaded.problems) io.err(`${formatProblem(options.config, problem)}\n`);
      io.err(
        `${options.config}: not run; fix the problem${loaded.problems.length === 1 ? '' : 's'} above (ninja-sync validate ${options.config})\n`,
      );
    }
    return exitCodes.failed;
  }
  const integration = loaded.integration;
  const tally = retryTally();
  const clients = await buildClients(integration, {
    dataDir: options.dataDir,
    env: io.env,
    concurrency: options.concurrency,
    onRetry: tally.onRetry,
  });
  if (!clients.ok) return failBeforeRun(io, options, clients.message);
  const fieldProblems = await checkAgainstOomnitzaFields(io, options, clients.destination);
  if (fieldProblems !== null) return fieldProblems;

  let database;
  try {
    database = await openDatabase({ databaseUrl: io.env['DATABASE_URL'], dataDir: options.dataDir });
  } catch (error) {
    return failBeforeRun(io, options, `cannot open the run store: ${error instanceof Error ? error.message : String(error)}`);
  }

  const interrupt = cancelOnSignal((signal) => {
    if (!options.json) io.err(`\n${signal}: canceling at the next safe point (again to quit at once)...\n`);
  });
  try {
    // The parsed origins, not the file's text: a URL pasted with a path or user info prints clean.
    if (!options.json)
      io.err(
        `${options.dryRun ? 'Dry run' : 'Run'} of "${integration.name}": NinjaOne ${clients.ninjaoneOrigin.origin} → Oomnitza ${clients.destination.baseUrl.origin}\n`,
      );
    const done = await runOnce({
      db: database.db,
      integration,
      source: clients.source,
      destination: clients.destination,
      io,
      dryRun: options.dryRun,
      concurrency: options.concurrency,
      progress: !options.json,
      signal: interrupt.signal,
      sampleLimit: options.show,
      retries: tally.counts,
      expressionLimits,
    });
    const { summary } = done;
    if (options.json) {
      io.out(
        `${JSON.stringify({
          ok: summary.state === 'succeeded',
          runId: summary.runId,
          integration: summary.integration,
          state: summary.state,
          dryRun: summary.dryRun,
          counts: summary.counts,
          ...(summary.saasCounts ? { saasCounts: summary.saasCounts } : {}),
          durationMs: Math.round(summary.durationMs),
          phaseDurationsMs: done.result.durations,
          error: summary.error ?? null,
          fuseReason: summary.fuseReason ?? null,
          problems: summary.problems.map((r) => ({
            outcome: r.outcome,
            kind: r.kind,
            label: r.label,
            sourceId: r.sourceId,
            reason: r.reason,
          })),
          problemTotal: summary.problemTotal,
          retries: summary.retries ?? {},
          ...(summary.dryRun
            ? {
                plan: [...done.samples.created, ...done.samples.updated].map((r) => ({
                  outcome: r.outcome,
                  label: r.label,
                  changes: r.changes,
                })),
              }
            : {}),
        })}\n`,
      );
    } else {
      io.out(formatSummary(summary));
    }
    return exitCodeOfRunState(summary.state);
  } finally {
    interrupt.dispose();
    await database.close();
  }
}

/**
 * Checks the mapping against the Oomnitza instance's users fields (an unknown field, a sync key
 * that is not unique) before anything is read or written. An instance that does not describe its
 * fields, or cannot be reached yet, is not checked here: the run itself then says what is wrong.
 */
async function checkAgainstOomnitzaFields(io: CliIo, options: RunOptions, oomnitza: OomnitzaClient): Promise<number | null> {
  let fields;
  try {
    fields = await oomnitza.listUserFields();
  } catch (error) {
    if (!options.json)
      io.err(
        `note: the users fields of ${oomnitza.baseUrl.origin} could not be read to check the mapping first (${error instanceof Error ? error.message : String(error)}); the run goes on and says what is wrong\n`,
      );
    return null;
  }
  if (fields === null) return null;
  const checked = await loadIntegrationFile(options.config, {
    env: io.env,
    mapping: { oomnitzaFields: fields },
  });
  if (checked.ok) return null;
  if (options.json)
    io.out(
      `${JSON.stringify({ ok: false, state: 'failed', error: 'the mapping does not fit the Oomnitza users fields', problems: checked.problems })}\n`,
    );
  else {
    for (const problem of checked.problems) io.err(`${formatProblem(options.config, problem)}\n`);
    io.err(`${options.config}: not run; the mapping does not fit the users fields of ${oomnitza.baseUrl.origin}\n`);
  }
  return exitCodes.failed;
}

function failBeforeRun(io: CliIo, options: RunOptions, message: string): number {
  if (options.json) io.out(`${JSON.stringify({ ok: false, state: 'failed', error: message })}\n`);
  else io.err(`ninja-sync run: ${message}\n`);
  return exitCodes.failed;
}
