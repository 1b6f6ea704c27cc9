/**
 * Builds the web UI (`web/dist`, Vite) when it is missing or older than its sources, so that
 * `ninja-sync serve` on a fresh clone shows the UI without a separate build step, and the browser
 * tests always test the current sources. Vite is a development dependency: where it is not
 * installed, the server still starts and its page says how to build. An installed package ships
 * web/dist built by `npm pack` (prepack) and no sources: its build is current by definition.
 *
 * @example
 * await ensureWebBuild(); // no-op when web/dist is up to date
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** True when web/dist exists and is newer than every source file (or there are no sources: a package). */
export function webBuildIsCurrent(): boolean {
  const index = join(webRoot, 'dist', 'index.html');
  if (!existsSync(index)) return false;
  if (!existsSync(join(webRoot, 'src'))) return true;
  const sources = Math.max(
    newestMtime(join(webRoot, 'src')),
    newestMtime(join(webRoot, 'index.html')),
    newestMtime(join(webRoot, 'vite.config.ts')),
  );
  return statSync(index).mtimeMs > sources;
}

/** Builds web/dist with Vite unless it is current; returns whether it built. */
export async function ensureWebBuild(): Promise<boolean> {
  if (webBuildIsCurrent()) return false;
  const { build } = await import('vite');
  await build({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
