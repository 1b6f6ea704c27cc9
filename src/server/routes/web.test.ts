import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';

import { loadConfig } from '../../config.ts';
import { generateVaultKey } from '../../credentials/vault.ts';
import { buildApp } from '../app.ts';
import { createContext } from '../start.ts';
import { createWebRoutes } from './web.ts';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

async function appWithDist(t: { after: (fn: () => Promise<void> | void) => void }, distDir: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ninja-sync-web-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, NINJA_SYNC_KEY: generateVaultKey().toString('base64') });
  const { context, close } = await createContext(config, { logger: pino({ level: 'silent' }) });
  const app = await buildApp(context, [createWebRoutes({ distDir })]);
  t.after(async () => {
    await app.close();
    await close();
  });
  return app;
}

test('screen paths answer the built index.html; assets are served; API, OAuth and health paths never get the page', async (t) => {
  const dist = mkdtempSync(join(tmpdir(), 'ninja-sync-dist-'));
  t.after(() => rmSync(dist, { recursive: true, force: true }));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  const app = await appWithDist(t, dist);

  for (const url of ['/', '/credentials', '/credentials/c1', '/integrations/i1', '/integrations/i1/mapping', '/runs/r1']) {
    const answer = await app.inject({ url });
    assert.equal(answer.statusCode, 200, url);
    assert.match(answer.body, /id="root"/, url);
    assert.equal(answer.headers['cache-control'], 'no-cache');
  }
  const asset = await app.inject({ url: '/assets/app-1234.js' });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
  assert.match(String(asset.headers['cache-control']), /immutable/);

  for (const url of ['/api/nope', '/api/credentials/x/unknown', '/oauth2/elsewhere', '/credentials/a/b', '/assets/missing.js']) {
    const answer = await app.inject({ url });
    assert.equal(answer.statusCode, 404, url);
    assert.doesNotMatch(answer.body, /id="root"/, url);
  }
  assert.deepEqual((await app.inject({ url: '/healthz' })).json(), { status: 'ok', version });

  // A browser asking for a page that does not exist gets the app (its "not found" screen), with 404;
  // machine paths stay JSON even for a browser.
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  for (const url of ['/nowhere', '/credentials/a/b', '/integrations/i1/mapping/extra?x=1']) {
    const answer = await app.inject({ url, headers: html });
    assert.equal(answer.statusCode, 404, url);
    assert.match(answer.body, /id="root"/, url);
  }
  for (const url of ['/api/nope', '/oauth2/elsewhere', '/assets/missing.js']) {
    const answer = await app.inject({ url, headers: html });
    assert.equal(answer.statusCode, 404, url);
    if (url.startsWith('/api') || url.startsWith('/oauth2')) assert.equal(answer.json().error.code, 'not_found', url);
  }
});

test('without a built UI, screen paths say how to build it', async (t) => {
  const app = await appWithDist(t, join(tmpdir(), 'ninja-sync-no-such-dist'));
  const answer = await app.inject({ url: '/credentials/c1' });
  assert.equal(answer.statusCode, 503);
  assert.match(answer.body, /npm run build:web/);
  assert.equal((await app.inject({ url: '/api/catalogue' })).statusCode, 401, 'the API still answers');
});

test('the catalogue lists the 19 NinjaOne fields for a signed-in user', async (t) => {
  const app = await appWithDist(t, join(tmpdir(), 'ninja-sync-no-such-dist'));
  const setup = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { email: 'it@acme.example', password: 'correct horse battery staple' },
  });
  assert.equal(setup.statusCode, 201);
  const cookie = String(setup.headers['set-cookie']).split(';')[0]!;
  const answer = await app.inject({ url: '/api/catalogue', headers: { cookie } });
  assert.equal(answer.statusCode, 200);
  const fields = answer.json().fields as { key: string; label: string; values?: string[] }[];
  assert.equal(fields.length, 19);
  assert.deepEqual(fields.find((f) => f.key === 'userType')?.values, ['TECHNICIAN', 'END_USER']);
});

test('behind a trusted reverse proxy (TRUST_PROXY) the client address comes from X-Forwarded-For; from anyone else it does not', async (t) => {
  const ips: string[] = [];
  for (const trust of ['127.0.0.1', '1', '10.9.9.9']) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ninja-sync-proxy-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: trust, NINJA_SYNC_KEY: generateVaultKey().toString('base64') });
    const { context, close } = await createContext(config, { logger: pino({ level: 'silent' }) });
    const app = await buildApp(context, [({ app: routes }) => routes.get('/test/ip', async (request) => ({ ip: request.ip }))]);
    // inject comes from 127.0.0.1, as a proxy on the same host would.
    ips.push((await app.inject({ url: '/test/ip', headers: { 'x-forwarded-for': '203.0.113.9' } })).json<{ ip: string }>().ip);
    await app.close();
    await close();
  }
  assert.deepEqual(ips, ['203.0.113.9', '203.0.113.9', '127.0.0.1']);
});
