import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { consentTransaction, decide, getAuthorize, pkcePair, redirectUri } from './oauth-flow.test-support.ts';

describe('GET /ws/oauth/authorize', () => {
  let emulator: NinjaOneEmulator;
  before(async () => {
    emulator = await startNinjaOneEmulator({ users: 20 });
    emulator.addRedirectUri('demo-web', redirectUri);
  });
  after(() => emulator.close());

  const base = {
    response_type: 'code',
    client_id: 'demo-web',
    redirect_uri: redirectUri,
    scope: 'monitoring offline_access',
    state: 'st-123',
  };

  test('shows a consent page whose Authorize button posts a form and redirects with a code and the state', async () => {
    const page = await getAuthorize(emulator.url, base);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<form id="consent" method="post" action="\/ws\/oauth\/authorize">/);
    assert.match(html, /<button type="submit" id="authorize" name="decision" value="approve">Authorize<\/button>/);
    assert.match(html, /id="deny"[^>]*>Deny</);
    const location = await decide(emulator.url, consentTransaction(html), 'approve');
    assert.equal(`${location.origin}${location.pathname}`, redirectUri);
    assert.equal(location.searchParams.get('state'), 'st-123');
    assert.match(location.searchParams.get('code') ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('Deny redirects with error=access_denied and the state', async () => {
    const html = await (await getAuthorize(emulator.url, base)).text();
    const location = await decide(emulator.url, consentTransaction(html), 'deny');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'st-123');
    assert.equal(location.searchParams.get('code'), null);
  });

  test('a consent form can be answered only once', async () => {
    const transaction = consentTransaction(await (await getAuthorize(emulator.url, base)).text());
    await decide(emulator.url, transaction, 'approve');
    const again = await fetch(`${emulator.url}/ws/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ transaction, decision: 'approve' }),
      redirect: 'manual',
    });
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);
  });

  test('an unknown client gets a plain 404, not a redirect', async () => {
    const response = await getAuthorize(emulator.url, { ...base, client_id: 'nobody' });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('location'), null);
  });

  test('a redirect_uri that does not match exactly gets an error page, never a redirect', async () => {
    for (const uri of [`${redirectUri}/`, redirectUri.replace('127.0.0.1', 'localhost'), 'https://evil.example/cb']) {
      const response = await getAuthorize(emulator.url, { ...base, redirect_uri: uri });
      assert.equal(response.status, 400, uri);
      assert.equal(response.headers.get('location'), null, uri);
      assert.match(await response.text(), /invalid_redirect_uri/);
    }
  });

  test('a scope not enabled on the app redirects with error=invalid_scope and the state', async () => {
    const response = await getAuthorize(emulator.url, { ...base, scope: 'monitoring billing' });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
    assert.equal(location.searchParams.get('state'), 'st-123');
  });

  test('response_type other than code is refused by redirect', async () => {
    const response = await getAuthorize(emulator.url, { ...base, response_type: 'token' });
    assert.equal(new URL(response.headers.get('location') ?? '').searchParams.get('error'), 'unsupported_response_type');
  });

  test('PKCE: plain (or no method) is refused, S256 is accepted', async () => {
    const { challenge } = pkcePair();
    for (const method of ['plain', undefined]) {
      const response = await getAuthorize(emulator.url, {
        ...base,
        code_challenge: challenge,
        ...(method ? { code_challenge_method: method } : {}),
      });
      assert.equal(new URL(response.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request', String(method));
    }
    const ok = await getAuthorize(emulator.url, { ...base, code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(ok.status, 200);
  });

  test('an API Services app cannot use the authorization-code flow', async () => {
    emulator.addRedirectUri('demo-m2m', redirectUri);
    const response = await getAuthorize(emulator.url, { ...base, client_id: 'demo-m2m' });
    assert.equal(new URL(response.headers.get('location') ?? '').searchParams.get('error'), 'unauthorized_client');
  });

  test('/oauth/authorize without /ws is not an endpoint', async () => {
    const response = await fetch(`${emulator.url}/oauth/authorize?${new URLSearchParams(base).toString()}`, { redirect: 'manual' });
    assert.equal(response.status, 404);
  });
});

describe('autoApprove', () => {
  test('redirects with a code straight away, no consent page', async (t) => {
    const emulator = await startNinjaOneEmulator({ users: 5, autoApprove: true });
    t.after(() => emulator.close());
    emulator.addRedirectUri('demo-web', redirectUri);
    const response = await getAuthorize(emulator.url, {
      response_type: 'code',
      client_id: 'demo-web',
      redirect_uri: redirectUri,
      state: 'xyz',
    });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    assert.ok(location.searchParams.get('code'));
    assert.equal(location.searchParams.get('state'), 'xyz');
  });
});
