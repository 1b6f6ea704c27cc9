/**
 * The scale-out section of `npm run bench` (issue 14): many integrations, many workers, on
 * PostgreSQL (the tests' throwaway server, with pg_stat_statements).
 *
 * 1. The claim query, timed with an empty runs table and with 10,000 finished runs in it, on
 *    PostgreSQL and SQLite: it must not get slower as history piles up.
 * 2. For each number of workers (and runs per worker): fresh emulators with one NinjaOne and one
 *    Oomnitza tenant per integration (10 ms latency, 8 requests in flight per token, 429 past it,
 *    as in the single-sync section), a fresh database holding one integration per tenant, that many
 *    `ninja-sync worker` processes, and one queued run per integration. Timed from the queueing to
 *    the last run's end. Every run must execute exactly once: it ended, reported each NinjaOne user
 *    once (record numbers 1..n), and its tenant's Oomnitza saw exactly one POST per created user.
 *
 * CPU is counted per party (workers, emulators, PostgreSQL with its backends, this process) from
 * /proc, so a reader can tell the vendors' latency from a machine out of cores. The database's share
 * is PostgreSQL's own execution time (pg_stat_statements) over the runs' summed durations.
 *
 * @example
 * npm run bench -- scale
 * npm run bench -- scale --quick                 # 8 integrations of 200 users: a check in a minute
 * npm run bench -- scale --workers 1,4 --runs-per-worker 1,4 --emulator-processes 2
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';

import { createVault, generateVaultKey } from '../src/credentials/vault.ts';
import { openDatabase, type OpenedDatabase } from '../src/db/open-database.ts';
import { allowPrivateVendorHosts } from '../src/http/vendor-hosts.ts';
import { claimNextRun } from '../src/runs/claim.ts';
import { exactlyOnceProblems, queueRuns, seedMsp, type TenantEndpoints } from '../test/support/msp.ts';
import { type PostgresServer, startPostgres } from '../test/support/postgres.ts';
import { benchSyncDocument } from './integration.ts';
import { processCpuSeconds, processTreeCpuSeconds } from './proc-cpu.ts';

import type { LoggedRequest } from '../emulators/common/knobs.ts';
import type { AppDb } from '../src/db/app-database.ts';

export interface ScaleOptions {
  readonly root: string;
  readonly tenants: number;
  readonly usersPerTenant: number;
  readonly workers: readonly number[];
  readonly runsPerWorker: readonly number[];
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly emulatorProcesses: number;
  readonly print: (line?: string) => void;
}

/** A line of "Against the aims": the text and whether it was met. */
export type Check = readonly [string, boolean];

interface Tenant extends TenantEndpoints {
  readonly index: number;
}

interface EmulatorProcess {
  readonly child: ChildProcess;
  readonly tenants: readonly Tenant[];
}

interface Measured {
  readonly workers: number;
  readonly runsPerWorker: number;
  readonly emulatorProcesses: number;
  readonly wallMs: number;
  readonly records: number;
  readonly created: number;
  readonly problems: readonly string[];
  readonly workerCpu: number;
  readonly emulatorCpu: number;
  readonly postgresCpu: number;
  readonly benchCpu: number;
  readonly dbExecMs: number;
  readonly dbCalls: number;
  readonly runMsSum: number;
  readonly boundMs: number;
  readonly limited: number;
  /** The machine's 1-minute load average when the runs were queued (other work competes for the cores). */
  readonly loadAverage: number;
  readonly topStatements: readonly { query: string; calls: number; totalMs: number; meanMs: number }[];
}

const terminal = ['succeeded', 'completed_with_errors', 'failed', 'canceled'] as const;
const finishedRuns = 10_000;

export async function scaleSection(options: ScaleOptions): Promise<Check[]> {
  const { print } = options;
  // The emulators listen on 127.0.0.1: the setting that lets stored vendor URLs name them.
  allowPrivateVendorHosts(true);
  const server = await startPostgres({ shared_preload_libraries: 'pg_stat_statements', max_connections: '300' });
  try {
    const claim = await claimSection(server, options);
    print(
      `## Scale-out: ${options.tenants} integrations of ${options.usersPerTenant.toLocaleString('en-US')} users on PostgreSQL, separate tenants, ${options.latencyMs} ms latency, ${options.concurrency} requests in flight per token`,
    );
    print(
      `Emulators: ${options.emulatorProcesses} process${options.emulatorProcesses === 1 ? '' : 'es'} of their own; workers: \`ninja-sync worker\` processes; timed from queueing the runs to the last run's end.`,
    );
    const results: Measured[] = [];
    for (const runsPerWorker of options.runsPerWorker) {
      for (const workers of options.workers) {
        const result = await measureConfiguration(server, options, workers, runsPerWorker);
        results.push(result);
        for (const problem of result.problems.slice(0, 10)) print(`  PROBLEM (${workers} × ${runsPerWorker}): ${problem}`);
      }
    }
    printTable(options, results);
    return [...claim, ...aims(options, results)];
  } finally {
    await server.stop();
  }
}

/** Median and 95th percentile of claim times with an empty table and with 10,000 finished runs. */
async function claimSection(server: PostgresServer, options: ScaleOptions): Promise<Check[]> {
  const { print } = options;
  print(`## Claiming a run with ${finishedRuns.toLocaleString('en-US')} finished runs in the table`);
  const checks: Check[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'ninja-sync-bench-claim-'));
  const databaseUrl = await createDatabase(server);
  try {
    for (const [name, store] of [
      ['PostgreSQL', await openDatabase({ databaseUrl, dataDir })],
      ['SQLite', await openDatabase({ dataDir })],
    ] as const) {
      try {
        const ids = await seedMsp(store.db, createVault(generateVaultKey()), fakeTenants(100), () => benchSyncDocument);
        const empty = await claimTimes(store.db, ids, 300);
        await insertFinishedRuns(store.db, ids, finishedRuns);
        const full = await claimTimes(store.db, ids, 300);
        print(
          `${name.padEnd(11)} empty: median ${empty.median.toFixed(2)} ms, p95 ${empty.p95.toFixed(2)} ms   ${finishedRuns.toLocaleString('en-US')} finished: median ${full.median.toFixed(2)} ms, p95 ${full.p95.toFixed(2)} ms`,
        );
        // Twice the empty median, with half a millisecond of slack for a busy machine's noise.
        checks.push([
          `${name} claim with ${finishedRuns.toLocaleString('en-US')} finished runs: median ${full.median.toFixed(2)} ms vs ${empty.median.toFixed(2)} ms empty (≤ 2× + 0.5 ms)`,
          full.median <= 2 * empty.median + 0.5,
        ]);
      } finally {
        await store.close();
      }
    }
  } finally {
    await dropDatabase(server, databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  }
  print();
  return checks;
}

async function claimTimes(db: AppDb, integrationIds: readonly string[], n: number): Promise<{ median: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await queueRuns(db, [integrationIds[i % integrationIds.length]!]);
    const started = performance.now();
    const run = await claimNextRun(db, 'bench', { installation: 'cloud' });
    times.push(performance.now() - started);
    if (run === null) throw new Error('bench: the queued run was not claimed');
    await db.updateTable('runs').set({ state: 'succeeded', finished_at: new Date().toISOString() }).where('id', '=', run.id).execute();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)]!, p95: times[Math.floor(n * 0.95)]! };
}

async function insertFinishedRuns(db: AppDb, integrationIds: readonly string[], count: number): Promise<void> {
  const at = new Date(Date.now() - 86_400_000).toISOString();
  for (let done = 0; done < count; done += 1000) {
    await db
      .insertInto('runs')
      .values(
        Array.from({ length: Math.min(1000, count - done) }, (_, i) => ({
          id: crypto.randomUUID(),
          integration_id: integrationIds[(done + i) % integrationIds.length]!,
          integration_name: 'history',
          state: (done + i) % 10 === 0 ? 'failed' : 'succeeded',
          dry_run: 0,
          trigger: 'schedule',
          queued_at: at,
          started_at: at,
          finished_at: at,
          worker_id: 'history',
        })),
      )
      .execute();
  }
}

/** Tenants that are never called: the claim section only stores integrations. */
function fakeTenants(count: number): Tenant[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    ninjaone: { url: 'http://127.0.0.1:9', clientId: `c${index}`, clientSecret: `s${index}` },
    oomnitza: { url: 'http://127.0.0.1:9', apiToken: `t${index}` },
  }));
}

async function measureConfiguration(
  server: PostgresServer,
  options: ScaleOptions,
  workers: number,
  runsPerWorker: number,
): Promise<Measured> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ninja-sync-bench-scale-'));
  const databaseUrl = await createDatabase(server);
  const emulators = await startEmulatorProcesses(options);
  const children: ChildProcess[] = [];
  let store: OpenedDatabase | null = null;
  try {
    store = await openDatabase({ databaseUrl, dataDir });
    const { db } = store;
    const key = generateVaultKey();
    const tenants = emulators.flatMap((e) => e.tenants);
    const ids = await seedMsp(db, createVault(key), tenants, () => benchSyncDocument);
    await sql`create extension if not exists pg_stat_statements`.execute(db);

    const log: string[] = [];
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(Math.max(10, 2 * runsPerWorker + 2)),
      NINJA_SYNC_KEY: key.toString('base64'),
      DATA_DIR: dataDir,
      NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true',
    };
    await Promise.all(
      Array.from({ length: workers }, async (_, i) => {
        const child = spawn(
          process.execPath,
          [
            join(options.root, 'bin', 'ninja-sync.js'),
            'worker',
            '--id',
            `w${i}`,
            '--poll-ms',
            '200',
            '--runs-per-worker',
            String(runsPerWorker),
          ],
          { cwd: options.root, env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        children.push(child);
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
        await firstLine(child, 'is taking runs', `ninja-sync worker w${i}`);
      }),
    );

    const emulatorPids = emulators.map((e) => e.child.pid);
    const cpuBefore = {
      workers: await sumCpu(children.map((c) => c.pid)),
      emulators: await sumCpu(emulatorPids),
      postgres: (await processTreeCpuSeconds(server.pid)) ?? 0,
      bench: process.cpuUsage(),
    };
    await sql`select pg_stat_statements_reset()`.execute(db);
    const loadAverage = loadavg()[0] ?? 0;
    await queueRuns(db, ids);

    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const open = await db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('state', 'not in', terminal)
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      if (children.some((c) => c.exitCode !== null)) throw new Error(`a worker exited: ${log.join('').slice(-2000)}`);
    }
    const workerCpu = (await sumCpu(children.map((c) => c.pid))) - cpuBefore.workers;
    const emulatorCpu = (await sumCpu(emulatorPids)) - cpuBefore.emulators;
    const bench = process.cpuUsage(cpuBefore.bench);
    const statements = await sql<{ ms: string | null; calls: string | null }>`
      select sum(total_exec_time) as ms, sum(calls) as calls from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'`.execute(db);
    const top = await sql<{ query: string; calls: string; total: number; mean: number }>`
      select query, calls, total_exec_time as total, mean_exec_time as mean from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'
      order by total_exec_time desc limit 3`.execute(db);
    await Promise.all(children.map((child) => stopChild(child)));
    const postgresCpu = ((await processTreeCpuSeconds(server.pid)) ?? 0) - cpuBefore.postgres;

    const runs = await db.selectFrom('runs').selectAll().execute();
    const queued = Math.min(...runs.map((r) => Date.parse(r.queued_at)));
    const ended = Math.max(...runs.map((r) => Date.parse(r.finished_at ?? r.queued_at)));
    const runMsSum = runs.reduce((sum, r) => sum + (Date.parse(r.finished_at ?? '') - Date.parse(r.started_at ?? '')), 0);
    const problems = await exactlyOnceProblems(db, () => options.usersPerTenant);

    // Per tenant: one POST per created user (no user created twice), and the latency bound.
    let boundMs = 0;
    let limited = 0;
    for (const tenant of tenants) {
      const run = runs.find((r) => r.integration_name === `tenant ${tenant.index}`);
      const oomnitza = await requestLog(tenant.oomnitza.url);
      const ninjaone = await requestLog(tenant.ninjaone.url);
      const served = oomnitza.filter((e) => e.injected === null);
      limited += oomnitza.length - served.length + ninjaone.filter((e) => e.injected !== null).length;
      const posts = served.filter((e) => e.method === 'POST' && e.path === '/api/v3/users' && e.status === 200).length;
      if (run && posts !== run.created)
        problems.push(`tenant ${tenant.index}: ${posts} users created in Oomnitza, the run counted ${run.created}`);
      // Oomnitza requests spread over the token's concurrency; NinjaOne's pages come one after another.
      boundMs += (served.length * options.latencyMs) / options.concurrency + ninjaone.length * options.latencyMs;
    }
    return {
      workers,
      runsPerWorker,
      emulatorProcesses: emulators.length,
      wallMs: ended - queued,
      records: options.tenants * options.usersPerTenant,
      created: runs.reduce((sum, r) => sum + r.created, 0),
      problems,
      workerCpu,
      emulatorCpu,
      postgresCpu,
      benchCpu: (bench.user + bench.system) / 1e6,
      dbExecMs: Number(statements.rows[0]?.ms ?? 0),
      dbCalls: Number(statements.rows[0]?.calls ?? 0),
      runMsSum,
      boundMs: boundMs / (workers * runsPerWorker),
      limited,
      loadAverage,
      topStatements: top.rows.map((row) => ({ query: row.query, calls: Number(row.calls), totalMs: row.total, meanMs: row.mean })),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await store?.close();
    await Promise.all(emulators.map((e) => stopChild(e.child)));
    await dropDatabase(server, databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function printTable(options: ScaleOptions, results: readonly Measured[]): void {
  const { print } = options;
  const base = new Map(results.filter((r) => r.workers === 1).map((r) => [r.runsPerWorker, r.records / (r.wallMs / 1000)]));
  const baseline = results.find((r) => r.workers === 1 && r.runsPerWorker === 1) ?? results[0];
  const baseRate = baseline ? baseline.records / (baseline.wallMs / 1000) : 0;
  print();
  print(
    '| workers × runs each | wall | users/s | vs 1 worker | latency bound | CPU: workers / emulators / PostgreSQL | CPU bound | cores busy | load avg | DB share | 429s | exactly once |',
  );
  print('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const rate = r.records / (r.wallMs / 1000);
    const cpu = r.workerCpu + r.emulatorCpu + r.postgresCpu + r.benchCpu;
    print(
      `| ${r.workers} × ${r.runsPerWorker} | ${(r.wallMs / 1000).toFixed(1)} s | ${Math.round(rate)} | ${(rate / (base.get(r.runsPerWorker) ?? baseRate)).toFixed(2)}× | ${(r.boundMs / 1000).toFixed(1)} s (${(r.wallMs / r.boundMs).toFixed(2)}×) | ${r.workerCpu.toFixed(1)} / ${r.emulatorCpu.toFixed(1)} / ${r.postgresCpu.toFixed(1)} s | ${cpuBound(r).toFixed(1)} s | ${(cpu / (r.wallMs / 1000)).toFixed(2)} of ${cpus().length} | ${r.loadAverage.toFixed(1)} | ${((100 * r.dbExecMs) / r.runMsSum).toFixed(1)} % | ${r.limited} | ${r.problems.length === 0 ? 'yes' : `NO (${r.problems.length})`} |`,
    );
  }
  print();
  print(
    '"vs 1 worker": throughput over that of 1 worker with the same runs each. "Latency bound": what the vendors\' latency alone allows (each run\'s Oomnitza requests × latency ÷ concurrency plus its NinjaOne requests × latency, spread over all runs in flight). "CPU bound": the least wall time the CPU used allows on this machine with nothing else running (all CPU ÷ cores, at least the busiest process\'s CPU, since one process uses one core). "Cores busy": CPU of workers, emulators, PostgreSQL and this process over the wall time; "load avg": the machine\'s when the runs were queued. "DB share": PostgreSQL\'s execution time (pg_stat_statements) over the runs\' summed durations.',
  );
  const last = results.at(-1);
  if (last) {
    print(
      `Busiest statements (${last.workers} × ${last.runsPerWorker}; ${last.dbCalls.toLocaleString('en-US')} statements, ${(last.dbExecMs / 1000).toFixed(2)} s in all):`,
    );
    for (const s of last.topStatements)
      print(
        `  ${s.totalMs.toFixed(0).padStart(6)} ms  ${String(s.calls).padStart(7)} calls  ${s.meanMs.toFixed(3)} ms each  ${s.query.replace(/\s+/g, ' ').slice(0, 90)}`,
      );
  }
  print();
}

/** The least wall time the measured CPU allows: spread over every core, but one process on one core at most. */
function cpuBound(r: Measured): number {
  const total = r.workerCpu + r.emulatorCpu + r.postgresCpu + r.benchCpu;
  return Math.max(total / cpus().length, r.workerCpu / r.workers, r.emulatorCpu / Math.max(1, r.emulatorProcesses));
}

function aims(options: ScaleOptions, results: readonly Measured[]): Check[] {
  const checks: Check[] = [];
  const rate = (r: Measured) => r.records / (r.wallMs / 1000);
  for (const k of options.runsPerWorker) {
    const one = results.find((r) => r.workers === 1 && r.runsPerWorker === k);
    const four = results.find((r) => r.workers === 4 && r.runsPerWorker === k);
    if (one && four) {
      const ratio = rate(four) / rate(one);
      const cpu = four.workerCpu + four.emulatorCpu + four.postgresCpu + four.benchCpu;
      checks.push([
        `4 workers (${k} run${k === 1 ? '' : 's'} each) ${ratio.toFixed(2)}× the throughput of 1 (≥ 3.2×); at 4 workers ${(cpu / (four.wallMs / 1000)).toFixed(2)} of ${cpus().length} cores were busy`,
        ratio >= 3.2,
      ]);
    }
  }
  const broken = results.filter((r) => r.problems.length > 0);
  checks.push([
    `every run exactly once in all ${results.length} configurations${broken.length ? `: problems in ${broken.map((r) => `${r.workers} × ${r.runsPerWorker}`).join(', ')}` : ''}`,
    broken.length === 0,
  ]);
  return checks;
}

async function startEmulatorProcesses(options: ScaleOptions): Promise<EmulatorProcess[]> {
  const per = Math.ceil(options.tenants / options.emulatorProcesses);
  const started: EmulatorProcess[] = [];
  try {
    for (let first = 0; first < options.tenants; first += per) {
      const count = Math.min(per, options.tenants - first);
      const child = spawn(
        process.execPath,
        [
          join(options.root, 'bin', 'ninja-sync.js'),
          'emulate',
          '--json',
          '--tenants',
          String(count),
          '--users',
          String(options.usersPerTenant),
          // Tenant i of this process is seeded 42 + first + i: every tenant has people of its own.
          '--seed',
          String(42 + first),
          '--latency',
          String(options.latencyMs),
          '--max-concurrent',
          String(options.concurrency),
        ],
        { cwd: options.root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const line = await firstLine(child, '{', 'ninja-sync emulate');
      const info = JSON.parse(line) as { tenants: (TenantEndpoints & { index: number })[] };
      started.push({ child, tenants: info.tenants.map((t) => ({ ...t, index: first + t.index })) });
    }
  } catch (error) {
    await Promise.all(started.map((e) => stopChild(e.child)));
    throw error;
  }
  return started;
}

/** Resolves with the first stdout line containing `marker`; rejects if the process exits first. */
function firstLine(child: ChildProcess, marker: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes(marker) && out.includes(`${l}\n`));
      if (line !== undefined) {
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready: ${out}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function sumCpu(pids: readonly (number | undefined)[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += (await processCpuSeconds(pid)) ?? 0;
  return total;
}

async function requestLog(url: string): Promise<LoggedRequest[]> {
  const response = await fetch(`${url}/__admin/requests`);
  if (!response.ok) throw new Error(`GET ${url}/__admin/requests: ${response.status}`);
  return (await response.json()) as LoggedRequest[];
}

async function createDatabase(server: PostgresServer): Promise<string> {
  const name = `bench_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await admin(server, `create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(server: PostgresServer, databaseUrl: string): Promise<void> {
  await admin(server, `drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
}

async function admin(server: PostgresServer, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
