/**
 * What the browser tests share: a built UI (built once if web/dist is missing or older than the
 * sources), Chromium from the npm package through playwright-core (chromium.ts), a SQLite-backed
 * server with both emulators and its first admin (`startBrowserWorld`), and screenshots into
 * docs/screenshots.
 *
 * @example
 * const world = await startBrowserWorld({ ninjaone: { seed: 7, users: 25 }, oomnitza: { seed: 7, users: 3 }, server: { workerPollMs: 100 } });
 * after(() => world.close());
 * const page = await world.browser.newPage();
 * await page.goto(world.url);
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type NinjaOneEmulator, type NinjaOneEmulatorOptions, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { type OomnitzaEmulator, type OomnitzaEmulatorOptions, startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { ensureWebBuild } from '../../src/server/web-build.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addAuthorizedCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';
import { launchChromium } from './chromium.ts';

import type { Browser, Page } from 'playwright-core';
import type { TestDatabaseTarget } from '../support/databases.ts';

/**
 * Screenshots go into docs/screenshots (committed, shown in the README) only when
 * UPDATE_SCREENSHOTS=1; otherwise into a temporary folder, so a test run leaves the tree clean.
 */
export const screenshotDir =
  process.env['UPDATE_SCREENSHOTS'] === '1'
    ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
    : join(tmpdir(), 'ninja-sync-screenshots');

export { ensureWebBuild, launchChromium };

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

/** The administrator `startBrowserWorld` creates through first-run setup; the tests sign in as it. */
export const firstAdmin = { email: 'it@acme.example', name: 'Ida Admin', password: 'correct horse battery staple' } as const;

/** The two widths every screen is checked at: a desktop and a phone (390 × 844). */
export const desktop = { width: 1440, height: 900 } as const;
export const phone = { width: 390, height: 844 } as const;

export interface BrowserWorldOptions {
  readonly ninjaone: NinjaOneEmulatorOptions;
  readonly oomnitza: OomnitzaEmulatorOptions;
  /** The server's own options: how often its worker polls, no worker at all, demo mode... */
  readonly server: Parameters<typeof startTestServer>[1];
  /** false: no first admin, for a test that goes through first-run setup in the browser (default true). */
  readonly firstAdmin?: boolean;
  /**
   * true: the first admin adds NinjaOne credential "ninjaone" (the emulator's web app, its consent
   * approved) and Oomnitza connection "oomnitza" (test/support/vendor-setup.ts). Default false.
   */
  readonly vendors?: boolean;
}

export interface BrowserWorld {
  readonly browser: Browser;
  readonly server: TestServer;
  /** The server's base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  readonly ninja: NinjaOneEmulator;
  readonly oomnitza: OomnitzaEmulator;
  /** Signed in as `firstAdmin`; with `firstAdmin: false`, a client that has not signed in. */
  readonly admin: ApiClient;
  /** The ids of credential "ninjaone" and connection "oomnitza" with `vendors: true`, else null. */
  readonly vendors: { readonly credentialId: string; readonly connectionId: string } | null;
  /** The database target: another server on a fresh database of its own, removed by `close` too. */
  readonly target: TestDatabaseTarget;
  /** Closes the browser, the server and the emulators, and removes the database folder. */
  close(): Promise<void>;
}

/**
 * A built UI, both emulators, a server on a fresh SQLite database whose URL the NinjaOne emulator
 * accepts as the "demo-web" app's redirect (so the consent flow comes back to it), its first admin
 * (and with `vendors`, its credential and connection to the emulators), and Chromium: what every browser test file starts from. A start that fails half way closes what
 * it had started.
 *
 * @example
 * let world: BrowserWorld;
 * before(async () => (world = await startBrowserWorld({ ninjaone: { seed: 11, users: 8 }, oomnitza: { seed: 11, users: 1 }, server: {} })));
 * after(() => world?.close());
 */
export async function startBrowserWorld(options: BrowserWorldOptions): Promise<BrowserWorld> {
  const target = sqliteTarget();
  // Undone in reverse order: the browser first, the database folder last.
  const undo: (() => unknown)[] = [() => target.cleanup()];
  async function close(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
  try {
    await ensureWebBuild();
    const ninja = await startNinjaOneEmulator(options.ninjaone);
    undo.push(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator(options.oomnitza);
    undo.push(() => oomnitza.close());
    const server = await startTestServer(target, options.server);
    undo.push(() => server.close());
    ninja.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
    const admin = apiClient(server.url);
    if (options.firstAdmin !== false) {
      const setup = await admin.post('/api/setup', firstAdmin);
      assert.equal(setup.status, 201, setup.text);
    }
    let vendors: BrowserWorld['vendors'] = null;
    if (options.vendors === true) {
      if (options.firstAdmin === false)
        throw new Error('startBrowserWorld: `vendors: true` needs the first admin; drop `firstAdmin: false`');
      const credential = await addAuthorizedCredential(admin, ninja);
      const connection = await addOomnitzaConnection(admin, oomnitza);
      vendors = { credentialId: credential.body.id, connectionId: connection.body.id };
    }
    const browser = await launchChromium();
    undo.push(() => browser.close());
    return { browser, server, url: server.url, ninja, oomnitza, admin, vendors, target, close };
  } catch (error) {
    await close();
    throw error;
  }
}
