/**
 * The mapping page in Chromium against a real server on SQLite and both emulators: the targets
 * are the tenant's data model (a field created in Oomnitza appears after "Refresh fields", an
 * unknown name is refused at save with the fix, an instance without metadata falls back and says
 * so), Connector Sync Time on every run, unsaved edits that ask before they are lost, problems
 * beside their fields in words, the filter editor, and drag and drop by keyboard with words for
 * screen readers; at 1440 and 390 px. The Details tab and the connection's edit form keep unsaved
 * edits as the mapping does, a schedule the server refuses has no run times in words, a custom
 * field's bad name is said beside it, and a save
 * or a preview whose data model could not be read says so.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { signIn } from './screens-support.ts';
import { type BrowserWorld, firstAdmin, screenshot, startBrowserWorld } from './support.ts';

import type { Locator, Page } from 'playwright-core';

const { password } = firstAdmin;
const baseMapping = { email: 'email', first_name: 'firstName', last_name: 'lastName' };

/** A Mantine select by its accessible name (a textbox or a combobox, depending on its state). */
function select(page: Page | Locator, name: string): Locator {
  return page
    .getByRole('textbox', { name, exact: true })
    .or(page.getByRole('combobox', { name, exact: true }))
    .first();
}

/**
 * Waits until exactly `count` users pass the filters: kept, or failing a conversion (the preview
 * predicts the run's per-record failures, e.g. an e-mail with spaces around it).
 */
async function keptIs(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const labels = [...document.querySelectorAll('[aria-label="Preview counts"] .mantine-Badge-label')].map((b) => b.textContent ?? '');
      const count = (word) => Number((labels.find((l) => l.endsWith(' ' + word)) ?? '0').split(' ')[0]);
      return labels.some((l) => l.endsWith(' kept')) && count('kept') + count('failing') === ${count};
    })()`,
  );
}

async function choose(page: Page, name: string, option: string | RegExp): Promise<void> {
  await select(page, name).click();
  await page.getByRole('option', { name: option }).first().click();
}

describe('the mapping page in Chromium [sqlite]', () => {
  let world: BrowserWorld;
  let integrationId: string;

  before(async () => {
    world = await startBrowserWorld({
      ninjaone: { seed: 11, users: 12 },
      oomnitza: { seed: 11, users: 2 },
      server: { worker: false },
      vendors: true,
    });
    const created = await world.admin.post('/api/integrations', {
      name: 'NinjaOne users',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: baseMapping,
    });
    assert.equal(created.status, 201, created.text);
    integrationId = created.body.id;
  });

  after(() => world?.close());

  /** A custom users field created in the emulated Oomnitza, as an admin would in its data model. */
  async function addOomnitzaField(field: Record<string, unknown>): Promise<void> {
    const answer = await fetch(`${world.oomnitza.url}/__admin/fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(field),
    });
    assert.equal(answer.status, 201, await answer.text());
  }

  async function stored(): Promise<Record<string, unknown> & { mapping: Record<string, unknown> }> {
    return (await world.admin.get(`/api/integrations/${integrationId}`)).body.document;
  }

  /** Puts the stored mapping back as the test started it. */
  async function resetDocument(): Promise<void> {
    const document = await stored();
    const answer = await world.admin.put(`/api/integrations/${integrationId}`, {
      ...document,
      name: 'NinjaOne users',
      destination: { connection: 'oomnitza' },
      contacts: [],
      mapping: baseMapping,
      customFields: {},
      filters: [],
      writeSyncTimeEveryRun: false,
    });
    assert.equal(answer.status, 200, answer.text);
  }

  async function onMappingPage(width: number, fn: (page: Page) => Promise<void>): Promise<void> {
    await onIntegrationPage('mapping', width, async (page) => {
      await page.getByRole('region', { name: 'Oomnitza fields' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /editable fields in the tenant's data model|Common fields only/ })
        .waitFor();
      await fn(page);
    });
  }

  async function onIntegrationPage(tab: 'details' | 'mapping', width: number, fn: (page: Page) => Promise<void>): Promise<void> {
    await resetDocument();
    const context = await world.browser.newContext({ viewport: { width, height: width > 500 ? 1000 : 844 } });
    const page = await context.newPage();
    try {
      await signIn(page, world.url, 'it@acme.example', password);
      await page.goto(`${world.url}/integrations/${integrationId}${tab === 'details' ? '' : `/${tab}`}`);
      await fn(page);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'ninja-sync-mapping-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  test("the targets are the tenant's data model: a field created in Oomnitza appears after Refresh fields; an unknown name is refused at save with the fix", async () => {
    await onMappingPage(1440, async (page) => {
      // The tenant's labels and types, custom fields included.
      const email = page.getByRole('group', { name: 'Oomnitza field Email (email)' });
      assert.match(await email.innerText(), /email · email/);
      const picker = page.getByRole('combobox', { name: 'Oomnitza field to add' });
      await picker.fill('NinjaOne');
      await page.getByRole('option', { name: /NinjaOne Last Sync \(ninja_last_sync\)\s*datetime/ }).waitFor();
      await picker.fill('cost');
      assert.equal(await page.getByRole('option', { name: /cost_centre/ }).count(), 0, 'not in the model yet');
      await picker.fill('');

      // Created in Oomnitza now; the page sees it once the fields are read again.
      await addOomnitzaField({ externalId: 'cost_centre', label: 'Cost Centre', dataType: 'dropdown', options: ['IT', 'Sales'] });
      await page.getByRole('button', { name: 'Refresh fields' }).click();
      await picker.fill('Cost');
      await page.getByRole('option', { name: /Cost Centre \(cost_centre\)\s*dropdown: IT, Sales/ }).click();
      await page.getByRole('button', { name: 'Add field', exact: true }).click();
      const row = page.getByRole('group', { name: 'Oomnitza field Cost Centre (cost_centre)' });
      assert.match(await row.innerText(), /cost_centre · dropdown/);
      await choose(page, 'Source for Cost Centre (cost_centre)', /^Fixed value/);
      // A dropdown's fixed value is one of its values.
      await choose(page, 'Fixed value for cost_centre', 'Sales');

      // A name the tenant does not have: said on its row at once, refused at save with the fix.
      await picker.fill('cost_center_typo');
      await page.getByRole('button', { name: 'Add field', exact: true }).click();
      await choose(page, 'Source for cost_center_typo', /^Email \(email\)/);
      const typo = page.getByRole('group', { name: 'Oomnitza field cost_center_typo' });
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      await typo
        .getByRole('alert')
        .filter({ hasText: /create the field in Oomnitza's data model, then refresh the fields/i })
        .waitFor();
      const banner = await page.getByRole('alert').filter({ hasText: 'Not saved' }).innerText();
      assert.match(banner, /1 problem, shown beside/);
      assert.doesNotMatch(banner, /mapping\./, 'no API path in the banner');
      await screenshot(page, 'desktop-mapping-unknown-field');
      assert.equal((await stored()).mapping['cost_center_typo'], undefined, 'nothing was saved');

      // The fix, as it says: create the field in Oomnitza, refresh the fields; the problem goes, the save goes through.
      await addOomnitzaField({ externalId: 'cost_center_typo', label: 'Cost Center (old)', dataType: 'string' });
      await page.getByRole('button', { name: 'Refresh fields' }).click();
      await page.getByRole('group', { name: 'Oomnitza field Cost Center (old) (cost_center_typo)' }).waitFor();
      await page
        .getByRole('alert')
        .filter({ hasText: /data model/ })
        .waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.getByText('Mapping saved.').waitFor();
      assert.deepEqual((await stored()).mapping['cost_centre'], { value: 'Sales' });
      assert.equal((await stored()).mapping['cost_center_typo'], 'email');
    });
  });

  test('an instance without a users data model falls back to the common fields and says so', async () => {
    world.oomnitza.knobs.settings.faults.push({ kind: 'html', path: '/api/v3/users/meta' });
    try {
      await onMappingPage(1440, async (page) => {
        await page.getByRole('button', { name: 'Refresh fields' }).click();
        const note = page.getByRole('status').filter({ hasText: 'Common fields only' });
        await note.waitFor();
        assert.match(await note.innerText(), /does not serve the users data model.*common Oomnitza fields are offered/s);
        await page.getByRole('group', { name: 'Oomnitza field external_id' }).waitFor();
        await page.getByRole('group', { name: 'Oomnitza field phone_number' }).waitFor();
      });
    } finally {
      world.oomnitza.knobs.settings.faults.length = 0;
      const fields = await world.admin.get('/api/oomnitza-connections');
      await world.admin.post(`/api/oomnitza-connections/${fields.body.connections[0].id}/fields/refresh`);
    }
  });

  test('Connector Sync Time on every run is an option, explained in words', async () => {
    await onMappingPage(1440, async (page) => {
      const option = page.getByRole('switch', { name: 'Write Connector Sync Time on every run' });
      assert.match(await page.getByText(/^Off: the fields mapped from Connector Sync Time/).innerText(), /costs no write/);
      await option.check();
      await page.getByText(/^On: the fields mapped from Connector Sync Time are written on every run/).waitFor();
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.getByText('Mapping saved.').waitFor();
      assert.equal((await stored())['writeSyncTimeEveryRun'], true);
    });
  });

  test('unsaved mapping edits are not lost: another tab or page asks first (keep or discard), and so does the browser on leaving', async () => {
    await onMappingPage(1440, async (page) => {
      // Details, then Mapping again: the back button has a screen of this app to go back to.
      await page.getByRole('tab', { name: 'Details' }).click();
      await page.getByRole('form', { name: 'Integration details' }).waitFor();
      await page.getByRole('tab', { name: 'Mapping' }).click();
      await choose(page, 'Source for Phone (phone_number)', /^Phone \(phone\)/);
      assert.equal(await page.getByTestId('mapped-phone_number').innerText(), '← phone');
      // Another tab: asked; keeping stays here with the edit.
      await page.getByRole('tab', { name: 'Runs' }).click();
      const dialog = page.getByRole('dialog', { name: 'Unsaved changes to the mapping' });
      await dialog.waitFor();
      await screenshot(page, 'desktop-mapping-unsaved');
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.match(page.url(), /\/mapping$/);
      assert.equal(await page.getByTestId('mapped-phone_number').innerText(), '← phone');
      // Another page from the menu: asked too.
      await page.getByRole('link', { name: 'Credentials' }).first().click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      assert.match(page.url(), /\/mapping$/);
      // The browser's back button.
      await page.evaluate('history.back()');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      assert.match(page.url(), /\/mapping$/);
      // Closing or reloading the page: the browser's own question.
      const asked = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
      await page.close({ runBeforeUnload: true });
      assert.equal(await asked, 'beforeunload');
      assert.equal(page.isClosed(), false, 'the page stayed');
      // Discarding leaves, and the mapping is as stored.
      await page.getByRole('tab', { name: 'Runs' }).click();
      await dialog.getByRole('button', { name: 'Discard changes' }).click();
      await page.getByRole('tab', { name: 'Runs', selected: true }).waitFor();
      await page.getByRole('tab', { name: 'Mapping' }).click();
      await page.getByTestId('mapped-phone_number').filter({ hasText: 'not mapped' }).waitFor();
      assert.equal((await stored()).mapping['phone_number'], undefined);
      // Saved edits leave without a question.
      await choose(page, 'Source for Phone (phone_number)', /^Phone \(phone\)/);
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.getByText('Mapping saved.').waitFor();
      await page.getByRole('tab', { name: 'Runs' }).click();
      await page.getByRole('tab', { name: 'Runs', selected: true }).waitFor();
      assert.equal(await dialog.count(), 0);
    });
  });

  test('unsaved details are not lost: another tab, another page, the back button and leaving the site ask first; nothing asks unchanged or saved', async () => {
    await onIntegrationPage('details', 1440, async (page) => {
      const form = page.getByRole('form', { name: 'Integration details' });
      const name = form.getByRole('textbox', { name: 'Name', exact: true });
      const dialog = page.getByRole('dialog', { name: 'Unsaved changes to the integration details' });
      await name.waitFor();
      // Nothing changed: another tab opens at once, and so does a change taken back.
      await page.getByRole('tab', { name: 'Mapping' }).click();
      await page.getByRole('tab', { name: 'Mapping', selected: true }).waitFor();
      await page.getByRole('tab', { name: 'Details' }).click();
      await name.fill('NinjaOne users, edited');
      await name.fill('NinjaOne users');
      await page.getByRole('tab', { name: 'Runs' }).click();
      await page.getByRole('tab', { name: 'Runs', selected: true }).waitFor();
      assert.equal(await dialog.count(), 0, 'not asked: nothing to lose');
      await page.getByRole('tab', { name: 'Details' }).click();

      // An edit: another tab asks; keeping stays on Details with the edit.
      await name.fill('NinjaOne users, edited');
      await form.getByLabel('Contacts').fill('ops@acme.example');
      await form.getByLabel('Contacts').press('Enter');
      await page.getByRole('tab', { name: 'Runs' }).click();
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /Changes to the integration details are not saved yet/);
      await page.waitForFunction("document.activeElement?.textContent === 'Keep editing'");
      await screenshot(page, 'desktop-details-unsaved');
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('tab', { name: 'Details', selected: true }).waitFor();
      assert.equal(await name.inputValue(), 'NinjaOne users, edited');
      // A link to another page, and the browser's back button: asked too.
      await page.getByRole('link', { name: 'Credentials' }).first().click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      await page.evaluate('history.back()');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      assert.equal(new URL(page.url()).pathname, `/integrations/${integrationId}`);
      assert.equal(await name.inputValue(), 'NinjaOne users, edited');
      // Closing or reloading the page: the browser's own question.
      const asked = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
      await page.close({ runBeforeUnload: true });
      assert.equal(await asked, 'beforeunload');
      assert.equal(page.isClosed(), false, 'the page stayed');

      // Discarding leaves; Details shows what is stored.
      await page.getByRole('tab', { name: 'Mapping' }).click();
      await dialog.getByRole('button', { name: 'Discard changes' }).click();
      await page.getByRole('tab', { name: 'Mapping', selected: true }).waitFor();
      await page.getByRole('tab', { name: 'Details' }).click();
      assert.equal(await name.inputValue(), 'NinjaOne users');
      assert.equal((await stored())['name'], 'NinjaOne users');

      // Saved: nothing to ask, not by the page nor by the browser.
      await name.fill('NinjaOne users, saved');
      await form.getByRole('button', { name: 'Save details' }).click();
      await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await stored())['name'], 'NinjaOne users, saved');
      let unloadAsked = false;
      page.once('dialog', (d) => {
        unloadAsked = true;
        void d.dismiss();
      });
      await page.getByRole('tab', { name: 'Runs' }).click();
      await page.getByRole('tab', { name: 'Runs', selected: true }).waitFor();
      assert.equal(await dialog.count(), 0);
      await page.getByRole('tab', { name: 'Details' }).click();
      await name.fill('NinjaOne users, saved again');
      await form.getByRole('button', { name: 'Save details' }).click();
      await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await page.close({ runBeforeUnload: true });
      await page.waitForEvent('close');
      assert.equal(unloadAsked, false, 'no "leave site?" after a save');
    });
  });

  test('a schedule the server refuses shows its problem beside the field and no run times in words', async () => {
    await onIntegrationPage('details', 1440, async (page) => {
      const form = page.getByRole('form', { name: 'Integration details' });
      const words = form.getByRole('status', { name: 'Schedule in words' });
      await words.filter({ hasText: 'next:' }).waitFor();
      await form.getByText('Every', { exact: true }).click();
      await form.getByRole('textbox', { name: /^Interval/ }).fill('0m');
      await form.getByText(/"0m" is not an interval/).waitFor();
      await words.filter({ hasText: 'No run times until the schedule above is fixed.' }).waitFor();
      assert.doesNotMatch(await words.innerText(), /every 0 minutes/);
      await form.getByRole('textbox', { name: /^Interval/ }).fill('30m');
      await words.filter({ hasText: 'every 30 minutes' }).waitFor();
      // Leave without asking: nothing was meant to be saved.
      await form.getByText('Daily', { exact: true }).click();
    });
  });

  test("a connection's edit form asks before its unsaved edits go (Escape, ×), closes at once unchanged or on Cancel", async () => {
    await onIntegrationPage('details', 390, async (page) => {
      await page.goto(`${world.url}/credentials`);
      const edit = page.getByRole('button', { name: 'Edit connection oomnitza' });
      const form = page.getByRole('form', { name: 'Edit Oomnitza connection' });
      const dialog = page.getByRole('dialog', { name: 'Unsaved changes to the Oomnitza connection “oomnitza”' });
      // Unchanged: Escape closes it.
      await edit.click();
      await form.waitFor();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      // Edited: Escape asks; keeping leaves the form open with the edit.
      await edit.click();
      await form.getByLabel('Connection name').fill('oomnitza-renamed');
      await page.keyboard.press('Escape');
      await dialog.waitFor();
      // Open, focused on "Keep editing" (the safe answer): the Escape that asked did not also close it.
      await page.waitForFunction("document.activeElement?.textContent === 'Keep editing'");
      await screenshot(page, 'phone-connection-unsaved');
      assert.equal(await dialog.count(), 1);
      await dialog.getByRole('button', { name: 'Keep editing' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await form.getByLabel('Connection name').inputValue(), 'oomnitza-renamed');
      // The × asks too; discarding closes it, and nothing was saved.
      await page.getByRole('dialog', { name: 'Edit oomnitza' }).locator('.mantine-Modal-close').click();
      await dialog.getByRole('button', { name: 'Discard changes' }).click();
      await form.waitFor({ state: 'detached' });
      // Cancel is the choice made already: it closes without asking.
      await edit.click();
      await form.getByLabel('Connection name').fill('oomnitza-renamed');
      await form.getByRole('button', { name: 'Cancel' }).click();
      await form.waitFor({ state: 'detached' });
      assert.equal(await dialog.count(), 0);
      const names = (await world.admin.get('/api/oomnitza-connections')).body.connections.map((c: { name: string }) => c.name);
      assert.ok(names.includes('oomnitza') && !names.includes('oomnitza-renamed'), names.join(', '));
    });
  });

  test('a save and a preview whose Oomnitza data model cannot be read say so, and the save goes through', async () => {
    // A second connection to the same instance, whose data model was never read: the save reads it now.
    const down = await world.admin.post('/api/oomnitza-connections', {
      name: 'oomnitza-down',
      url: world.oomnitza.url,
      apiToken: world.oomnitza.apiToken,
      allowInsecureHttp: true,
    });
    assert.equal(down.status, 201, down.text);
    world.oomnitza.knobs.settings.faults.push({ kind: 'reset', path: '/api/v3/users/meta' });
    try {
      for (const width of [1440, 390])
        await onIntegrationPage('details', width, async (page) => {
          const form = page.getByRole('form', { name: 'Integration details' });
          await choose(page, 'Oomnitza connection', 'oomnitza-down');
          await form.getByRole('button', { name: 'Save details' }).click();
          const warning = form.getByRole('status').filter({ hasText: 'Saved, but not everything could be checked' });
          await warning.waitFor();
          assert.match(
            await warning.innerText(),
            /The mapping was not checked against Oomnitza's data model: could not read the users data model of the Oomnitza connection .*Each run checks it again/s,
          );
          assert.ok(!(await page.content()).includes(world.oomnitza.apiToken), 'no token shown');
          assert.equal(((await stored())['destination'] as { connection: string }).connection, 'oomnitza-down', 'saved');
          await screenshot(page, `${width > 500 ? 'desktop' : 'phone'}-details-saved-with-warning`);
          // The preview of the mapping says the same, above its records.
          await page.getByRole('tab', { name: 'Mapping' }).click();
          const preview = page.getByRole('region', { name: 'Preview' });
          const note = preview.getByRole('status').filter({ hasText: 'Not everything could be checked' });
          await note.waitFor();
          assert.match(await note.innerText(), /The mapping was not checked against Oomnitza's data model: could not read/);
          await preview.getByRole('status', { name: 'Preview counts' }).waitFor();
          if (width > 500) await screenshot(page, 'desktop-preview-with-warning');
          // The mapping's own save says it too.
          await choose(page, 'Source for phone_number', /^Phone \(phone\)/);
          await page.getByRole('button', { name: 'Save mapping' }).click();
          const saved = page.getByRole('status').filter({ hasText: 'Mapping saved, but not everything could be checked' });
          await saved.waitFor();
          assert.match(await saved.innerText(), /could not read the users data model/);
          assert.equal((await stored()).mapping['phone_number'], 'phone');
        });
    } finally {
      world.oomnitza.knobs.settings.faults.length = 0;
      await resetDocument();
    }
  });

  test('a bad expression and a bad pattern show beside their fields in words, both of them, once', async () => {
    await onMappingPage(1440, async (page) => {
      await page.getByRole('button', { name: 'New custom field…' }).click();
      await page.getByLabel('Custom field name').fill('broken');
      await page.getByLabel('Expression', { exact: true }).fill('firstName &');
      await page.getByRole('button', { name: 'Add custom field' }).click();
      await page.getByRole('button', { name: 'Add filter rule' }).click();
      await choose(page, 'Filter 1 field', /^Email \(email\)/);
      await choose(page, 'Filter 1 operator', 'matches the pattern');
      await page.getByLabel('Filter 1 value').fill('([a-z');
      // While typing, the live preview finds both and each shows beside its field.
      const custom = page.getByRole('alert').filter({ hasText: /^Custom field broken: the expression does not parse/ });
      const rule = page.getByRole('alert').filter({ hasText: /^Filter rule 1: not a regular expression/ });
      await custom.waitFor();
      await rule.waitFor();
      await page.getByRole('status').filter({ hasText: 'The mapping has 2 problems, shown beside their fields' }).waitFor();
      await page.getByRole('button', { name: 'Save mapping' }).click();
      const banner = page.getByRole('alert').filter({ hasText: 'Not saved' });
      await banner.waitFor();
      assert.match(await banner.innerText(), /2 problems, shown beside their fields/);
      assert.equal(await custom.count(), 1, 'the expression problem once');
      assert.equal(await rule.count(), 1, 'the pattern problem once');
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /customFields\.|filters\[|mapping\./, 'no API path anywhere');
      await screenshot(page, 'desktop-mapping-problems');
    });
  });

  test('a custom field with a bad name says so beside it, in words, while typing and at save; nothing points at the Details tab', async () => {
    await onMappingPage(1440, async (page) => {
      await page.getByRole('button', { name: 'New custom field…' }).click();
      await page.getByLabel('Custom field name').fill('bad name!');
      await page.getByLabel('Expression', { exact: true }).fill('firstName');
      await page.getByRole('button', { name: 'Add custom field' }).click();
      const beside = page.getByRole('alert').filter({
        hasText: 'Custom field bad name!: "bad name!": a custom field name is letters, digits and underscores, not starting with a digit',
      });
      await beside.waitFor();
      await page.getByRole('status').filter({ hasText: 'The mapping has 1 problem, shown beside its field' }).waitFor();
      await page.getByRole('button', { name: 'Save mapping' }).click();
      const banner = page.getByRole('alert').filter({ hasText: 'Not saved' });
      await banner.waitFor();
      assert.match(await banner.innerText(), /1 problem, shown beside its field/);
      assert.equal(await beside.count(), 1);
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /Invalid key in record|on the Details tab/);
    });
  });

  test('filter editor: a new rule is empty, another field starts its operator and value over, the value applies as typed, nothing is cut short', async () => {
    await onMappingPage(1440, async (page) => {
      await keptIs(page, 12);
      await page.getByRole('button', { name: 'Add filter rule' }).click();
      assert.equal(await select(page, 'Filter 1 field').inputValue(), '');
      assert.equal(await page.getByLabel('Filter 1 value').inputValue(), '');
      await page.getByText('Not applied yet: pick a field.').waitFor();
      await choose(page, 'Filter 1 field', /^User Type \(userType\)/);
      await choose(page, 'Filter 1 value', 'END_USER');
      const endUsers = world.ninja.world.users.filter((u) => u.userType === 'END_USER').length;
      await keptIs(page, endUsers);
      // Email: the END_USER value does not come along; the rule waits for a value.
      await choose(page, 'Filter 1 field', /^Email \(email\)/);
      assert.equal(await select(page, 'Filter 1 operator').inputValue(), 'is');
      assert.equal(await page.getByLabel('Filter 1 value').inputValue(), '');
      await keptIs(page, 12);
      // Typed, not blurred: the preview follows.
      const emails = world.ninja.world.users.map((u) => (typeof u.email === 'string' ? u.email.toLowerCase() : ''));
      const someone = world.ninja.world.users.find((_, i) => emails[i] !== '' && emails.filter((e) => e === emails[i]).length === 1);
      assert.ok(someone, 'a user with an e-mail no one else has');
      await page.getByLabel('Filter 1 value').pressSequentially(String(someone.email));
      await keptIs(page, 1);
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('aria-label')"), 'Filter 1 value', 'still typing');
      await choose(page, 'Filter 1 operator', 'matches the pattern');
      const cut = await page.evaluate(
        "[...document.querySelectorAll('[data-filter-rule] input')].filter((i) => i.scrollWidth > i.clientWidth + 1).map((i) => i.value)",
      );
      assert.deepEqual(cut, [], 'no select or value cut short');
    });
  });

  test('by keyboard: one tab stop for the NinjaOne fields, visible focus, a drag moves between Oomnitza fields, asks before replacing, and speaks in words', async () => {
    await onMappingPage(1440, async (page) => {
      // From the Mapping tab to the first Oomnitza field's select: the NinjaOne fields are one stop.
      await page.getByRole('tab', { name: 'Mapping' }).focus();
      let stops = 0;
      for (; stops < 12; stops++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate("document.activeElement?.getAttribute('aria-label') ?? ''");
        if (label === 'Source for Username (username)') break;
      }
      assert.ok(stops <= 6, `${stops + 1} tab stops from the Mapping tab to the first Oomnitza field`);

      const chip = page.locator('[data-chip-focus="administrator"]');
      await chip.focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-chip-focus')"), 'assignedDeviceIds');
      await page.keyboard.press('End');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-chip-focus')"), 'userType');
      await page.keyboard.press('Home');
      const outline = await page.evaluate('getComputedStyle(document.querySelector(\'[data-source-field="administrator"]\')).outlineStyle');
      assert.notEqual(outline, 'none', 'the focused chip shows its focus');
      // Phone, picked up and moved down the Oomnitza fields one at a time.
      for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-chip-focus')"), 'phone');
      // What a screen reader hears while a field is carried by keyboard.
      const live = page.locator('#mapping-announcements');
      await page.keyboard.press('Space');
      await live.filter({ hasText: 'Picked up NinjaOne field Phone.' }).waitFor();
      const steps: string[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('ArrowDown');
        steps.push((await live.textContent()) ?? '');
      }
      assert.match(steps[0]!, /^Phone is over Oomnitza field Username \(username\)\.$/);
      assert.match(steps[1]!, /^Phone is over Oomnitza field Email \(email\), which takes Email now\.$/);
      assert.match(steps[5]!, /^Phone is over Oomnitza field Phone \(phone_number\)\.$/);
      await page.keyboard.press('Space');
      await live.filter({ hasText: 'Phone mapped to Oomnitza field Phone (phone_number).' }).waitFor();
      assert.equal(await page.getByTestId('mapped-phone_number').innerText(), '← phone');
      assert.doesNotMatch(steps.join(' '), /src:|dst:/, 'no ids read out');

      // Uid onto Email, which takes Email: asked, and keeping leaves it as it was.
      await page.locator('[data-chip-focus="phone"]').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-chip-focus')"), 'uid');
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await live.filter({ hasText: 'Uid is over Oomnitza field Email (email), which takes Email now.' }).waitFor();
      await page.keyboard.press('Space');
      const ask = page.getByRole('dialog', { name: 'Replace a mapping?' });
      await ask.waitFor();
      assert.match((await live.textContent()) ?? '', /takes Email now: confirm whether Uid replaces it/);
      await ask.getByRole('button', { name: 'Keep Email' }).click();
      assert.equal(await page.getByTestId('mapped-email').innerText(), '← email');
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.getByText('Mapping saved.').waitFor();
      assert.equal((await stored()).mapping['phone_number'], 'phone');
      assert.equal((await stored()).mapping['email'], 'email');
    });
  });

  test('the mapping page at phone width: one column, nothing scrolls sideways', async () => {
    await onMappingPage(390, async (page) => {
      await page.getByRole('status', { name: 'Preview counts' }).waitFor();
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `the page is ${width} px wide`);
      await screenshot(page, 'phone-mapping');
    });
  });
});
