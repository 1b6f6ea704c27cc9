/**
 * One sync for the HTTP benchmark sections, run in its own process by `bench/run.ts`: the CLI's own
 * path (`buildClients` + `runOnce`, with the SQLite run store) against emulators given by
 * environment variables. Prints one JSON object: the result and what it cost.
 *
 * @example
 * NINJAONE_URL=... OOMNITZA_URL=... OOMNITZA_API_TOKEN=... BENCH_DATA_DIR=/tmp/x node --import tsx bench/sync-once.ts
 */
import { buildClients } from '../src/cli/build-clients.ts';
import { runOnce } from '../src/cli/run-once.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { benchIntegration } from './integration.ts';
import { measure } from './measure.ts';

import type { CliIo } from '../src/cli/io.ts';

const env = process.env;
const need = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`bench/sync-once.ts needs ${name}`);
  return value;
};
const dataDir = need('BENCH_DATA_DIR');
const concurrency = Number(env['BENCH_CONCURRENCY'] ?? 8);
const integration = benchIntegration({
  ninjaoneUrl: need('NINJAONE_URL'),
  oomnitzaUrl: need('OOMNITZA_URL'),
  apiToken: need('OOMNITZA_API_TOKEN'),
});
const quiet: CliIo = { out: () => undefined, err: () => undefined, interactive: false, columns: 80, env: {}, cwd: process.cwd() };

const clients = await buildClients(integration, { dataDir, env: {}, concurrency });
if (!clients.ok) throw new Error(clients.message);
const database = await openDatabase({ dataDir });
try {
  const measured = await measure(() =>
    runOnce({
      db: database.db,
      integration,
      source: clients.source,
      destination: clients.destination,
      io: quiet,
      dryRun: false,
      concurrency,
      progress: false,
      sampleLimit: 5,
    }),
  );
  const { result } = measured.value;
  process.stdout.write(
    `${JSON.stringify({
      state: result.state,
      counts: result.counts,
      error: result.error ?? null,
      durations: result.durations,
      destinationStrategy: result.destinationStrategy ?? null,
      concurrencyLimitAtEnd: clients.destination.concurrencyLimit,
      wallMs: measured.wallMs,
      cpuMs: measured.cpuMs,
      peakRssMb: measured.peakRssMb,
      peakHeapMb: measured.peakHeapMb,
    })}\n`,
  );
} finally {
  await database.close();
}
