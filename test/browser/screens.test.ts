/**
 * Every screen of the web UI in Chromium, at a desktop (1440 px) and a phone (390 × 844) width,
 * against a real server on SQLite with both emulators, a finished run, and a Local integration with
 * its agent: the phone layout (the menu folds away, the header covers nothing, tables scroll inside
 * their card, badges keep their words, every dialog fits), axe-core finds no serious or critical accessibility problem, and the details form refuses what
 * the server refuses, beside each field.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { axeProblems, signIn } from './screens-support.ts';
import { type BrowserWorld, desktop, firstAdmin, phone, screenshot, startBrowserWorld } from './support.ts';

import type { BrowserContext, Page } from 'playwright-core';

const { password } = firstAdmin;

describe('every screen at desktop and phone width [sqlite]', () => {
  let world: BrowserWorld;
  let integrationId: string;
  let credentialId: string;
  let runId: string;
  let localId: string;

  before(async () => {
    world = await startBrowserWorld({
      ninjaone: { seed: 5, users: 12 },
      oomnitza: { seed: 5, users: 2 },
      server: { workerPollMs: 100 },
      vendors: true,
    });
    credentialId = world.vendors!.credentialId;
    await world.admin.post(`/api/oomnitza-connections/${world.vendors!.connectionId}/test`);
    const created = await world.admin.post('/api/integrations', {
      name: 'NinjaOne users',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      recordType: 'user_and_saas_user',
      syncKeys: ['email'],
      mapping: { email: 'email', first_name: 'firstName', last_name: 'lastName' },
      schedule: { daily: '03:30', timezone: 'Europe/Berlin' },
    });
    assert.equal(created.status, 201, created.text);
    integrationId = created.body.id;
    runId = (await world.admin.post(`/api/integrations/${integrationId}/runs`, { dryRun: true })).body.id;
    for (let i = 0; i < 600; i++) {
      const run = (await world.admin.get(`/api/runs/${runId}`)).body;
      if (!['queued', 'running'].includes(run.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A Local integration and its agent (enrolled, not started), for the Agents screen and the Local form.
    assert.equal((await world.admin.post('/api/agents', { name: 'site-a' })).status, 201);
    const local = await world.admin.post('/api/integrations', {
      name: 'Site A users',
      installation: 'local',
      agent: 'site-a',
      source: { url: world.ninja.url, clientId: 'demo-m2m', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
      destination: { url: world.oomnitza.url, apiToken: '${OOMNITZA_API_TOKEN}' },
      allowInsecureHttp: true,
      syncKeys: ['email'],
      mapping: { email: 'email' },
    });
    assert.equal(local.status, 201, local.text);
    localId = local.body.id;
  });

  after(() => world?.close());

  /** Each signed-in screen: its path and a heading or region that says it has loaded. */
  const screens = (): { name: string; path: string; ready: (page: Page) => Promise<unknown> }[] => [
    { name: 'integrations', path: '/integrations', ready: (p) => p.getByRole('link', { name: 'NinjaOne users' }).waitFor() },
    {
      name: 'integration-details',
      path: `/integrations/${integrationId}`,
      ready: (p) => p.getByRole('form', { name: 'Integration details' }).waitFor(),
    },
    {
      name: 'integration-mapping',
      path: `/integrations/${integrationId}/mapping`,
      ready: (p) => p.getByRole('region', { name: 'Oomnitza fields' }).waitFor(),
    },
    {
      name: 'integration-runs',
      path: `/integrations/${integrationId}/runs`,
      ready: (p) => p.getByRole('table', { name: 'Runs' }).waitFor(),
    },
    { name: 'credentials', path: '/credentials', ready: (p) => p.getByRole('table', { name: 'Oomnitza connections' }).waitFor() },
    {
      name: 'credential',
      path: `/credentials/${credentialId}`,
      ready: (p) => p.getByRole('table', { name: 'Credential details' }).waitFor(),
    },
    { name: 'runs', path: '/runs', ready: (p) => p.getByRole('table', { name: 'Runs' }).waitFor() },
    { name: 'agents', path: '/agents', ready: (p) => p.getByRole('region', { name: 'Agent site-a' }).waitFor() },
    {
      name: 'integration-details-local',
      path: `/integrations/${localId}`,
      ready: (p) => p.getByRole('group', { name: 'Local installation' }).waitFor(),
    },
    { name: 'people', path: '/people', ready: (p) => p.getByRole('table', { name: 'People' }).waitFor() },
    { name: 'run', path: `/runs/${runId}`, ready: (p) => p.getByRole('table', { name: 'Run records' }).waitFor({ timeout: 30_000 }) },
  ];

  async function withPage(viewport: { width: number; height: number }, fn: (page: Page, context: BrowserContext) => Promise<void>) {
    const context = await world.browser.newContext({ viewport });
    const page = await context.newPage();
    try {
      await signIn(page, world.url, 'it@acme.example', password);
      await fn(page, context);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'ninja-sync-screens-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  test('on a phone the menu folds away, the header covers no title, tables scroll in their card, badges keep their words', async () => {
    await withPage(phone, async (page) => {
      const menu = page.getByRole('navigation', { name: 'Main menu' });
      const toggle = page.getByRole('button', { name: 'Open the menu' });
      for (const screen of screens()) {
        await page.goto(world.url + screen.path);
        await screen.ready(page);
        const folded = await menu.boundingBox();
        assert.ok(folded === null || folded.x + folded.width <= 0, `${screen.name}: the menu is folded away, off the screen`);
        assert.equal(
          await page.evaluate("document.getElementById('main-menu').inert"),
          true,
          `${screen.name}: its links are out of the tab order`,
        );
        const header = await page.locator('header').boundingBox();
        const title = await page.locator('main h2, main h3').first().boundingBox();
        assert.ok(header && title, `${screen.name}: a header and a title`);
        assert.ok(
          title.y >= header.y + header.height,
          `${screen.name}: the title (y=${title.y}) starts below the header (${header.height})`,
        );
        const pageWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        const wide = await page.evaluate(
          `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > ${phone.width} && !e.closest('.scroll-table')).slice(-3).map((e) => e.outerHTML.slice(0, 120))`,
        );
        assert.ok(
          pageWidth <= phone.width,
          `${screen.name}: the page does not scroll sideways (${pageWidth} px wide: ${JSON.stringify(wide)})`,
        );
        const cut = await page.evaluate(
          "[...document.querySelectorAll('.mantine-Badge-label')].filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent)",
        );
        assert.deepEqual(cut, [], `${screen.name}: no badge is cut short`);
        await screenshot(page, `phone-${screen.name}`);
      }
      // The menu opens from the header and closes once a screen is picked.
      await toggle.click();
      await page.waitForFunction("document.getElementById('main-menu').getBoundingClientRect().x >= 0");
      assert.equal(await page.evaluate("document.getElementById('main-menu').inert"), false);
      assert.equal(await page.getByRole('button', { name: 'Close the menu' }).getAttribute('aria-expanded'), 'true');
      await screenshot(page, 'phone-menu');
      await menu.getByRole('link', { name: 'Credentials' }).click();
      await page.getByRole('heading', { name: 'NinjaOne credentials' }).waitFor();
      await page.waitForFunction("document.getElementById('main-menu').inert === true");
    });
  });

  test('on a phone every dialog fits: nothing in it reaches past its edge; an empty name is refused in words', async () => {
    await withPage(phone, async (page) => {
      const dialogs = [
        { path: '/credentials', open: 'Add new credential', title: 'Add new credential' },
        { path: '/credentials', open: 'Add Oomnitza connection', title: 'Add Oomnitza connection' },
        { path: `/credentials/${credentialId}`, open: 'Edit', title: 'Edit ninjaone' },
        { path: '/people', open: 'Add person', title: 'Add person' },
        { path: '/agents', open: 'Enroll agent', title: 'Enroll agent' },
      ];
      for (const { path, open, title } of dialogs) {
        await page.goto(world.url + path);
        await page.getByRole('button', { name: open, exact: true }).click();
        const dialog = page.getByRole('dialog', { name: title });
        await dialog.waitFor();
        await page.waitForFunction(
          `(() => { const d = [...document.querySelectorAll('[role=dialog]')].pop(); return d && getComputedStyle(d).opacity === '1'; })()`,
        );
        const past = await dialog.evaluate((box) => {
          const edge = box.getBoundingClientRect().right;
          return [...box.querySelectorAll('*')]
            .filter((e) => e.getBoundingClientRect().right > edge + 1 && e.getClientRects().length > 0)
            .slice(-3)
            .map((e) => e.outerHTML.slice(0, 120));
        });
        assert.deepEqual(past, [], `${title}: nothing reaches past the dialog's edge`);
        if (title === 'Add new credential') {
          await dialog.getByRole('textbox', { name: 'Name' }).fill('  ');
          await dialog.getByRole('textbox', { name: 'Client ID' }).fill('abc');
          await dialog.getByRole('textbox', { name: 'Client secret' }).fill('secret');
          await dialog.getByRole('button', { name: 'Add credential' }).click();
          await dialog.getByText('must not be empty', { exact: true }).waitFor();
          assert.doesNotMatch(await dialog.innerText(), /Too small|expected string to have/);
        }
        await page.keyboard.press('Escape');
        // Only the credential form was typed in: it asks first.
        if (title === 'Add new credential') await page.getByRole('button', { name: 'Discard changes' }).click();
        await dialog.waitFor({ state: 'detached' });
      }
    });
  });

  test('axe-core finds no serious or critical problem on any screen at 1440 and 390 px', async () => {
    const found: string[] = [];
    for (const viewport of [desktop, phone]) {
      await withPage(viewport, async (page) => {
        for (const screen of screens()) {
          await page.goto(world.url + screen.path);
          await screen.ready(page);
          for (const problem of await axeProblems(page)) found.push(`${screen.name} at ${viewport.width} px: ${problem}`);
        }
      });
      const context = await world.browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        await page.goto(world.url);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        for (const problem of await axeProblems(page)) found.push(`sign-in at ${viewport.width} px: ${problem}`);
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(found, []);
  });

  test('an admin adds a person, makes them an admin, sets them a new password; the last admin stays one', async () => {
    await withPage(desktop, async (page) => {
      await page.getByRole('link', { name: 'People' }).click();
      await page.getByRole('table', { name: 'People' }).waitFor();
      // The only admin cannot be made a viewer: the refusal says why.
      await page
        .getByRole('textbox', { name: 'Role of it@acme.example' })
        .or(page.getByRole('combobox', { name: 'Role of it@acme.example' }))
        .first()
        .click();
      await page.getByRole('option', { name: /^Viewer/ }).click();
      await page.getByRole('alert').filter({ hasText: 'only admin' }).waitFor();
      await page.getByRole('button', { name: 'Add person' }).click();
      const form = page.getByRole('form', { name: 'Add person' });
      await form.getByLabel('Email').fill('vic@acme.example');
      await form.getByLabel('Name').fill('Vic Viewer');
      await form.getByLabel(/^First password/).fill('short');
      await form.getByRole('button', { name: 'Add person' }).click();
      await form
        .getByText(/at least 12 characters/)
        .first()
        .waitFor();
      assert.equal(
        await form.locator('.mantine-PasswordInput-root').filter({ hasText: 'use at least 12 characters' }).count(),
        1,
        'the problem is beside the password',
      );
      await form.getByLabel(/^First password/).fill(password);
      await form.getByRole('button', { name: 'Add person' }).click();
      await page.getByRole('status').filter({ hasText: 'vic@acme.example can sign in now' }).waitFor();
      await page
        .getByRole('textbox', { name: 'Role of vic@acme.example' })
        .or(page.getByRole('combobox', { name: 'Role of vic@acme.example' }))
        .first()
        .click();
      await page.getByRole('option', { name: /^Admin/ }).click();
      await page.getByRole('status').filter({ hasText: 'vic@acme.example is now an admin' }).waitFor();
      await page.getByRole('button', { name: 'Set new password for vic@acme.example' }).click();
      await page
        .getByRole('form', { name: 'New password' })
        .getByLabel(/^New password/)
        .fill('another long password 42');
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByRole('status').filter({ hasText: 'signed out everywhere' }).waitFor();
      await screenshot(page, 'desktop-people');
    });
    const people = (await world.admin.get('/api/users')).body.users as { email: string; role: string }[];
    assert.deepEqual(
      people.map((p) => [p.email, p.role]),
      [
        ['it@acme.example', 'admin'],
        ['vic@acme.example', 'admin'],
      ],
    );
    const vic = apiClient(world.url);
    assert.equal((await vic.post('/api/session', { email: 'vic@acme.example', password })).status, 401, 'the old password is gone');
    assert.equal((await vic.post('/api/session', { email: 'vic@acme.example', password: 'another long password 42' })).status, 200);
  });

  test('the server refuses a cron that never fires, an unknown time zone and a contact that is no address; the form shows each beside its field', async () => {
    const refused = await world.admin.put(`/api/integrations/${integrationId}`, {
      ...(await world.admin.get(`/api/integrations/${integrationId}`)).body.document,
      schedule: { cron: '61 * * * *', timezone: 'Mars/Base' },
      contacts: ['not-an-email'],
    });
    assert.equal(refused.status, 400, refused.text);
    const paths = refused.body.error.details.fields.map((f: { path: string }) => f.path).sort();
    assert.deepEqual(paths, ['contacts.0', 'schedule.cron', 'schedule.timezone']);

    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/integrations/${integrationId}`);
      const form = page.getByRole('form', { name: 'Integration details' });
      await form.waitFor();
      // Daily → Cron → Daily keeps the time that was there.
      assert.equal(await form.getByLabel('Time of day (HH:MM)').inputValue(), '03:30');
      await form.getByText('Cron', { exact: true }).click();
      await form.getByLabel('Cron expression').fill('61 * * * *');
      await form.getByText('Daily', { exact: true }).click();
      assert.equal(await form.getByLabel('Time of day (HH:MM)').inputValue(), '03:30');
      await form.getByText('Cron', { exact: true }).click();
      assert.equal(await form.getByLabel('Cron expression').inputValue(), '61 * * * *', 'the cron typed is kept too');
      await form.getByLabel('Time zone').fill('Mars/Base');
      await form.getByLabel('Contacts').fill('not-an-email');
      await form.getByLabel('Contacts').press('Enter');
      await form.getByRole('button', { name: 'Save details' }).click();
      const banner = form.getByRole('alert').filter({ hasText: 'Not saved' });
      await banner.waitFor();
      // The banner counts them and points beside the fields, in words: no API path such as schedule.timezone.
      assert.match(await banner.innerText(), /The integration has 3 problems, shown beside their fields\./);
      assert.doesNotMatch(await banner.innerText(), /schedule\.|contacts\./);
      assert.equal(await form.getByLabel('Cron expression').getAttribute('aria-invalid'), 'true');
      assert.equal(await form.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
      assert.match(await form.innerText(), /"not-an-email" is not an e-mail address/);
      assert.equal(await form.getByText('Saved.').count(), 0, 'nothing says it was saved');
      await screenshot(page, 'desktop-details-refused');
    });
    const stored = (await world.admin.get(`/api/integrations/${integrationId}`)).body.document;
    assert.deepEqual(stored.schedule, { daily: '03:30', timezone: 'Europe/Berlin' }, 'the stored schedule is unchanged');
    assert.deepEqual(stored.contacts, []);
  });

  test('offboarding: the policy and its fuse are set beside the preference, and the next runs suspend a user who left NinjaOne', async () => {
    const finished = async (id: string) => {
      for (let i = 0; i < 600; i++) {
        const run = (await world.admin.get(`/api/runs/${id}`)).body;
        if (!['queued', 'running'].includes(run.state)) return run;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail(`run ${id} did not finish`);
    };
    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/integrations/${integrationId}`);
      const form = page.getByRole('form', { name: 'Integration details' });
      await form.waitFor();
      const policy = form.getByRole('radiogroup', { name: 'When a user leaves NinjaOne' });
      assert.equal(await policy.getByLabel('Leave them').isChecked(), true, 'leave is the default');
      assert.equal(await form.getByLabel('Offboarding fuse (%)').count(), 0, 'no fuse to set while nothing is suspended');
      await policy.getByLabel('Suspend them').check();
      assert.equal(await form.getByLabel('Offboarding fuse (%)').inputValue(), '50');
      await form.getByLabel('Offboarding fuse (%)').fill('40');
      await screenshot(page, 'desktop-details-offboarding');
      await form.getByRole('button', { name: 'Save details' }).click();
      await form.getByText('Saved.').waitFor();
    });
    const stored = (await world.admin.get(`/api/integrations/${integrationId}`)).body.document;
    assert.deepEqual(stored.offboarding, { policy: 'suspend', maxShare: 0.4 });

    // The server's worker keeps the links under the integration: a real run links, the next dry run plans the suspension.
    // (Oomnitza needs a username to create a user; the mapping above has none.)
    const withUsername = await world.admin.put(`/api/integrations/${integrationId}`, {
      ...stored,
      mapping: { ...stored.mapping, username: { field: 'email', transform: ['trim', 'lower'] } },
    });
    assert.equal(withUsername.status, 200, withUsername.text);
    const real = await finished((await world.admin.post(`/api/integrations/${integrationId}/runs`, { dryRun: false })).body.id);
    assert.ok(real.counts.created > 0, JSON.stringify(real.counts));
    const linked = (await world.admin.get(`/api/runs/${String(real.id)}/records?outcome=created&limit=1`)).body.records[0];
    assert.ok(linked?.sourceId);
    const gone = await fetch(`${world.ninja.url}/__admin/users/${String(linked.sourceId)}`, { method: 'DELETE' });
    assert.equal(gone.status, 204);
    const dry = await finished((await world.admin.post(`/api/integrations/${integrationId}/runs`, { dryRun: true })).body.id);
    assert.equal(dry.counts.suspended, 1, JSON.stringify(dry));
    assert.equal(dry.fuseReason, null);
    await withPage(desktop, async (page) => {
      await page.goto(`${world.url}/runs/${String(dry.id)}`);
      await page.locator('[data-count="suspended"]').filter({ hasText: 'would be suspended' }).waitFor();
      await page.getByLabel('Outcome').getByText('suspended', { exact: true }).click();
      await page.getByRole('table', { name: 'Run records' }).getByText(linked.label).waitFor();
      assert.match(await page.getByRole('table', { name: 'Run records' }).innerText(), /is no longer in NinjaOne; suspended in Oomnitza/);
      await screenshot(page, 'desktop-run-offboarding');
    });
  });
});
