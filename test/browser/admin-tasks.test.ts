/**
 * An admin's everyday tasks in Chromium, against a real server on SQLite with both emulators: an
 * Oomnitza connection edited and tested before it is saved, whose long test result neither cuts its
 * badge nor stacks its buttons.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type NinjaOneEmulator, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { type OomnitzaEmulator, startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { answerConsent } from '../support/consent.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { signIn } from './screens-support.ts';
import { ensureWebBuild, launchChromium, sqliteTarget } from './support.ts';

import type { Browser, BrowserContext, Page } from 'playwright-core';

const password = 'correct horse battery staple';
const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

describe('admin tasks in Chromium [sqlite]', () => {
  const target = sqliteTarget();
  let ninja: NinjaOneEmulator;
  let oomnitza: OomnitzaEmulator;
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;

  before(async () => {
    await ensureWebBuild();
    ninja = await startNinjaOneEmulator({ seed: 11, users: 8 });
    oomnitza = await startOomnitzaEmulator({ seed: 11, users: 1 });
    server = await startTestServer(target, { workerPollMs: 100 });
    ninja.addRedirectUri('demo-web', `${server.url}/oauth2/redirect`);
    admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', name: 'Ida Admin', password })).status, 201);
    const credential = await admin.post('/api/credentials', {
      name: 'ninjaone',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      allowInsecureHttp: true,
    });
    const back = await answerConsent((await admin.post(`/api/credentials/${credential.body.id}/authorize`)).body.authorizeUrl, 'approve');
    assert.equal((await admin.fetchRaw(back)).status, 200);
    const connection = await admin.post('/api/oomnitza-connections', {
      name: 'oomnitza',
      url: oomnitza.url,
      apiToken: oomnitza.apiToken,
      allowInsecureHttp: true,
    });
    assert.equal(connection.status, 201, connection.text);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await ninja?.close();
    await oomnitza?.close();
    target.cleanup();
  });

  async function withPage(
    viewport: { width: number; height: number },
    fn: (page: Page, context: BrowserContext) => Promise<void>,
    options: { email?: string; locale?: string; timezoneId?: string } = {},
  ): Promise<void> {
    const context = await browser.newContext({
      viewport,
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
    const page = await context.newPage();
    try {
      await signIn(page, server.url, options.email ?? 'it@acme.example', password);
      await fn(page, context);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'ninja-sync-admin-tasks-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  const connections = async (): Promise<{ name: string; url: string; status: string; apiTokenHint: string }[]> =>
    (await admin.get('/api/oomnitza-connections')).body.connections;

  test('an Oomnitza connection is tested before it is saved, and edited in place; a new URL needs its token again', async () => {
    await withPage(desktop, async (page) => {
      await page.goto(`${server.url}/credentials`);
      await page.getByRole('button', { name: 'Add Oomnitza connection' }).click();
      const form = page.getByRole('form', { name: 'New Oomnitza connection' });
      await form.getByLabel('Connection name').fill('oomnitza-b');
      await form.getByLabel('Instance URL').fill(oomnitza.url);
      await form.getByLabel(/^API token/).fill('not-the-token');
      await form.getByLabel(/^Allow plain http/).check();
      // A bad token: the save tests first, says why it failed, and stores nothing.
      await form.getByRole('button', { name: 'Add connection' }).click();
      await form.getByRole('alert').filter({ hasText: 'Test failed' }).waitFor();
      assert.match(await form.getByRole('alert').innerText(), /not saved/);
      assert.deepEqual(
        (await connections()).map((c) => c.name),
        ['oomnitza'],
        'nothing saved without a passing test',
      );
      // "Test" on its own, with the right token: it passes, and the save goes through.
      await form.getByLabel(/^API token/).fill(oomnitza.apiToken);
      await form.getByRole('button', { name: 'Test', exact: true }).click();
      await form.getByRole('status').filter({ hasText: 'Test passed' }).waitFor();
      assert.match(await form.getByRole('status').innerText(), /1 users/);
      await form.getByRole('button', { name: 'Add connection' }).click();
      await form.waitFor({ state: 'detached' });
      await page
        .getByRole('row', { name: /oomnitza-b/ })
        .getByText('connected')
        .waitFor();

      // Edit: a new name saves without a token; a new URL does not.
      await page.getByRole('button', { name: 'Edit connection oomnitza-b' }).click();
      const edit = page.getByRole('form', { name: 'Edit Oomnitza connection' });
      assert.equal(await edit.getByLabel('Instance URL').inputValue(), oomnitza.url);
      await edit.getByLabel('Instance URL').fill(oomnitza.url.replace('127.0.0.1', 'localhost'));
      await edit.getByText('A new URL needs its API token again').waitFor();
      await edit.getByRole('button', { name: 'Save connection' }).click();
      await edit.locator('.mantine-PasswordInput-root').filter({ hasText: 'enter the API token for this URL' }).waitFor();
      assert.equal((await connections()).find((c) => c.name === 'oomnitza-b')?.url, oomnitza.url, 'the URL is unchanged');
      await edit.getByLabel('Instance URL').fill(oomnitza.url);
      await edit.getByLabel('Connection name').fill('oomnitza-eu');
      await edit.getByRole('button', { name: 'Save connection' }).click();
      await edit.waitFor({ state: 'detached' });
      await page.getByRole('row', { name: /oomnitza-eu/ }).waitFor();

      // A wrong token entered on purpose: the failed test asks, "Save anyway" stores it as failing.
      await page.getByRole('button', { name: 'Edit connection oomnitza-eu' }).click();
      await edit.getByLabel(/^API token/).fill('revoked-token');
      await edit.getByRole('button', { name: 'Save connection' }).click();
      await edit.getByRole('alert').filter({ hasText: 'Test failed' }).waitFor();
      assert.equal((await connections()).find((c) => c.name === 'oomnitza-eu')?.status, 'ok', 'not saved yet');
      await edit.getByRole('button', { name: 'Save anyway' }).click();
      await edit.waitFor({ state: 'detached' });
      const saved = (await connections()).find((c) => c.name === 'oomnitza-eu');
      assert.equal(saved?.status, 'failing');
      assert.equal(saved?.apiTokenHint, 'oken');
    });

    // A long result (Oomnitza's own words can run long) wraps in its column: the badge keeps its
    // words and the buttons stay side by side, on a desktop and on a phone.
    const long = `Oomnitza answered 401 Unauthorized: ${'the API token is not valid for this instance or has been revoked; '.repeat(6)}`;
    await server.context.db.updateTable('oomnitza_connections').set({ status_reason: long }).where('name', '=', 'oomnitza-eu').execute();
    for (const viewport of [desktop, { width: 1024, height: 800 }, phone]) {
      await withPage(viewport, async (page) => {
        await page.goto(`${server.url}/credentials`);
        const row = page.getByRole('row', { name: /oomnitza-eu/ });
        await row.getByText('revoked; the API').first().waitFor();
        const label = row.locator('.mantine-Badge-label');
        assert.equal(await label.textContent(), 'failing');
        await page.screenshot({ path: join(tmpdir(), `ninja-sync-connections-${viewport.width}.png`), fullPage: true });
        const cut = await page.evaluate(
          "[...document.querySelectorAll('.mantine-Badge-label')].filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent)",
        );
        assert.deepEqual(cut, [], `${viewport.width} px: no status badge is cut short`);
        const boxes = await Promise.all(
          ['Test', 'Edit', 'Delete'].map((verb) => row.getByRole('button', { name: `${verb} connection oomnitza-eu` }).boundingBox()),
        );
        const tops = boxes.map((b) => Math.round(b?.y ?? -1));
        assert.ok(
          tops.every((y) => y >= 0 && y === tops[0]),
          `${viewport.width} px: the buttons sit on one line (${tops.join(', ')})`,
        );
      });
    }
  });
});
