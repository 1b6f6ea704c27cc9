/**
 * The Local installation in Chromium, against a real server on SQLite, both emulators and a real
 * `ninja-sync agent` process: an admin enrolls an agent on the Agents screen (the token and the
 * command shown once), the details form refuses an OAuth credential for Local beside its field with
 * the NinjaOne doc's reason and keeps the assignment rules (an agent is needed; a secret is a
 * variable's name, never a value), a Local integration is saved from the form, the agent started
 * with the token the screen showed turns online, Run now on its integration completes with records,
 * a viewer sees it all read-only, and an agent is revoked after a confirmation.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type NinjaOneEmulator, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { type OomnitzaEmulator, startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { type ApiClient, apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addOomnitzaConnection } from '../support/vendor-setup.ts';
import { signIn } from './screens-support.ts';
import { ensureWebBuild, launchChromium, screenshot, sqliteTarget } from './support.ts';

import type { Browser, Locator, Page } from 'playwright-core';

const password = 'correct horse battery staple';
const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

/** A Mantine Select by its label (an input whose role differs between versions). */
function select(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('textbox', { name }).or(scope.getByRole('combobox', { name })).first();
}

/** The text an input's aria-describedby points at: its description and the problem shown beside it. */
async function besideField(field: Locator): Promise<string> {
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const page = field.page();
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join('\n');
}

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

describe('Local installation in Chromium [sqlite]', () => {
  const target = sqliteTarget();
  const agentDir = mkdtempSync(join(tmpdir(), 'ninja-sync-agent-ui-'));
  let ninja: NinjaOneEmulator;
  let oomnitza: OomnitzaEmulator;
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  let agent: (ChildProcess & { output: string[] }) | null = null;

  before(async () => {
    await ensureWebBuild();
    ninja = await startNinjaOneEmulator({ seed: 11, users: 9 });
    oomnitza = await startOomnitzaEmulator({ seed: 11, users: 0 });
    server = await startTestServer(target, { workerPollMs: 100 });
    admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', name: 'Ida Admin', password })).status, 201);
    for (const [name, clientId, clientSecret, grantType] of [
      ['ninjaone-oauth', 'demo-web', 'demo-web-secret', 'authorization_code'],
      ['ninjaone-m2m', 'demo-m2m', 'demo-m2m-secret', 'client_credentials'],
    ] as const) {
      const created = await admin.post('/api/credentials', {
        name,
        url: ninja.url,
        clientId,
        clientSecret,
        grantType,
        allowInsecureHttp: true,
      });
      assert.equal(created.status, 201, created.text);
    }
    await addOomnitzaConnection(admin, oomnitza);
    const viewer = await admin.post('/api/users', { email: 'vic@acme.example', name: 'Vic Viewer', role: 'viewer', password });
    assert.equal(viewer.status, 201, viewer.text);
    browser = await launchChromium();
  });

  after(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((resolve) => agent!.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await browser?.close();
    await server?.close();
    await ninja?.close();
    await oomnitza?.close();
    target.cleanup();
    rmSync(agentDir, { recursive: true, force: true });
  });

  async function withPage(
    viewport: { width: number; height: number },
    email: string,
    fn: (page: Page) => Promise<void>,
    failure = 'ninja-sync-agents-failure.png',
  ): Promise<void> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    try {
      await signIn(page, server.url, email, password);
      await fn(page);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), failure), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  test('enroll an agent, save a Local integration under the rules, start the agent with the shown token, Run now completes', async () => {
    let token = '';
    let integrationId = '';
    await withPage(desktop, 'it@acme.example', async (page) => {
      // Enroll: the token and the exact command, once.
      await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Agents' }).click();
      await page.getByRole('heading', { name: 'Agents' }).waitFor();
      await page.getByText('No agent yet').waitFor();
      await page.getByRole('button', { name: 'Enroll agent' }).click();
      const enroll = page.getByRole('form', { name: 'Enroll agent' });
      await enroll.getByLabel('Name').fill('site a/b');
      await enroll.getByRole('button', { name: 'Enroll' }).click();
      await enroll.getByText(/letters, digits, spaces/).waitFor();
      assert.equal(await enroll.getByLabel('Name').getAttribute('aria-invalid'), 'true', 'the problem is beside the name');
      await enroll.getByLabel('Name').fill('site-a');
      await enroll.getByRole('button', { name: 'Enroll' }).click();
      token = (await page.getByLabel('Agent token').innerText()).trim();
      assert.match(token, /^nsa_/);
      const command = (await page.getByLabel('Command to start the agent').innerText()).trim();
      assert.ok(command.startsWith(`ninja-sync agent --server ${server.url} --token ${token}`), command);
      await page.getByRole('button', { name: 'Copy token' }).waitFor();
      await page.getByRole('button', { name: 'Copy command' }).waitFor();
      // A stray Escape or click outside does not lose the token: only Done closes it.
      await page.getByRole('button', { name: 'Copy token' }).click();
      await page.keyboard.press('Escape');
      await page.mouse.click(100, 600);
      assert.equal(await page.getByLabel('Agent token').count(), 1, 'the token is still shown');
      assert.equal(await page.getByRole('dialog', { name: 'Enroll agent' }).getByRole('button', { name: 'Close' }).count(), 0);
      await screenshot(page, 'desktop-agent-enrolled');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      const card = page.getByRole('region', { name: 'Agent site-a' });
      await card.getByText('not started yet').waitFor();
      assert.equal(await card.locator('[data-status]').getAttribute('data-status'), 'offline');
      assert.ok(!(await page.content()).includes(token), 'the token is gone once the dialog is closed');

      // A new integration, Local: an OAuth credential is refused beside its field, with the reason.
      await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Integrations' }).click();
      await page.getByRole('button', { name: 'New integration' }).click();
      const form = page.getByRole('form', { name: 'Integration details' });
      await form.getByLabel('Name').fill('Site A users');
      await form.getByRole('radio', { name: 'Local' }).check();
      const local = form.getByRole('group', { name: 'Local installation' });
      await select(local, 'NinjaOne credential').click();
      await page.getByRole('option', { name: 'ninjaone-oauth (OAuth)' }).click();
      await local.getByText('OAuth is not available for a Local installation: it uses client credentials').waitFor();
      assert.equal(await select(local, 'NinjaOne credential').getAttribute('aria-invalid'), 'true');
      // Saved anyway: the server refuses it with the same reason, beside the same field, and says an agent is needed.
      await form.getByRole('button', { name: 'Create integration' }).click();
      await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      assert.match(
        await besideField(select(local, 'NinjaOne credential')),
        /"ninjaone-oauth" is an OAuth credential\. OAuth is not available for a Local installation: it uses client credentials/,
      );
      assert.match(await besideField(select(local, 'Agent')), /a Local installation is run by an agent/);
      assert.equal(new URL(page.url()).pathname, '/integrations/new', 'nothing was created');
      await screenshot(page, 'desktop-local-refused');

      // A client-credentials app lends its URL and client ID; a secret typed as a value is refused.
      await select(local, 'NinjaOne credential').click();
      await page.getByRole('option', { name: 'ninjaone-m2m (client credentials)' }).click();
      assert.equal(await local.getByLabel('NinjaOne URL').inputValue(), ninja.url);
      assert.equal(await local.getByLabel('Client ID').inputValue(), 'demo-m2m');
      assert.equal(await local.getByLabel('Oomnitza URL').inputValue(), oomnitza.url);
      assert.equal(await local.getByLabel(/^API token: variable on the agent/).inputValue(), 'OOMNITZA_API_TOKEN');
      await local.getByLabel(/^Client secret: variable on the agent/).fill('demo-m2m-secret');
      await select(local, 'Agent').click();
      await page.getByRole('option', { name: 'site-a (offline)' }).click();
      await form.getByRole('button', { name: 'Create integration' }).click();
      await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      assert.equal(await local.getByLabel(/^Client secret: variable on the agent/).getAttribute('aria-invalid'), 'true');
      assert.match(await form.innerText(), /the server stores only the name of a Local secret/);
      await local.getByLabel(/^Client secret: variable on the agent/).fill('NINJAONE_CLIENT_SECRET');
      await form.getByRole('button', { name: 'Create integration' }).click();
      await page.getByRole('region', { name: 'Oomnitza fields' }).waitFor();
      integrationId = /\/integrations\/([^/]+)\/mapping/.exec(page.url())![1]!;
      // Its mapping says why only the common Oomnitza fields are offered: the token is on the agent.
      const targets = page.getByRole('region', { name: 'Oomnitza fields' });
      await targets.getByRole('status').filter({ hasText: 'Common fields only' }).waitFor();
      assert.match(await targets.innerText(), /Oomnitza API token stays on its agent, so this server cannot read the tenant's fields/);
      assert.doesNotMatch(await targets.innerText(), /pick one under Details/);
      assert.equal(await targets.getByRole('button', { name: 'Refresh fields' }).count(), 0, 'nothing to refresh them through');
    });

    const stored = (await admin.get(`/api/integrations/${integrationId}`)).body.document;
    assert.equal(stored.installation, 'local');
    assert.equal(stored.agent, 'site-a');
    assert.deepEqual(stored.source, {
      url: ninja.url,
      clientId: 'demo-m2m',
      clientSecret: '${NINJAONE_CLIENT_SECRET}',
      scopes: 'monitoring management',
    });
    assert.deepEqual(stored.destination, { url: oomnitza.url, apiToken: '${OOMNITZA_API_TOKEN}' });

    // The agent, started with the token the screen showed and its secrets in its own environment.
    agent = spawn(process.execPath, ['bin/ninja-sync.js', 'agent', '--server', server.url, '--token', token, '--data-dir', agentDir], {
      env: { ...process.env, NINJAONE_CLIENT_SECRET: 'demo-m2m-secret', OOMNITZA_API_TOKEN: oomnitza.apiToken, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as ChildProcess & { output: string[] };
    const output: string[] = [];
    agent.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    agent.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));

    await withPage(desktop, 'it@acme.example', async (page) => {
      await page.goto(`${server.url}/agents`);
      const card = page.getByRole('region', { name: 'Agent site-a' });
      await card.locator('[data-status="online"]').waitFor({ timeout: 30_000 });
      await card.getByRole('link', { name: 'Site A users' }).click();
      await page.getByRole('tab', { name: 'Runs' }).click();
      await page.getByText('Its agent "site-a" takes the run').waitFor();
      await page.getByRole('button', { name: 'Run now' }).click();
      // Run now asks first (it will write to Oomnitza).
      await page.getByRole('button', { name: 'Run and write to Oomnitza' }).click();
      await page.waitForURL(/\/runs\/[^/]+$/);
      const runId = new URL(page.url()).pathname.split('/').pop()!;
      const run = await until('the run ends', async () => {
        const answer = (await admin.get(`/api/runs/${runId}`)).body;
        return ['queued', 'running'].includes(answer.state) ? null : answer;
      });
      // The emulated tenant has users without an e-mail (skipped) and with ones Oomnitza refuses (failed), as for a Cloud run.
      assert.ok(['succeeded', 'completed_with_errors'].includes(run.state), `${JSON.stringify(run)}\n${output.join('')}`);
      const counts = run.counts as Record<string, number>;
      assert.equal(
        Object.values(counts).reduce((sum, n) => sum + n, 0),
        9,
        'every NinjaOne user has an outcome',
      );
      assert.ok(counts['created']! > 0);
      assert.equal(oomnitza.store.users.size, counts['created'], 'the agent wrote the users it counted');
      assert.match(run.workerId, /^agent:/);
      await page.getByRole('table', { name: 'Run records' }).waitFor({ timeout: 30_000 });
      await page
        .locator(`[data-status="${String(run.state)}"]`)
        .first()
        .waitFor();
      assert.equal(await page.getByRole('table', { name: 'Run records' }).locator('tbody tr').count(), 9);

      // The Agents screen shows the run, at desktop and phone width.
      await page.goto(`${server.url}/agents`);
      await card.getByRole('table', { name: 'Recent runs of site-a' }).locator('[data-status]').first().waitFor();
      await screenshot(page, 'desktop-agents');
      await page.setViewportSize(phone);
      await card.getByRole('table', { name: 'Recent runs of site-a' }).waitFor();
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= phone.width, 'no sideways scrolling on a phone');
      await screenshot(page, 'phone-agents');
      await page.goto(`${server.url}/integrations/${integrationId}`);
      await page.getByRole('group', { name: 'Local installation' }).waitFor();
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= phone.width, 'no sideways scrolling on a phone');
      await screenshot(page, 'phone-local-details');
      await page.setViewportSize(desktop);
      await screenshot(page, 'desktop-local-details');
    });
    const log = output.join('');
    assert.ok(!log.includes(oomnitza.apiToken) && !log.includes('demo-m2m-secret'), "no secret in the agent's log");
    assert.ok(!server.logLines.join('\n').includes(token), 'no agent token in the server log');
  });

  test('a viewer sees the Local integration and the agents read-only; an admin revokes an agent after confirming', async () => {
    const integrations = (await admin.get('/api/integrations')).body.integrations as { id: string; name: string }[];
    const integration = integrations.find((i) => i.name === 'Site A users');
    assert.ok(integration, 'the first test saved it');
    await withPage(desktop, 'vic@acme.example', async (page) => {
      await page.goto(`${server.url}/integrations/${integration.id}`);
      // A viewer reads the details as a table, the agent named in words.
      const details = page.getByRole('table', { name: 'Integration details' });
      await details.waitFor();
      assert.match(await details.innerText(), /Local \(an agent in the customer’s network runs the sync\), agent “site-a”/);
      assert.equal(await page.getByRole('group', { name: 'Local installation' }).count(), 0, 'no form for a viewer');
      assert.equal(await page.getByRole('button', { name: 'Save details' }).count(), 0);
      await page.goto(`${server.url}/agents`);
      await page.getByRole('region', { name: 'Agent site-a' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Enroll agent' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Revoke/ }).count(), 0);
    });

    await withPage(desktop, 'it@acme.example', async (page) => {
      await page.goto(`${server.url}/agents`);
      await page.getByRole('button', { name: 'Enroll agent' }).click();
      await page.getByRole('form', { name: 'Enroll agent' }).getByLabel('Name').fill('site-b');
      await page.getByRole('button', { name: 'Enroll', exact: true }).click();
      await page.getByRole('button', { name: 'Done' }).click();
      const card = page.getByRole('region', { name: 'Agent site-b' });
      await card.getByRole('button', { name: 'Revoke site-b' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke agent site-b?' });
      await dialog.getByText('This cannot be undone').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal((await admin.get('/api/agents')).body.agents.find((a: { name: string }) => a.name === 'site-b').revokedAt, null);
      await card.getByRole('button', { name: 'Revoke site-b' }).click();
      await page.getByRole('dialog', { name: 'Revoke agent site-b?' }).getByRole('button', { name: 'Revoke site-b' }).click();
      await page.getByRole('status').filter({ hasText: 'site-b is revoked' }).waitFor();
      await card.waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: 'Revoked' }).waitFor();
    });
    const siteB = (await admin.get('/api/agents')).body.agents.find((a: { name: string }) => a.name === 'site-b');
    assert.notEqual(siteB.revokedAt, null);
  });
});
