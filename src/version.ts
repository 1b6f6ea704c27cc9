/**
 * The program's version, read once from its package.json (which every install carries), so that
 * `ninja-sync --version`, `/healthz` and the server's start-up log agree with what was installed.
 *
 * @example
 * import { version } from './version.ts';
 * console.log(`ninja-sync ${version}`); // ninja-sync 0.1.0
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const value = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
  if (typeof value !== 'string' || value === '') throw new Error('package.json of ninja-sync has no version');
  return value;
}

export const version: string = readVersion();
