/**
 * The Chromium the browser tests drive, with nothing installed by hand: the headless shell shipped
 * (brotli-compressed) in the npm package `@sparticuz/chromium`, unpacked once into the temporary
 * folder with its fonts (Open Sans, so screenshots show the same text on every machine) and the
 * NSS/expat libraries it links against (a bare Debian has none of them). A system Chromium is used
 * instead only when `CHROMIUM_PATH` names one.
 *
 * The package's own flags run Chromium as `--single-process` (for AWS Lambda), where closing a
 * browser context crashes the browser; the tests open many contexts, so it runs multi-process here,
 * without the package's `--disable-web-security` family (the tests must meet the real browser rules).
 *
 * @example
 * const browser = await launchChromium();
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium } from 'playwright-core';

/** Flags for any Chromium the tests launch: no sandbox (the tests may run as root), no background traffic. */
const commonArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--font-render-hinting=none',
];

export interface ChromiumBinary {
  readonly executablePath: string;
  readonly args: readonly string[];
  /** Extra environment for the browser process (libraries and fonts of the npm package). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Where the browser comes from: `CHROMIUM_PATH` when set, else the npm package (unpacked on first use).
 * Unpacking is not safe to run twice at once; `npm test` calls this once before starting the test files.
 *
 * @example const { executablePath } = await prepareChromium();
 */
export async function prepareChromium(): Promise<ChromiumBinary> {
  const system = process.env['CHROMIUM_PATH'];
  if (system !== undefined && system !== '') return { executablePath: system, args: commonArgs, env: {} };
  const executablePath = await sparticuz.executablePath();
  const libDir = unpackLibraries();
  const libraryPath = [libDir, process.env['LD_LIBRARY_PATH']].filter((p) => p !== undefined && p !== '').join(':');
  return {
    executablePath,
    args: [...commonArgs, '--no-zygote', '--disable-setuid-sandbox', '--headless=shell'],
    env: { LD_LIBRARY_PATH: libraryPath, FONTCONFIG_PATH: join(tmpdir(), 'fonts') },
  };
}

/**
 * A headless Chromium for one test file.
 *
 * @example const browser = await launchChromium(); try { ... } finally { await browser.close(); }
 */
export async function launchChromium(): Promise<Browser> {
  const binary = await prepareChromium();
  return chromium.launch({
    executablePath: binary.executablePath,
    headless: true,
    args: [...binary.args],
    env: { ...process.env, ...binary.env },
  });
}

/**
 * The package's `al2023.tar.br` (libnss3, libnspr4, libexpat… built for Amazon Linux 2023, whose
 * glibc is older than Debian 12's) unpacked into `$TMPDIR/al2023/lib`: through a private folder and
 * a rename, so a concurrent or interrupted unpack never leaves a half-written library behind.
 */
function unpackLibraries(): string {
  const target = join(tmpdir(), 'al2023');
  const libDir = join(target, 'lib');
  if (existsSync(join(libDir, 'libnss3.so'))) return libDir;
  const archive = join(sparticuzBinDir(), 'al2023.tar.br');
  const staging = mkdtempSync(join(tmpdir(), 'al2023-'));
  try {
    // tar is part of every Debian (Essential: yes); the archive holds a dozen plain files.
    const untar = spawnSync('tar', ['-x', '-C', staging], { input: brotliDecompressSync(readFileSync(archive)) });
    if (untar.status !== 0) throw new Error(`could not unpack ${archive}: ${untar.stderr.toString()}`);
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process got there first: use its copy.
      if (!existsSync(join(libDir, 'libnss3.so'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return libDir;
}

function sparticuzBinDir(): string {
  // The package resolves to build/esm/index.js; its archives sit in ../../bin.
  return join(new URL('.', import.meta.resolve('@sparticuz/chromium')).pathname, '..', '..', 'bin');
}
