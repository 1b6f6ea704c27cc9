/**
 * `npm run bench`: the figures of issue 3's "Speed and memory".
 *
 * 1. CPU only: map and plan 100,000 records (its own process, no HTTP); then the same with a field
 *    only JSONata answers, on the calling thread and through the expression sandbox.
 * 2. Initial sync of 10,000 NinjaOne users into Oomnitza, the Oomnitza emulator at 10 ms a request
 *    and 8 requests in flight per token (429 past that).
 * 3. A resync with nothing changed: no writes, and as few reads as the data allows.
 * 4. Scale-out (issue 14, `bench/scale.ts`): the claim query with 10,000 finished runs, and 100
 *    integrations of 1,000 users, each its own NinjaOne and Oomnitza tenant, run by 1, 2 and 4
 *    `ninja-sync worker` processes on PostgreSQL.
 * 5. Server responsiveness (issue 11, `bench/responsiveness.ts`): p50/p99 of `GET /healthz` and
 *    `GET /api/integrations` of one `serve` process while it syncs the 10,000 users and answers
 *    hostile previews (a custom field `$string($sum([1..10000000]))`) against the emulators; once
 *    with the runs in their own thread (the default) and once inline, for the ratio.
 *
 * The emulators run in their own process (`ninja-sync emulate`), each sync in another, so the
 * timings and memory of the sync are not mixed with the emulators' work. The request counts come
 * from the Oomnitza emulator's request log. The lower bound of a sync is its Oomnitza requests ×
 * latency ÷ concurrency: what a perfect client would need, with the emulator as the only cost.
 *
 * @example
 * npm run bench
 * npm run bench -- --users 2000 --records 20000   # a quicker run
 * npm run bench -- cpu sync                        # only these sections (cpu, sync, scale, responsiveness)
 * npm run bench -- scale --quick                   # scale-out with 8 integrations of 200 users
 * npm run bench -- scale --tenants 20 --tenant-users 500 --workers 1,2,4 --runs-per-worker 1,4 --emulator-processes 2
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { processCpuSeconds } from './proc-cpu.ts';
import { measureResponsiveness, type Responsiveness } from './responsiveness.ts';
import { type Check, scaleSection } from './scale.ts';

import type { LoggedRequest } from '../emulators/common/knobs.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: 'string', default: '10000' },
    records: { type: 'string', default: '100000' },
    latency: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    quick: { type: 'boolean', default: false },
    tenants: { type: 'string' },
    'tenant-users': { type: 'string' },
    workers: { type: 'string', default: '1,2,4' },
    'runs-per-worker': { type: 'string', default: '1' },
    'emulator-processes': { type: 'string', default: '1' },
  },
});
const sectionNames = ['cpu', 'sync', 'scale', 'responsiveness'] as const;
for (const name of positionals) {
  if (!(sectionNames as readonly string[]).includes(name)) {
    process.stderr.write(`npm run bench: no section "${name}"; the sections are ${sectionNames.join(', ')} (all when none is named)\n`);
    process.exit(64);
  }
}
const sections = new Set(positionals.length > 0 ? positionals : sectionNames);
const list = (text: string) => text.split(',').map(Number);
const users = Number(values.users);
const records = Number(values.records);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);

interface SyncJson {
  state: string;
  counts: Record<string, number>;
  error: string | null;
  durations: Record<string, number>;
  destinationStrategy: string | null;
  concurrencyLimitAtEnd: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  peakHeapMb: number;
}

interface MapPlanJson {
  records: number;
  /** CPU of the sandbox's child process, included in cpuMs. */
  childrenCpuMs?: number;
  destination: number;
  value: { mapped: number; kept: number; plan: Record<string, number> };
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  peakHeapMb: number;
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a TypeScript file with tsx in a child process and returns its one line of JSON. */
function runJson<T>(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, file), ...args], {
      cwd: root,
      // The emulators listen on 127.0.0.1: the setting that lets vendor calls reach them.
      env: { ...process.env, NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as T);
      } catch (error) {
        reject(new Error(`${file} printed no JSON: ${out}`, { cause: error }));
      }
    });
  });
}

interface Emulators {
  ninjaone: { url: string };
  oomnitza: { url: string; apiToken: string };
  /** CPU seconds the emulators' process has used so far (Linux; null elsewhere). */
  cpuSeconds(): Promise<number | null>;
  stop(): Promise<void>;
}

async function startEmulators(): Promise<Emulators> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'ninja-sync.js'), 'emulate', '--json', '--users', String(users), '--seed', '42'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`ninja-sync emulate exited with ${code}`)));
  });
  const info = JSON.parse(line) as { ninjaone: { url: string }; oomnitza: { url: string; apiToken: string } };
  return {
    ...info,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function admin(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

/** `POST /api/v3/users`, `PATCH /api/v3/users/{id}`: ids folded so requests group by kind. */
function kindOf(entry: LoggedRequest): string {
  const path = entry.path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(/\/[0-9a-f-]{36}(?=\/|$)/g, '/{uid}');
  return `${entry.method} ${path}`;
}

function countKinds(log: readonly LoggedRequest[]): {
  kinds: Map<string, { ok: number; limited: number }>;
  served: number;
  limited: number;
} {
  const kinds = new Map<string, { ok: number; limited: number }>();
  let served = 0;
  let limited = 0;
  for (const entry of log) {
    const kind = kinds.get(kindOf(entry)) ?? { ok: 0, limited: 0 };
    if (entry.injected === 'rateLimited') {
      kind.limited++;
      limited++;
    } else {
      kind.ok++;
      served++;
    }
    kinds.set(kindOf(entry), kind);
  }
  return { kinds, served, limited };
}

async function syncSection(
  title: string,
  emulators: Emulators,
  dataDir: string,
): Promise<{ sync: SyncJson; served: number; limited: number; bound: number; ninjaRequests: number }> {
  await admin(emulators.oomnitza.url, 'DELETE', '/requests');
  await admin(emulators.ninjaone.url, 'DELETE', '/requests');
  const emulatorCpuBefore = await emulators.cpuSeconds();
  const sync = await runJson<SyncJson>('bench/sync-once.ts', [], {
    NINJAONE_URL: emulators.ninjaone.url,
    OOMNITZA_URL: emulators.oomnitza.url,
    OOMNITZA_API_TOKEN: emulators.oomnitza.apiToken,
    BENCH_DATA_DIR: dataDir,
    BENCH_CONCURRENCY: String(concurrency),
  });
  const emulatorCpuAfter = await emulators.cpuSeconds();
  const oomnitzaLog = (await admin(emulators.oomnitza.url, 'GET', '/requests')) as LoggedRequest[];
  const ninjaLog = (await admin(emulators.ninjaone.url, 'GET', '/requests')) as LoggedRequest[];
  const { kinds, served, limited } = countKinds(oomnitzaLog);
  const bound = (served * latencyMs) / concurrency;

  print(`## ${title}`);
  print(
    `state ${sync.state}; ${Object.entries(sync.counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}; Oomnitza users loaded by ${sync.destinationStrategy ?? '?'}`,
  );
  if (sync.error) print(`error: ${sync.error}`);
  print('Requests by kind:');
  for (const [kind, n] of [...countKinds(ninjaLog).kinds].sort()) print(`  NinjaOne  ${kind.padEnd(34)} ${String(n.ok).padStart(6)}`);
  for (const [kind, n] of [...kinds].sort())
    print(`  Oomnitza  ${kind.padEnd(34)} ${String(n.ok).padStart(6)}${n.limited > 0 ? `   (+${n.limited} answered 429)` : ''}`);
  print(
    `Wall time            ${(sync.wallMs / 1000).toFixed(2)} s   (phases: ${Object.entries(sync.durations)
      .map(([p, ms]) => `${p} ${(ms / 1000).toFixed(2)} s`)
      .join(', ')})`,
  );
  print(`Lower bound          ${(bound / 1000).toFixed(2)} s   (${served} Oomnitza requests × ${latencyMs} ms ÷ ${concurrency})`);
  print(`Ratio                ${bound > 0 ? (sync.wallMs / bound).toFixed(2) : 'n/a'}×`);
  print(
    `CPU time             ${(sync.cpuMs / 1000).toFixed(2)} s${served > 100 ? `   (${(sync.cpuMs / served).toFixed(2)} ms a request; the bound's pace, ${Math.round((concurrency * 1000) / latencyMs)} requests/s, leaves ${(latencyMs / concurrency).toFixed(2)} ms a request)` : ''}`,
  );
  if (emulatorCpuBefore !== null && emulatorCpuAfter !== null) {
    const emulatorCpu = emulatorCpuAfter - emulatorCpuBefore;
    print(
      `Emulators' CPU        ${emulatorCpu.toFixed(2)} s   (sync + emulators: ${((sync.cpuMs / 1000 + emulatorCpu) / (sync.wallMs / 1000)).toFixed(2)} of ${cpus().length} cores busy on average)`,
    );
  }
  print(`Peak memory          RSS ${sync.peakRssMb} MB, heap ${sync.peakHeapMb} MB`);
  print(`Client concurrency   ${sync.concurrencyLimitAtEnd} at the end; ${limited} requests answered 429`);
  print();
  return { sync, served, limited, bound, ninjaRequests: ninjaLog.length };
}

print('# ninja-sync benchmark');
print(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free), Node ${process.version}, ${process.platform}/${process.arch}`,
);
print(
  `Load average when started: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(', ')} (timings are only meaningful on an otherwise idle machine)`,
);
print(
  `Settings: ${users} NinjaOne users; Oomnitza latency ${latencyMs} ms, ${concurrency} requests in flight per token (429 past that); client concurrency ${concurrency}`,
);
print();

const checks: Check[] = [];
let failed = false;

function responsivenessSection(threaded: Responsiveness, inline: Responsiveness): Check[] {
  print(`## Server responsiveness: one serve process, a ${users.toLocaleString('en-US')}-user sync and hostile previews at once`);
  const row = (name: string, l: Responsiveness['healthz']): string =>
    `  ${name.padEnd(22)} p50 ${l.p50.toFixed(1).padStart(7)} ms   p99 ${l.p99.toFixed(1).padStart(7)} ms   max ${l.max.toFixed(1).padStart(7)} ms   (${l.n} requests)`;
  for (const [title, figures] of [
    ['Runs in their own thread (the default)', threaded],
    ["Runs on the API's event loop (NINJA_SYNC_RUNS_IN=inline), for comparison", inline],
  ] as const) {
    const statuses = Object.entries(figures.previews.statuses)
      .map(([status, n]) => `${n}× ${status}`)
      .join(', ');
    print(`${title}:`);
    print(
      `  run ${figures.run.state}, ${figures.run.created} created in ${figures.run.seconds.toFixed(1)} s; hostile previews answered meanwhile: ${figures.previews.answered} (${statuses})`,
    );
    print(row('GET /healthz', figures.healthz));
    print(row('GET /api/integrations', figures.integrations));
  }
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  print(
    `Thread against inline: /healthz p99 ${ratio(threaded.healthz.p99, inline.healthz.p99)}, /api/integrations p99 ${ratio(threaded.integrations.p99, inline.integrations.p99)}, run time ${ratio(threaded.run.seconds, inline.run.seconds)}`,
  );
  print();
  return [
    [`GET /healthz p99 during a run and hostile previews: ${threaded.healthz.p99.toFixed(1)} ms (< 100 ms)`, threaded.healthz.p99 < 100],
    [`GET /api/integrations p99 meanwhile: ${threaded.integrations.p99.toFixed(1)} ms (< 100 ms)`, threaded.integrations.p99 < 100],
  ];
}

if (sections.has('cpu')) {
  print(`## Mapping and planning ${records.toLocaleString('en-US')} records (CPU only, no HTTP)`);
  const cpu = await runJson<MapPlanJson>('bench/map-plan.ts', [String(records)]);
  print(
    `Plan: ${Object.entries(cpu.value.plan)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')} (against ${cpu.destination} Oomnitza users)`,
  );
  print(`CPU time   ${(cpu.cpuMs / 1000).toFixed(2)} s   (aim < 2 s)   wall ${(cpu.wallMs / 1000).toFixed(2)} s`);
  print(`Memory     peak RSS ${cpu.peakRssMb} MB (aim < 400 MB), peak heap ${cpu.peakHeapMb} MB (sampled)`);
  print();
  checks.push(
    [`map + plan ${records.toLocaleString('en-US')} records: ${(cpu.cpuMs / 1000).toFixed(2)} s CPU (< 2 s)`, cpu.cpuMs < 2000],
    [`map + plan memory: ${cpu.peakRssMb} MB peak RSS (< 400 MB)`, cpu.peakRssMb < 400],
  );

  // A mapping the synchronous shortcut cannot answer goes through the sandbox's child process: what
  // that costs against mapping on the calling thread, as before the sandbox.
  print(`## The expression sandbox: ${records.toLocaleString('en-US')} records with a field only JSONata answers`);
  const direct = await runJson<MapPlanJson>('bench/map-plan.ts', [String(records), 'jsonata-direct']);
  const sandboxed = await runJson<MapPlanJson>('bench/map-plan.ts', [String(records), 'jsonata']);
  print(`On the calling thread   CPU ${(direct.cpuMs / 1000).toFixed(2)} s   wall ${(direct.wallMs / 1000).toFixed(2)} s`);
  print(
    `In the sandbox          CPU ${(sandboxed.cpuMs / 1000).toFixed(2)} s (${((sandboxed.childrenCpuMs ?? 0) / 1000).toFixed(2)} s of it in the child)   wall ${(sandboxed.wallMs / 1000).toFixed(2)} s   (${(sandboxed.cpuMs / direct.cpuMs).toFixed(2)}× the CPU)`,
  );
  print();
}

if (sections.has('sync')) {
  const emulators = await startEmulators();
  const dataDir = await mkdtemp(join(tmpdir(), 'ninja-sync-bench-'));
  try {
    await admin(emulators.oomnitza.url, 'PUT', '/knobs', { latencyMs, maxConcurrent: concurrency, retryAfterSeconds: 1 });
    const initial = await syncSection(`Initial sync of ${users.toLocaleString('en-US')} users`, emulators, dataDir);
    const resync = await syncSection('Resync, nothing changed', emulators, dataDir);
    const writes = resync.sync.counts['created']! + resync.sync.counts['updated']!;
    const ratio = initial.bound > 0 ? initial.sync.wallMs / initial.bound : Infinity;
    checks.push(
      [`initial sync within 1.3× of the lower bound: ${ratio.toFixed(2)}×`, ratio <= 1.3],
      [`resync makes no writes: ${writes} created or updated`, writes === 0],
      [
        `resync reads: ${resync.served} Oomnitza requests for ${initial.sync.counts['created']! + initial.sync.counts['unchanged']!} synced users`,
        resync.served <= Math.ceil(users / 500) + 3,
      ],
    );
    failed = initial.sync.state === 'failed' || resync.sync.state === 'failed';
  } finally {
    await emulators.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (sections.has('scale')) {
  const scaleChecks = await scaleSection({
    root,
    tenants: Number(values.tenants ?? (values.quick ? 8 : 100)),
    usersPerTenant: Number(values['tenant-users'] ?? (values.quick ? 200 : 1000)),
    workers: list(values.workers),
    runsPerWorker: list(values['runs-per-worker']),
    latencyMs,
    concurrency,
    emulatorProcesses: Number(values['emulator-processes']),
    print,
  });
  checks.push(...scaleChecks);
  failed ||= scaleChecks.some(([text, ok]) => !ok && text.startsWith('every run exactly once'));
}

if (sections.has('responsiveness')) {
  // Fresh emulators for each measurement: Oomnitza's e-mails are unique, so both must create every user.
  const measure = async (runsIn: 'thread' | 'inline'): Promise<Responsiveness> => {
    const emulators = await startEmulators();
    try {
      await admin(emulators.oomnitza.url, 'PUT', '/knobs', { latencyMs, maxConcurrent: concurrency, retryAfterSeconds: 1 });
      return await measureResponsiveness({
        ninjaUrl: emulators.ninjaone.url,
        oomnitzaUrl: emulators.oomnitza.url,
        apiToken: emulators.oomnitza.apiToken,
        users,
        runsIn,
      });
    } finally {
      await emulators.stop();
    }
  };
  const threaded = await measure('thread');
  const inline = await measure('inline');
  checks.push(...responsivenessSection(threaded, inline));
  failed ||= threaded.run.state === 'failed' || inline.run.state === 'failed';
}

print('## Against the aims');
for (const [text, ok] of checks) print(`  ${ok ? 'met    ' : 'MISSED '} ${text}`);
process.exitCode = failed ? 1 : 0;
