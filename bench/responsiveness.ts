/**
 * "Server responsiveness" of `npm run bench`: how fast one `ninja-sync serve` process answers
 * `GET /healthz` and `GET /api/integrations` while it runs a sync of every NinjaOne user (10,000 in
 * the bench) into Oomnitza and, at the same time, answers hostile previews (a custom field
 * `$string($sum([1..10000000]))`) one after another. Aim: p99 under 100 ms.
 *
 * `serve` is a child process with its own data folder; this process is only the client, asking one
 * request at a time (a request is timed from send to the end of its body).
 *
 * @example
 * const figures = await measureResponsiveness({ ninjaUrl, oomnitzaUrl, apiToken, users: 10_000, runsIn: 'thread' });
 * figures.healthz.p99; // milliseconds
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const hostileField = '$string($sum([1..10000000]))';

export interface Latencies {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface Responsiveness {
  readonly healthz: Latencies;
  readonly integrations: Latencies;
  readonly run: { readonly state: string; readonly created: number; readonly seconds: number };
  /** Hostile previews answered meanwhile, and how (status codes). */
  readonly previews: { readonly answered: number; readonly statuses: Readonly<Record<string, number>> };
}

export interface ResponsivenessInput {
  readonly ninjaUrl: string;
  readonly oomnitzaUrl: string;
  readonly apiToken: string;
  readonly users: number;
  /** Where serve runs the sync (NINJA_SYNC_RUNS_IN). */
  readonly runsIn: 'thread' | 'inline';
}

function startServe(dataDir: string, runsIn: 'thread' | 'inline'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'ninja-sync.js'), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: {
      ...process.env,
      NINJA_SYNC_KEY: randomBytes(32).toString('base64'),
      NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true',
      LOG_LEVEL: 'warn',
      NINJA_SYNC_RUNS_IN: runsIn,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const url = /is listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes('Stop with Ctrl-C')) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`ninja-sync serve exited with ${code}: ${out}`)));
  });
}

type Json = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly json: Json;
  /** From send to the end of the body. */
  readonly ms: number;
}

/** A signed-in admin: the session cookie and the CSRF token, as the web UI holds them. */
function client(base: string) {
  const cookies = new Map<string, string>();
  let csrf = '';
  return async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    for (const line of response.headers.getSetCookie()) {
      const [name, ...value] = (line.split(';')[0] ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // not JSON (an error page): nothing to read in it
    }
    if (typeof json['csrfToken'] === 'string') csrf = json['csrfToken'];
    return { status: response.status, json, ms };
  };
}

function latencies(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

export async function measureResponsiveness(input: ResponsivenessInput): Promise<Responsiveness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ninja-sync-bench-serve-'));
  const serve = await startServe(dataDir, input.runsIn);
  try {
    const call = client(serve.url);
    const expect = async (what: string, answer: Promise<Answer>, status: number): Promise<Json> => {
      const got = await answer;
      if (got.status !== status) throw new Error(`${what}: ${got.status} ${JSON.stringify(got.json)}`);
      return got.json;
    };
    await expect('setup', call('POST', '/api/setup', { email: 'bench@acme.example', password: 'a bench password, long enough' }), 201);
    await expect(
      'credential',
      call('POST', '/api/credentials', {
        name: 'ninjaone',
        url: input.ninjaUrl,
        clientId: 'demo-m2m',
        clientSecret: 'demo-m2m-secret',
        grantType: 'client_credentials',
        allowInsecureHttp: true,
      }),
      201,
    );
    await expect(
      'connection',
      call('POST', '/api/oomnitza-connections', {
        name: 'oomnitza',
        url: input.oomnitzaUrl,
        apiToken: input.apiToken,
        allowInsecureHttp: true,
      }),
      201,
    );
    // Keyed by a username no earlier section wrote: every user is a create.
    const document = {
      name: 'Responsiveness',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['username'],
      customFields: { fullName: "$trim(firstName & ' ' & lastName)" },
      mapping: {
        username: { expr: `'resp-' & $string(id)` },
        first_name: 'firstName',
        last_name: 'lastName',
        full_name: 'fullName',
        email: { field: 'email', transform: ['trim', 'lower'] },
      },
    };
    const integration = await expect('integration', call('POST', '/api/integrations', document), 201);
    const hostile = { document: { ...document, customFields: { fullName: hostileField } }, limit: 5 };

    const run = await expect('run now', call('POST', `/api/integrations/${String(integration['id'])}/runs`, { dryRun: false }), 202);
    const started = performance.now();
    let finished = false;
    const statuses: Record<string, number> = {};
    let answered = 0;
    const previews = (async () => {
      while (!finished) {
        const answer = await call('POST', '/api/integrations/preview', hostile).catch(() => ({ status: 0 }));
        statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
        answered++;
      }
    })();
    const healthz: number[] = [];
    const list: number[] = [];
    let state = 'running';
    let created = 0;
    for (let i = 0; !finished; i++) {
      healthz.push((await call('GET', '/healthz')).ms);
      list.push((await call('GET', '/api/integrations')).ms);
      if (i % 10 === 0) {
        const current = (await call('GET', `/api/runs/${String(run['id'])}`)).json as { state: string; counts: { created: number } };
        if (['succeeded', 'completed_with_errors', 'failed', 'canceled'].includes(current.state)) {
          finished = true;
          state = current.state;
          created = current.counts.created;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await previews;
    return {
      healthz: latencies(healthz),
      integrations: latencies(list),
      run: { state, created, seconds },
      previews: { answered, statuses },
    };
  } finally {
    await new Promise<void>((resolve) => {
      serve.child.once('exit', () => resolve());
      serve.child.kill('SIGTERM');
    });
    await rm(dataDir, { recursive: true, force: true });
  }
}
