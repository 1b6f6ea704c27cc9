/**
 * The `ninja-sync` command line: parses argv with commander and hands each command its options.
 * Returns the exit code instead of exiting, so tests can call it in-process and `bin/ninja-sync.js`
 * stays a two-liner. Each command's module is imported when that command runs: the store and the
 * emulators take seconds to load through tsx, and `--help` or `validate` should not wait for them.
 *
 * @example
 * process.exitCode = await main(['run', '--config', 'examples/ninjaone-users.yaml', '--dry-run']);
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { type FaultKind, faultKinds } from '../../emulators/common/knobs.ts';
import { recordOutcomes } from '../sync/ports.ts';
import { version } from '../version.ts';
import { exitCodeHelp, exitCodes } from './exit-codes.ts';
import { type CliIo, processIo } from './io.ts';
import { addServerCommands } from './server-commands.ts';

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; help shown because no command was given is a usage error.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    io.err(`ninja-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
  return exitCode;
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('ninja-sync')
    .description('Keeps Oomnitza users (and SaaS users) in step with NinjaOne users.')
    .version(version, '-V, --version', 'print the version of ninja-sync')
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .showHelpAfterError('(run ninja-sync --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  // Sub-commands inherit neither exitOverride nor output, so set them on each.
  const sub = (name: string): Command =>
    program
      .command(name)
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
      .showHelpAfterError();

  sub('validate')
    .description('check an integration file and print every problem with its line')
    .argument('<file>', 'the integration YAML file')
    .option('--json', 'print one JSON object')
    .option('--online', "also check the mapping against the Oomnitza tenant's users data model (fields, types, unique keys)")
    .option('--server', 'check the file as a server imports it (stored credential and connection names), not for ninja-sync run')
    .addHelpText('after', '\nPrints FILE:LINE:COL  path  message for each problem. Exit 0 when valid, 1 when not.')
    .action(async (file: string, options: { json?: boolean; online?: boolean; server?: boolean }) =>
      setExit(
        await (
          await import('./commands/validate.ts')
        ).validateCommand(io, file, { json: options.json === true, online: options.online === true, server: options.server === true }),
      ),
    );

  sub('run')
    .description('run one sync from an integration file')
    .requiredOption('-c, --config <file>', 'the integration YAML file')
    .option('--dry-run', 'plan only: show what would change, write nothing to Oomnitza')
    .option('--json', 'print one JSON object with the result instead of the table')
    .option('--data-dir <dir>', 'where the SQLite store lives (ignored when DATABASE_URL is set)', './data')
    .option('--concurrency <n>', 'Oomnitza requests in flight at most (1 to 64)', concurrency, 8)
    .option('--show <n>', 'how many failed and skipped records to list at the end', nonNegativeInt, 20)
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(async (options: { config: string; dryRun?: boolean; json?: boolean; dataDir: string; concurrency: number; show: number }) =>
      setExit(
        await (
          await import('./commands/run.ts')
        ).runCommand(io, {
          config: options.config,
          dryRun: options.dryRun === true,
          json: options.json === true,
          dataDir: options.dataDir,
          concurrency: options.concurrency,
          show: options.show,
        }),
      ),
    );

  const runs = sub('runs').description('read stored runs');
  runs
    .command('list', { isDefault: true })
    .description('the latest runs, newest first')
    .option('--data-dir <dir>', 'where the SQLite store lives', './data')
    .option('--limit <n>', 'how many runs', positiveInt, 20)
    .option('--json', 'print JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action(async (options: { dataDir: string; limit: number; json?: boolean }) =>
      setExit(
        await (
          await import('./commands/runs.ts')
        ).runsListCommand(io, { dataDir: options.dataDir, limit: options.limit, json: options.json === true }),
      ),
    );
  runs
    .command('show')
    .description('one run: its counts and its records')
    .argument('<id>', 'the run id (as printed by run and runs list)')
    .option('--data-dir <dir>', 'where the SQLite store lives', './data')
    .option('--outcome <kind>', `only records with this outcome (${recordOutcomes.join(', ')})`)
    .option('--limit <n>', 'how many records', positiveInt, 50)
    .option('--json', 'print JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action(async (id: string, options: { dataDir: string; outcome?: string; limit: number; json?: boolean }) =>
      setExit(
        await (
          await import('./commands/runs.ts')
        ).runsShowCommand(io, id, {
          dataDir: options.dataDir,
          limit: options.limit,
          json: options.json === true,
          ...(options.outcome ? { outcome: options.outcome } : {}),
        }),
      ),
    );

  sub('emulate')
    .description('start the NinjaOne and Oomnitza emulators on loopback and print their URLs and demo credentials')
    .option('--seed <n>', 'seed of the generated data', nonNegativeInt, 1)
    .option('--users <n>', 'NinjaOne users to generate (in each tenant)', nonNegativeInt, 50)
    .option('--tenants <n>', 'separate NinjaOne and Oomnitza tenants to start, each its own pair of URLs and credentials', tenantCount, 1)
    .option('--latency <ms>', 'latency added to every API answer', nonNegativeInt, 0)
    .option('--rate-limit <n>', 'requests a second per token before 429 (0 = none)', nonNegativeInt, 0)
    .option('--max-concurrent <n>', 'requests in flight per token before 429 (0 = none)', nonNegativeInt, 0)
    .addOption(
      new Option('--fault <kind:prob>', `inject a fault with a probability, repeatable; kinds: ${faultKinds.join(', ')}`)
        .argParser(collectFault)
        .default([]),
    )
    .option('--ninjaone-port <port>', 'port of the NinjaOne emulator (0 = any free)', nonNegativeInt, 0)
    .option('--oomnitza-port <port>', 'port of the Oomnitza emulator (0 = any free)', nonNegativeInt, 0)
    .option('--json', 'print one JSON object on one line (URLs, client apps, API token)')
    .addHelpText('after', '\nRuns until SIGINT (Ctrl-C) or SIGTERM.')
    .action(
      async (options: {
        seed: number;
        users: number;
        tenants: number;
        latency: number;
        rateLimit: number;
        maxConcurrent: number;
        fault: { kind: FaultKind; probability: number }[];
        ninjaonePort: number;
        oomnitzaPort: number;
        json?: boolean;
      }) => setExit(await (await import('./commands/emulate.ts')).emulateCommand(io, { ...options, json: options.json === true })),
    );

  sub('demo')
    .description('start both emulators, run a real sync, change a few NinjaOne users and sync again')
    .option('--data-dir <dir>', 'where the SQLite store lives', './data')
    .option('--users <n>', 'NinjaOne users in the demo tenant', positiveInt, 40)
    .option('--seed <n>', 'seed of the demo data', nonNegativeInt, 7)
    .action(async (options: { dataDir: string; users: number; seed: number }) =>
      setExit(await (await import('./commands/demo.ts')).demoCommand(io, options)),
    );

  const agent = sub('agent')
    .description('run the Local integrations assigned to this agent, on this machine, with credentials that never leave it')
    .option('--server <url>', "the server's https URL (or NINJA_SYNC_SERVER_URL)")
    .option('--token <token>', 'the agent token an admin created under Agents (or NINJA_SYNC_AGENT_TOKEN)')
    .option('--data-dir <dir>', "the agent's folder: its vault key and sealed secrets", './agent-data')
    .addHelpText(
      'after',
      '\nSecrets the integrations name (${NINJAONE_CLIENT_SECRET}, ${OOMNITZA_API_TOKEN}) come from the environment or from\n`ninja-sync agent secret set NAME` (value on stdin). Runs until SIGINT or SIGTERM.',
    )
    .action(async (options: { server?: string; token?: string; dataDir: string }) =>
      setExit(await (await import('./commands/agent.ts')).agentCommand(io, options)),
    );
  // The secret commands take the agent's --data-dir (ninja-sync agent secret list --data-dir DIR).
  const agentFolder = () => ({ dataDir: agent.opts<{ dataDir: string }>().dataDir });
  const secret = agent.command('secret').description("the agent's sealed store of secrets").exitOverride();
  secret
    .command('set')
    .description('store a secret, sealed (the value is read from stdin)')
    .argument('<name>', 'the variable name the integration uses, e.g. OOMNITZA_API_TOKEN')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action(async (name: string) => setExit(await (await import('./commands/agent.ts')).agentSecretSetCommand(io, name, agentFolder())));

  addServerCommands(sub, io, setExit);
  return program;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

/** The Oomnitza client's own bounds (src/oomnitza/client.ts), refused here as a usage error. */
function concurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64.');
  return n;
}

/** `maxTenants` of ../cli/emulators.ts, not imported so that the emulators load only when used. */
function tenantCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000.');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number (0 or more).');
  return n;
}

function collectFault(value: string, previous: { kind: FaultKind; probability: number }[]): { kind: FaultKind; probability: number }[] {
  const [kind, prob = '1'] = value.split(':', 2);
  if (!faultKinds.includes(kind as FaultKind))
    throw new InvalidArgumentError(`unknown fault kind '${kind}'; use one of ${faultKinds.join(', ')}, e.g. status500:0.05`);
  const probability = Number(prob);
  if (!Number.isFinite(probability) || probability < 0 || probability > 1)
    throw new InvalidArgumentError(`the probability in '${value}' must be between 0 and 1, e.g. html:0.1`);
  return [...previous, { kind: kind as FaultKind, probability }];
}
