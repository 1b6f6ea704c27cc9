/**
 * An admin's everyday tasks in Chromium, against a real server on SQLite with both emulators: an
 * Oomnitza connection edited and tested before it is saved, whose long test result neither cuts its
 * badge nor stacks its buttons; a run's cards that add up with its record filter, who started it in
 * words and its dates in the browser's locale; a failed dry run that says so and tells its starter;
 * a real run confirmed with the last dry run's plan; people disabled and enabled again, and their
 * add and password forms kept from an accidental close; the app's
 * own "not found" page; the OAuth answer pages in the app's look; a warning for a credential not yet
 * authenticated; and a viewer's readable details page.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type ApiClient, apiClient } from '../support/api-client.ts';
import { axeProblems, signIn } from './screens-support.ts';
import { type BrowserWorld, desktop, firstAdmin, phone, screenshot, startBrowserWorld } from './support.ts';

import type { BrowserContext, Page } from 'playwright-core';

const { password } = firstAdmin;

describe('admin tasks in Chromium [sqlite]', () => {
  let world: BrowserWorld;
  let integrationId: string;

  before(async () => {
    world = await startBrowserWorld({
      ninjaone: { seed: 11, users: 8 },
      oomnitza: { seed: 11, users: 1 },
      server: { workerPollMs: 100 },
      vendors: true,
    });
    const created = await world.admin.post('/api/integrations', {
      name: 'NinjaOne users',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      recordType: 'user_and_saas_user',
      syncKeys: ['email'],
      mapping: { email: 'email', username: 'email', first_name: 'firstName', last_name: 'lastName' },
    });
    assert.equal(created.status, 201, created.text);
    integrationId = created.body.id;
  });

  after(() => world?.close());

  async function withPage(
    viewport: { width: number; height: number },
    fn: (page: Page, context: BrowserContext) => Promise<void>,
    options: { email?: string; locale?: string; timezoneId?: string } = {},
  ): Promise<void> {
    const context = await world.browser.newContext({
      viewport,
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
    const page = await context.newPage();
    try {
      await signIn(page, world.url, options.email ?? 'it@acme.example', password);
      await fn(page, context);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'ninja-sync-admin-tasks-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  const connections = async (): Promise<{ name: string; url: string; status: string; apiTokenHint: string }[]> =>
    (await world.admin.get('/api/oomnitza-connections')).body.connections;

  test('an Oomnitza connection is tested before it is saved, and edited in place; a new URL needs its token again', async () => {
    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/credentials`);
      await page.getByRole('button', { name: 'Add Oomnitza connection' }).click();
      const form = page.getByRole('form', { name: 'New Oomnitza connection' });
      await form.getByLabel('Connection name').fill('oomnitza-b');
      await form.getByLabel('Instance URL').fill(world.oomnitza.url);
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
      await form.getByLabel(/^API token/).fill(world.oomnitza.apiToken);
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
      assert.equal(await edit.getByLabel('Instance URL').inputValue(), world.oomnitza.url);
      await edit.getByLabel('Instance URL').fill(world.oomnitza.url.replace('127.0.0.1', 'localhost'));
      await edit.getByText('A new URL needs its API token again').waitFor();
      await edit.getByRole('button', { name: 'Save connection' }).click();
      await edit.locator('.mantine-PasswordInput-root').filter({ hasText: 'enter the API token for this URL' }).waitFor();
      assert.equal((await connections()).find((c) => c.name === 'oomnitza-b')?.url, world.oomnitza.url, 'the URL is unchanged');
      await edit.getByLabel('Instance URL').fill(world.oomnitza.url);
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
      await screenshot(page, 'desktop-connection-test-failed');
      await edit.getByRole('button', { name: 'Save anyway' }).click();
      await edit.waitFor({ state: 'detached' });
      const saved = (await connections()).find((c) => c.name === 'oomnitza-eu');
      assert.equal(saved?.status, 'failing');
      assert.equal(saved?.apiTokenHint, 'oken');
    });

    // A long result (Oomnitza's own words can run long) wraps in its column: the badge keeps its
    // words and the buttons stay side by side, on a desktop and on a phone.
    const long = `Oomnitza answered 401 Unauthorized: ${'the API token is not valid for this instance or has been revoked; '.repeat(6)}`;
    await world.server.context.db
      .updateTable('oomnitza_connections')
      .set({ status_reason: long })
      .where('name', '=', 'oomnitza-eu')
      .execute();
    for (const viewport of [desktop, { width: 1024, height: 800 }, phone]) {
      await withPage(viewport, async (page) => {
        await page.goto(`${world.url}/credentials`);
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

  async function finished(id: string, client: ApiClient = world.admin): Promise<any> {
    for (let i = 0; i < 600; i++) {
      const run = (await client.get(`/api/runs/${id}`)).body;
      if (!['queued', 'running'].includes(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} did not finish`);
  }

  test("a run's cards add up with its record filter, say who started it in words, and show dates in the browser's locale", async () => {
    const token = await world.admin.post('/api/tokens', { name: 'nightly-ci', role: 'admin' });
    assert.equal(token.status, 201, token.text);
    const ci = apiClient(world.url, { bearer: token.body.token });
    const run = await finished((await ci.post(`/api/integrations/${integrationId}/runs`, { dryRun: false })).body.id);
    assert.ok(run.saasCounts.created > 0 && run.counts.created > 0, `users and SaaS users were created: ${JSON.stringify(run)}`);
    assert.equal(run.startedBy, 'API token "nightly-ci"');

    await withPage(
      desktop,
      async (page) => {
        await page.goto(`${world.url}/runs/${run.id}`);
        await page.getByRole('table', { name: 'Run records' }).waitFor({ timeout: 30_000 });
        const queued = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(
          new Date(run.queuedAt),
        );
        const line = await page.getByText(/^Queued /).innerText();
        assert.ok(line.startsWith(`Queued ${queued}`), `the date as a German browser writes it (${queued}): ${line}`);
        assert.match(line, /started by API token "nightly-ci"/);
        const card = async (attribute: string): Promise<number> =>
          Number(await page.locator(`[${attribute}="created"] p`).last().innerText());
        const users = await card('data-count');
        const saas = await card('data-saas-count');
        assert.deepEqual([users, saas], [run.counts.created, run.saasCounts.created]);
        // The record filter shows what the cards say: both kinds together, then each on its own.
        await page.getByLabel('Outcome').getByText('created', { exact: true }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `${users + saas} records` })
          .waitFor();
        await page.getByLabel('Kind').getByText('SaaS users', { exact: true }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `${saas} records` })
          .waitFor();
        await page.getByLabel('Kind').getByText('users', { exact: true }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `${users} records` })
          .waitFor();
        await screenshot(page, 'desktop-run-users-and-saas');
        await page.goto(`${world.url}/runs`);
        const row = page.locator(`[data-run-id="${run.id}"]`);
        assert.match(
          await row.innerText(),
          new RegExp(`${run.counts.created}\\s*\\+${run.saasCounts.created} SaaS`),
          'the list adds SaaS users too',
        );
      },
      { locale: 'de-DE', timezoneId: 'Europe/Berlin' },
    );
  });

  test('a failed dry run says so on its page, with why, and tells the person who started it', async () => {
    const bad = await world.admin.post('/api/oomnitza-connections', {
      name: 'oomnitza-old',
      url: world.oomnitza.url,
      apiToken: 'revoked-long-ago',
      allowInsecureHttp: true,
    });
    assert.equal(bad.status, 201, bad.text);
    const broken = await world.admin.post('/api/integrations', {
      name: 'Broken sync',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza-old' },
      syncKeys: ['email'],
      mapping: { email: 'email' },
    });
    assert.equal(broken.status, 201, broken.text);
    await withPage(desktop, async (page) => {
      const before = (await world.admin.get('/api/notifications')).body.unreadCount as number;
      await page.goto(`${world.url}/integrations/${broken.body.id}/runs`);
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page.getByRole('heading', { name: /^Dry run of Broken sync/ }).waitFor();
      const alert = page.getByRole('alert').filter({ hasText: 'The dry run failed' });
      await alert.waitFor({ timeout: 30_000 });
      assert.match(await alert.innerText(), /there is no plan/);
      assert.match(await alert.innerText(), /401|token|Unauthori[sz]ed/i, 'it says why');
      assert.match(await page.getByText(/^Queued /).innerText(), /started by it@acme\.example/);
      await screenshot(page, 'desktop-dry-run-failed');
      // The bell counts it (it is asked again when the page loads) and the notification opens the run.
      await page.reload();
      await page.getByRole('button', { name: `Notifications (${before + 1} unread)` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Broken sync: the dry run failed' }).click();
      await page.getByRole('heading', { name: /^Dry run of Broken sync/ }).waitFor();
    });
    const alerts = (await world.admin.get(`/api/alerts?status=open`)).body;
    assert.ok(
      !JSON.stringify(alerts).includes(broken.body.id),
      "a dry run raises no alert to the integration's contacts (it writes nothing; its starter is told)",
    );
  });

  test('"Run now" asks first and shows what the last dry run planned; nothing runs until it is confirmed', async () => {
    const dry = await finished((await world.admin.post(`/api/integrations/${integrationId}/runs`, { dryRun: true })).body.id);
    const runsBefore = (await world.admin.get(`/api/runs?integrationId=${integrationId}`)).body.runs.length as number;
    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/integrations/${integrationId}/runs`);
      await page.getByRole('button', { name: 'Run now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Run “NinjaOne users” now?' });
      const plan = dialog.getByRole('status', { name: 'Last dry run' });
      await plan.waitFor();
      assert.match(
        await plan.innerText(),
        new RegExp(`${dry.counts.created} to create · ${dry.counts.updated} to update · ${dry.counts.unchanged} unchanged`),
      );
      assert.match(await dialog.innerText(), /writes to the Oomnitza connection “oomnitza”/);
      await screenshot(page, 'desktop-run-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(
        (await world.admin.get(`/api/runs?integrationId=${integrationId}`)).body.runs.length,
        runsBefore,
        'cancel starts nothing',
      );
      await page.getByRole('button', { name: 'Run now' }).click();
      await dialog.getByRole('button', { name: 'Run and write to Oomnitza' }).click();
      await page.getByRole('heading', { name: /^Run of NinjaOne users/ }).waitFor();
    });
    assert.equal((await world.admin.get(`/api/runs?integrationId=${integrationId}`)).body.runs.length, runsBefore + 1);
  });

  test('an admin disables a person (signed out at once, refused at sign-in) and enables them again; the last admin stays enabled', async () => {
    const vic = await world.admin.post('/api/users', { email: 'vic@acme.example', name: 'Vic Viewer', role: 'viewer', password });
    assert.equal(vic.status, 201, vic.text);
    const vicApi = apiClient(world.url);
    assert.equal((await vicApi.post('/api/session', { email: 'vic@acme.example', password })).status, 200);
    assert.equal((await vicApi.get('/api/integrations')).status, 200);

    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/people`);
      await page.getByRole('table', { name: 'People' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Disable it@acme.example' }).count(), 0, 'nobody disables themselves');
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Disable vic@acme.example' }).click();
      await page.getByRole('status').filter({ hasText: 'vic@acme.example is disabled and was signed out everywhere' }).waitFor();
      await page
        .getByRole('row', { name: /vic@acme\.example/ })
        .getByText('disabled', { exact: true })
        .waitFor();
      assert.deepEqual(await axeProblems(page), []);
    });
    assert.equal((await vicApi.get('/api/integrations')).status, 401, 'their session ended');
    const refused = await apiClient(world.url).post('/api/session', { email: 'vic@acme.example', password });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /disabled; ask an admin/);
    // The sign-in page says so too.
    const context = await world.browser.newContext({ viewport: desktop });
    try {
      const page = await context.newPage();
      await page.goto(world.url);
      await page.getByLabel('Email').fill('vic@acme.example');
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/vic@acme\.example is disabled/).waitFor();
    } finally {
      await context.close();
    }
    // The last enabled admin cannot be disabled, even by an admin's API token.
    const adminToken = (await world.admin.post('/api/tokens', { name: 'people-admin', role: 'admin' })).body.token as string;
    const me = (await world.admin.get('/api/session')).body.user.id as string;
    const last = await apiClient(world.url, { bearer: adminToken }).patch(`/api/users/${me}`, { disabled: true });
    assert.equal(last.status, 409, last.text);
    assert.equal(last.body.error.code, 'last_admin');

    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/people`);
      await page.getByRole('button', { name: 'Enable vic@acme.example' }).click();
      await page.getByRole('status').filter({ hasText: 'vic@acme.example can sign in again' }).waitFor();
    });
    assert.equal((await apiClient(world.url).post('/api/session', { email: 'vic@acme.example', password })).status, 200);
  });

  test('closing "Add person" or "Set new password" with something typed asks first; Keep editing keeps it, Discard adds no one', async () => {
    await withPage(phone, async (page) => {
      await page.goto(`${world.url}/people`);
      await page.getByRole('button', { name: 'Add person' }).click();
      const form = page.getByRole('dialog', { name: 'Add person' });
      await form.getByRole('textbox', { name: 'Email' }).fill('nora@acme.example');
      await form.getByRole('textbox', { name: 'First password' }).fill(password);
      // Escape (as a click outside or ×) would have closed the modal and lost both.
      await page.keyboard.press('Escape');
      const prompt = page.getByRole('dialog', { name: 'Unsaved changes to the new person' });
      await prompt.waitFor();
      await prompt.getByRole('button', { name: 'Keep editing' }).click();
      await prompt.waitFor({ state: 'hidden' });
      assert.equal(await form.getByRole('textbox', { name: 'Email' }).inputValue(), 'nora@acme.example');
      await form.getByRole('button', { name: 'Close' }).click();
      await prompt.getByRole('button', { name: 'Discard changes' }).click();
      await form.waitFor({ state: 'hidden' });
      const people = (await world.admin.get('/api/users')).body.users as { email: string }[];
      assert.equal(people.filter((p) => p.email === 'nora@acme.example').length, 0, 'discarding adds no one');
      // Nothing typed: closes at once.
      await page.getByRole('button', { name: 'Add person' }).click();
      await form.waitFor();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'hidden' });
      assert.equal(await prompt.count(), 0);

      await page.getByRole('button', { name: 'Set new password for it@acme.example' }).click();
      const reset = page.getByRole('dialog', { name: 'New password for it@acme.example' });
      await reset.getByRole('textbox', { name: 'New password' }).fill('a new password of mine');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name: 'Unsaved changes to the new password for it@acme.example' }).waitFor();
    });
  });

  test('an unknown path shows the app\'s "not found" page (API paths keep JSON); the OAuth deny page looks like the app and leads back', async () => {
    const pending = await world.admin.post('/api/credentials', {
      name: 'ninjaone-eu',
      url: world.ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      allowInsecureHttp: true,
    });
    assert.equal(pending.status, 201, pending.text);
    await withPage(phone, async (page) => {
      const answer = await page.goto(`${world.url}/integrations/${integrationId}/nowhere/else`);
      assert.equal(answer?.status(), 404);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await screenshot(page, 'phone-not-found');
      assert.deepEqual(await axeProblems(page), []);
      await page.getByRole('link', { name: 'Go to the integrations' }).click();
      await page.getByRole('link', { name: 'NinjaOne users' }).waitFor();
      const api = await page.goto(`${world.url}/api/nowhere`);
      assert.equal(api?.status(), 404);
      assert.match(await api.text(), /"code":"not_found"/);

      // Deny at NinjaOne's consent page: the answer page has the app's header and a way back.
      await page.goto(`${world.url}/credentials/${pending.body.id}`);
      await page.getByRole('button', { name: 'Authenticate' }).click();
      await page.waitForURL((url) => url.href.startsWith(world.ninja.url));
      await page.locator('#deny').click();
      await page.waitForURL((url) => url.href.startsWith(`${world.url}/oauth2/redirect`));
      await page.getByRole('link', { name: 'ninja-sync' }).waitFor();
      assert.equal(await page.locator('h1').getAttribute('data-outcome'), 'error');
      assert.equal(await page.evaluate("getComputedStyle(document.querySelector('header')).height"), '56px', "the app's header bar");
      assert.deepEqual(await axeProblems(page), []);
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= phone.width, 'fits a phone');
      await screenshot(page, 'phone-oauth-denied');
      await page.getByRole('link', { name: 'Back to the credential' }).click();
      await page.getByRole('table', { name: 'Credential details' }).waitFor();
    });
  });

  test('a new integration warns when its credential is not authenticated yet; a viewer reads the details as text', async () => {
    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/integrations/new`);
      const form = page.getByRole('form', { name: 'Integration details' });
      await form.waitFor();
      const select = form
        .getByRole('textbox', { name: 'NinjaOne credential' })
        .or(form.getByRole('combobox', { name: 'NinjaOne credential' }))
        .first();
      await select.click();
      await page.getByRole('option', { name: 'ninjaone-eu (pending)' }).click();
      await form.getByRole('status').filter({ hasText: '“ninjaone-eu” is not authenticated yet' }).waitFor();
      await select.click();
      await page.getByRole('option', { name: 'ninjaone (active)' }).click();
      await form.getByRole('status').filter({ hasText: 'not authenticated' }).waitFor({ state: 'detached' });
    });
    await world.admin.post('/api/users', { email: 'val@acme.example', name: 'Val Viewer', role: 'viewer', password });
    await withPage(
      desktop,
      async (page) => {
        await page.goto(`${world.url}/integrations/${integrationId}`);
        const details = page.getByRole('table', { name: 'Integration details' });
        await details.waitFor();
        assert.equal(await page.getByRole('form', { name: 'Integration details' }).count(), 0, 'no greyed-out form');
        const text = await details.innerText();
        assert.match(text, /Record type\s+User plus SaaS user/);
        assert.match(text, /Sync keys\s+email/);
        assert.match(text, /Schedule\s+every day at/);
        await screenshot(page, 'desktop-viewer-details');
        assert.equal(await page.locator('main input:disabled, main fieldset:disabled').count(), 0);
        assert.deepEqual(await axeProblems(page), []);
      },
      { email: 'val@acme.example' },
    );
  });
});
