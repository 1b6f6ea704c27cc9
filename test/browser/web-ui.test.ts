/**
 * The web UI in a real browser (Chromium from its npm package through playwright-core), against a real server
 * on SQLite and both emulators: first-run setup, a NinjaOne credential authenticated through the
 * emulator's consent page, an Oomnitza connection, an integration mapped by drag and drop, a dry
 * run, a real run and its per-record results; then a viewer sees no edit buttons.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createAppUser } from '../../src/accounts/users.ts';
import { startTestServer } from '../support/server.ts';
import { type BrowserWorld, firstAdmin, screenshot, screenshotDir, startBrowserWorld } from './support.ts';

import type { Page } from 'playwright-core';

const { password } = firstAdmin;

/** Two animation frames: what the page was told has been rendered. */
async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null))))');
}

async function dragTo(page: Page, from: string, to: string, options: { reaim?: boolean } = {}): Promise<void> {
  // A resize or a late answer has been laid out before anything is measured.
  await settle(page);
  const source = await page.getByLabel(from, { exact: true }).boundingBox();
  const target = await page.getByLabel(to, { exact: true }).boundingBox();
  assert.ok(source && target, `${from} and ${to} are on the page`);
  const viewport = page.viewportSize();
  assert.ok(
    viewport && Math.max(source.y + source.height, target.y + target.height) < viewport.height,
    `${from} and ${to} fit in the viewport together`,
  );
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  // dnd-kit starts a drag after a few pixels of movement, then follows the pointer.
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + source.height / 2 + 5, { steps: 3 });
  // On a loaded machine the page renders behind the events: let the drag start and the list move
  // out of the way before aiming, and let the last position land before dropping.
  await settle(page);
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 15 });
  await settle(page);
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2 + 1);
  await settle(page);
  if (options.reaim === true) {
    // A fixed drop target may have moved while the drag went on (samples and the preview arrive late
    // on a loaded machine): aim again at where it is now. Not for sortable lists, whose items move
    // out of the way on purpose.
    const settled = await page.getByLabel(to, { exact: true }).boundingBox();
    assert.ok(settled, `${to} is still on the page`);
    await page.mouse.move(settled.x + settled.width / 2, settled.y + settled.height / 2, { steps: 5 });
  }
  await page.mouse.up();
}

describe('web UI in Chromium [sqlite]', () => {
  let world: BrowserWorld;

  before(async () => {
    world = await startBrowserWorld({
      ninjaone: { seed: 7, users: 25 },
      oomnitza: { seed: 7, users: 3 },
      server: { workerPollMs: 100 },
      firstAdmin: false,
    });
  });

  after(() => world?.close());

  test('an admin goes from first-run setup to a completed sync and its per-record results', async () => {
    const page = await world.browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await adminJourney(page);
    } catch (error) {
      // What the browser showed when it failed, for whoever reads the test log.
      await page.screenshot({ path: join(tmpdir(), 'ninja-sync-web-ui-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });

  async function adminJourney(page: Page): Promise<void> {
    // First-run setup.
    await page.goto(world.url);
    await page.getByLabel('Email').fill('it@acme.example');
    await page.getByLabel('Name').fill('Ida Admin');
    await page.getByLabel(/^Password/).fill(password);
    await screenshot(page, '01-setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.getByText('No integration yet').waitFor();

    // A NinjaOne credential; the server's validation message shows under its field.
    await page.getByRole('link', { name: 'Credentials' }).click();
    await page.getByRole('button', { name: 'Add new credential' }).click();
    const form = page.getByRole('form', { name: 'New credential' });
    await form.getByLabel('Name').fill('ninjaone');
    await form.getByLabel('NinjaOne URL').fill('not a url');
    await form.getByLabel('Client ID').fill('demo-web');
    await form.getByLabel(/^Client secret/).fill('demo-web-secret');
    await form.getByLabel('Allow plain http').check();
    await form.getByRole('button', { name: 'Add credential' }).click();
    await form.locator('input[aria-invalid="true"]').first().waitFor();
    assert.equal(await form.getByLabel('NinjaOne URL').getAttribute('aria-invalid'), 'true', "the URL field carries the server's problem");
    await form.getByLabel('NinjaOne URL').fill(world.ninja.url);
    await form.getByRole('button', { name: 'Add credential' }).click();
    await page.getByRole('button', { name: 'Authenticate' }).waitFor();
    assert.match(await page.getByLabel('Redirect URL').innerText(), /\/oauth2\/redirect$/);
    await screenshot(page, '02-credential-pending');

    // Authenticate: NinjaOne's consent page, and back.
    await page.getByRole('button', { name: 'Authenticate' }).click();
    await page.waitForURL((url) => url.href.startsWith(world.ninja.url));
    await page.locator('#authorize').click();
    await page.getByRole('heading', { name: 'NinjaOne connected' }).waitFor();
    await page.getByRole('link', { name: 'Back to the credential' }).click();
    await page.getByText('NinjaOne accepted the sign-in').waitFor();
    assert.equal(await page.locator('[data-status]').first().getAttribute('data-status'), 'active');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works').waitFor();
    assert.match(await page.getByRole('status').filter({ hasText: 'users visible' }).innerText(), /25 users visible/);

    // The Oomnitza connection.
    await page.getByRole('link', { name: 'Credentials' }).first().click();
    await page.getByRole('button', { name: 'Add Oomnitza connection' }).click();
    const conn = page.getByRole('form', { name: 'New Oomnitza connection' });
    await conn.getByLabel('Instance URL').fill(world.oomnitza.url);
    await conn.getByLabel(/^API token/).fill(world.oomnitza.apiToken);
    await conn.getByLabel('Allow plain http').check();
    await conn.getByRole('button', { name: 'Add connection' }).click();
    // Gone, its own test result with it, before the row's test says the same words.
    await conn.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Test connection oomnitza' }).click();
    await page.getByText(/3 users$/).waitFor();
    await screenshot(page, '03-credentials');
    assert.ok(!(await page.content()).includes(world.oomnitza.apiToken), 'the token is never shown');

    // A new integration, then its mapping by drag and drop (and by keyboard).
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'New integration' }).click();
    await page.getByRole('form', { name: 'Integration details' }).waitFor();
    // A credential can be created from here too; it is picked, and nothing else is saved yet.
    await page.getByRole('button', { name: 'New NinjaOne credential' }).click();
    const inline = page.getByRole('form', { name: 'New credential' });
    await inline.getByLabel('Name').fill('ninjaone-eu');
    await inline.getByLabel('NinjaOne URL').fill(world.ninja.url);
    await inline.getByLabel('Client ID').fill('demo-web');
    await inline.getByLabel(/^Client secret/).fill('demo-web-secret');
    await inline.getByLabel('Allow plain http').check();
    await inline.getByRole('button', { name: 'Add credential' }).click();
    await inline.waitFor({ state: 'detached' });
    const credentialSelect = page
      .getByRole('textbox', { name: 'NinjaOne credential' })
      .or(page.getByRole('combobox', { name: 'NinjaOne credential' }))
      .first();
    assert.equal(await credentialSelect.inputValue(), 'ninjaone-eu (pending)');
    assert.equal(new URL(page.url()).pathname, '/integrations/new', 'adding a credential does not create the integration');
    await credentialSelect.click();
    await page.getByRole('option', { name: 'ninjaone (active)' }).click();
    await page.getByRole('status', { name: 'Schedule in words' }).filter({ hasText: 'next:' }).waitFor();
    await screenshot(page, '04-integration-details');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('region', { name: 'Oomnitza fields' }).waitFor();
    await page.getByLabel('NinjaOne field User Type').waitFor();
    // Beside each NinjaOne field, a few of the tenant's values, from the preview.
    const firstEmail = world.ninja.world.users.map((u) => u.email).find((m): m is string => typeof m === 'string' && m !== '');
    assert.ok(firstEmail, 'the tenant has a user with an e-mail');
    await page.getByTestId('samples-email').filter({ hasText: firstEmail }).waitFor();
    // Tall enough that every NinjaOne field and its drop target are on screen at once.
    await page.setViewportSize({ width: 1440, height: 1500 });
    await dragTo(page, 'NinjaOne field Phone', 'Oomnitza field Phone (phone_number)', { reaim: true });
    assert.equal(await page.getByTestId('mapped-phone_number').innerText(), '← phone');
    // The keyboard way: each Oomnitza field has a select with the same choices.
    const select = page.getByRole('combobox', { name: 'Source for External ID (external_id)' });
    await select.focus();
    await page.keyboard.type('Uid (');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('mapped-external_id').innerText(), '← uid');
    // "Add new Oomnitza field" offers the tenant's other fields (the emulator's custom ones among them).
    await page.getByRole('combobox', { name: 'Oomnitza field to add' }).fill('ninja_user_type');
    await page.getByRole('combobox', { name: 'Oomnitza field to add' }).press('Escape');
    await dragTo(page, 'NinjaOne field User Type', 'Add new Oomnitza field', { reaim: true });
    assert.equal(await page.getByTestId('mapped-ninja_user_type').innerText(), '← userType');
    // Not wanted after all: take it out again.
    await page.getByRole('button', { name: 'Unmap NinjaOne User Type (ninja_user_type)' }).click();
    // An expression, and a filter rule built from field, operator and value.
    await page.getByRole('combobox', { name: 'Source for Full Name (full_name)' }).click();
    await page.getByRole('option', { name: 'Expression…' }).click();
    await page.getByLabel('Expression for full_name').fill("firstName & ' ' & lastName");
    await page.getByRole('button', { name: 'New custom field…' }).click();
    await page.getByLabel('Custom field name').fill('displayName');
    await page.getByLabel('Expression', { exact: true }).fill("lastName & ', ' & firstName");
    await page.getByRole('button', { name: 'Add custom field' }).click();
    // The preview writes each record as the mapping stands, and follows the tenant on "Refresh preview".
    const first = world.ninja.world.users[0]!;
    const fullName = (): string => `${first.firstName ?? ''} ${first.lastName ?? ''}`.trim();
    const firstFullName = page.getByTestId(`preview-${String(first.id)}-full_name`);
    const exactly = (text: string): RegExp => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    await firstFullName.filter({ hasText: exactly(fullName()) }).waitFor();
    first.lastName = 'Previewson';
    await page.getByRole('button', { name: 'Refresh preview' }).click();
    await firstFullName.filter({ hasText: exactly(fullName()) }).waitFor();
    await page.getByRole('combobox', { name: 'Source for Position (position)' }).click();
    await page.getByRole('option', { name: 'displayName (custom)' }).click();
    // A filter rule that keeps end users only: the preview lists the technicians it drops, and why.
    await page.getByRole('button', { name: 'Add filter rule' }).click();
    await page.getByRole('combobox', { name: 'Filter 1 field' }).click();
    await page.getByRole('option', { name: 'User Type (userType)' }).click();
    await page.getByRole('combobox', { name: 'Filter 1 value' }).click();
    await page.getByRole('option', { name: 'END_USER' }).click();
    const technician = world.ninja.world.users.find((u) => u.userType === 'TECHNICIAN');
    assert.ok(technician, 'the tenant has a technician');
    await page
      .getByTestId(`preview-reason-${String(technician.id)}`)
      .filter({ hasText: 'filtered out by rule 1: userType eq "END_USER"' })
      .waitFor();
    await page.getByRole('combobox', { name: 'Filter 1 operator' }).click();
    await page.getByRole('option', { name: 'has a value' }).click();
    // Sync keys: add one, drag it to the top, then put e-mail back first with the keyboard-reachable button.
    await page.getByRole('combobox', { name: 'Add sync key' }).click();
    await page.getByRole('option', { name: 'external_id' }).click();
    await dragTo(page, 'Sync key external_id, position 2', 'Sync key email, position 1');
    await page.getByLabel('Sync key external_id, position 1').waitFor();
    await page.getByRole('button', { name: 'Move email up' }).click();
    await page.getByLabel('Sync key email, position 1').waitFor();
    await page.getByRole('button', { name: 'Remove sync key external_id' }).click();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('Mapping saved.').waitFor();
    // With the rule now "has a value", the preview drops no one any more.
    await page.getByRole('table', { name: 'Dropped records' }).waitFor({ state: 'detached' });
    // The preview of the saved mapping, not of the moment external_id was still a key.
    await page.locator('[aria-label="Preview counts"]').waitFor();
    await page.getByText('is not marked Unique').waitFor({ state: 'detached' });
    await screenshot(page, '05-mapping');
    const stored = await world.server.context.db.selectFrom('integrations').select('document').executeTakeFirstOrThrow();
    const mapping = JSON.parse(String(stored.document)).mapping;
    assert.equal(mapping.phone_number, 'phone');
    assert.equal(mapping.external_id, 'uid');
    assert.equal(mapping.ninja_user_type, undefined);
    assert.deepEqual(mapping.full_name, { expr: "firstName & ' ' & lastName" });
    assert.equal(mapping.position, 'displayName');
    assert.deepEqual(JSON.parse(String(stored.document)).customFields, { displayName: "lastName & ', ' & firstName" });
    assert.deepEqual(JSON.parse(String(stored.document)).filters, [{ field: 'userType', op: 'exists' }]);
    assert.deepEqual(JSON.parse(String(stored.document)).syncKeys, ['email']);

    // A dry run: the plan, nothing written.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('tab', { name: 'Runs' }).click();
    world.oomnitza.knobs.clearLog();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('heading', { name: /^Dry run of/ }).waitFor();
    await page.getByRole('table', { name: 'Run records' }).waitFor({ timeout: 30_000 });
    const planned = Number(await page.locator('[data-count="created"] p').last().innerText());
    assert.ok(planned > 0, 'the dry run plans creations');
    assert.equal(
      world.oomnitza.knobs.log.filter((e) => e.method !== 'GET' && e.path.startsWith('/api/v3/users')).length,
      0,
      'a dry run writes nothing',
    );
    await page.screenshot({ path: join(screenshotDir, '06-dry-run.png') });

    // The real run, then its records: filter, search, old → new.
    await page.getByRole('link', { name: '← NinjaOne users' }).click();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('button', { name: 'Run and write to Oomnitza' }).click();
    await page.getByRole('heading', { name: /^Run of/ }).waitFor();
    await page.getByRole('table', { name: 'Run records' }).waitFor({ timeout: 30_000 });
    assert.equal(
      Number(await page.locator('[data-count="created"] p').last().innerText()),
      planned,
      'the run did what the dry run planned',
    );
    assert.equal(world.oomnitza.store.users.size, 3 + planned);
    await page.getByLabel('Outcome').getByText('created', { exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${planned} records` })
      .waitFor();
    const firstLabel = (
      await page.getByRole('table', { name: 'Run records' }).locator('tbody tr').first().locator('td').nth(1).innerText()
    ).split('\n')[0]!;
    assert.match(
      await page.getByRole('table', { name: 'Run records' }).innerText(),
      /full_name ∅ → \S+ \S+/,
      'the expression wrote full names',
    );
    assert.match(
      await page.getByRole('table', { name: 'Run records' }).innerText(),
      /position ∅ → \S+, \S+/,
      'the custom field wrote "last, first"',
    );
    assert.match(await page.getByRole('table', { name: 'Run records' }).innerText(), /∅ → /, 'new records show old → new');
    await page.getByLabel('Search records').fill(firstLabel);
    await page
      .getByRole('status')
      .filter({ hasText: /^1 records$/ })
      .waitFor();
    const csv = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.match(csv ?? '', /records\.csv\?outcome=created&search=/);
    await page.getByLabel('Search records').fill('');
    await page
      .getByRole('status')
      .filter({ hasText: `${planned} records` })
      .waitFor();
    await page.screenshot({ path: join(screenshotDir, '07-run-records.png') });

    // A credential in use cannot be deleted; the refusal says why.
    await page.getByRole('link', { name: 'Credentials' }).click();
    await page.getByRole('link', { name: 'ninjaone', exact: true }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete credential' }).click();
    assert.match(await page.getByRole('alert').filter({ hasText: 'used by' }).innerText(), /"NinjaOne users".*another credential/);
    // Renaming it would break the integration: the refusal shows under the name.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit credential' });
    await edit.getByLabel('Name').fill('renamed');
    await edit.getByRole('button', { name: 'Save credential' }).click();
    await edit.locator('input[aria-invalid="true"]').first().waitFor();
    assert.equal(await edit.getByLabel('Name').getAttribute('aria-invalid'), 'true');
    assert.match(await edit.innerText(), /used by "NinjaOne users" under its name/);
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page
      .getByRole('textbox', { name: 'State' })
      .or(page.getByRole('combobox', { name: 'State' }))
      .first()
      .click();
    await page.getByRole('option', { name: 'completed_with_errors' }).click();
    await page.getByRole('table', { name: 'Runs' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Runs' }).locator('tbody tr').count(), 2, 'the dry run and the run');

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('link', { name: 'NinjaOne users' }).waitFor();
    await page.getByText(/^Next run: /).waitFor();
    await page.getByRole('button', { name: /^Notifications \(\d+ unread\)$/ }).click();
    await page.getByRole('dialog').getByText('Notifications', { exact: true }).waitFor();
    await page.waitForTimeout(400); // only for the picture: let the popover finish fading in
    await screenshot(page, '08-integrations');
    // The 3-of-25 failures raised an alert: following it opens what it links to and reads it.
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /a run failed/ })
      .click();
    await page.getByRole('button', { name: 'Notifications (0 unread)' }).waitFor();
  }

  test('a viewer signs in, sees no edit buttons, and signs out', async () => {
    await createAppUser(
      world.server.context.db,
      { email: 'viewer@acme.example', name: 'Vic Viewer', role: 'viewer', password },
      new Date(),
    );
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${world.url}/credentials`);
    await page.getByLabel('Email').fill('viewer@acme.example');
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'NinjaOne credentials' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add new credential' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add Oomnitza connection' }).count(), 0);
    await page.getByRole('link', { name: 'ninjaone', exact: true }).click();
    await page.getByRole('table', { name: 'Credential details' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Authenticate' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  test('demo mode says so on the sign-in page and on every screen', async () => {
    const demoServer = await startTestServer(world.target, {
      worker: false,
      demo: { ninjaOneUrl: world.ninja.url, oomnitzaUrl: world.oomnitza.url },
    });
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(demoServer.url);
      await page.getByRole('note', { name: 'Demo mode' }).waitFor();
      await page.getByLabel('Email').fill('demo@acme.example');
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.getByRole('heading', { name: 'Integrations' }).waitFor();
      assert.equal(await page.getByRole('note', { name: 'Demo mode' }).count(), 1);
    } finally {
      await context.close();
      await demoServer.close();
    }
  });

  test('screen paths answer the app, API paths never do', async () => {
    for (const path of ['/credentials/abc', '/integrations/abc/mapping', '/runs/xyz']) {
      const answer = await fetch(world.url + path);
      assert.equal(answer.status, 200, path);
      assert.match(await answer.text(), /<div id="root">/);
    }
    const api = await fetch(`${world.url}/api/nope`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /json/);
    const catalogue = await fetch(`${world.url}/api/catalogue`);
    assert.equal(catalogue.status, 401, 'the catalogue needs a signed-in user');
  });
});
