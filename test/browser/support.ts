/**
 * What the browser tests share: a built UI (built once if web/dist is missing or older than the
 * sources), Chromium from the npm package through playwright-core (chromium.ts), a SQLite-backed
 * server, and screenshots into docs/screenshots.
 *
 * @example
 * await ensureWebBuild();
 * const browser = await launchChromium();
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Page } from 'playwright-core';
import type { TestDatabaseTarget } from '../support/databases.ts';

/**
 * Screenshots go into docs/screenshots (committed, shown in the README) only when
 * UPDATE_SCREENSHOTS=1; otherwise into a temporary folder, so a test run leaves the tree clean.
 */
export const screenshotDir =
  process.env['UPDATE_SCREENSHOTS'] === '1'
    ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
    : join(tmpdir(), 'ninja-sync-screenshots');

export { ensureWebBuild } from '../../src/server/web-build.ts';
export { launchChromium } from './chromium.ts';

/** A fresh SQLite database folder, removed by `cleanup`. The browser tests need only SQLite. */
export function sqliteTarget(): TestDatabaseTarget & { cleanup(): void } {
  const folders: string[] = [];
  const unused = (): never => {
    throw new Error('the browser tests only start servers on this target');
  };
  return {
    dialect: 'sqlite',
    options: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ninja-sync-web-'));
      folders.push(dataDir);
      return { dataDir };
    },
    open: async () => unused(),
    reopen: async () => unused(),
    cleanup: () => {
      for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // From the top, so the fixed header sits where it belongs in a full-page picture.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
