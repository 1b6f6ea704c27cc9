import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type ClientApp, defaultClientApps, redirectUriAllowed } from './client-apps.ts';

test('web apps match redirect URIs exactly: trailing slash, host and port all count', () => {
  const [web] = defaultClientApps(['http://localhost:9090/callback']) as [ClientApp];
  assert.equal(redirectUriAllowed(web, 'http://localhost:9090/callback'), true);
  for (const uri of [
    'http://localhost:9090/callback/',
    'http://127.0.0.1:9090/callback',
    'http://localhost:9091/callback',
    'HTTP://localhost:9090/callback',
    'not a uri',
  ]) {
    assert.equal(redirectUriAllowed(web, uri), false, uri);
  }
});

test('native apps registered on a loopback IP accept any port there, but not localhost', () => {
  const native: ClientApp = {
    name: 'Native',
    clientId: 'n',
    clientSecret: '',
    platform: 'native',
    grants: ['authorization_code'],
    scopes: ['monitoring'],
    redirectUris: ['http://127.0.0.1', 'http://127.0.0.1/cb'],
  };
  assert.equal(redirectUriAllowed(native, 'http://127.0.0.1:53124/'), true);
  assert.equal(redirectUriAllowed(native, 'http://127.0.0.1:53124/cb'), true);
  assert.equal(redirectUriAllowed(native, 'http://127.0.0.1:53124/other'), false);
  assert.equal(redirectUriAllowed(native, 'http://localhost:53124/cb'), false);
  assert.equal(redirectUriAllowed({ ...native, platform: 'web' }, 'http://127.0.0.1:53124/cb'), false);
});

test('the demo apps are a Web app for codes and an API Services app for client credentials', () => {
  const [web, m2m] = defaultClientApps();
  assert.deepEqual(web, {
    name: 'ninja-sync demo (Web)',
    clientId: 'demo-web',
    clientSecret: 'demo-web-secret',
    platform: 'web',
    grants: ['authorization_code', 'refresh_token'],
    scopes: ['monitoring', 'management', 'control'],
    redirectUris: [],
  });
  assert.equal(m2m?.platform, 'api_services');
  assert.deepEqual(m2m?.grants, ['client_credentials']);
});
