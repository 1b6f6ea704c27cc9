import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { apiGet, authorizeAndApprove, clientToken, pkcePair, postToken, redirectUri } from './oauth-flow.test-support.ts';

const web = { client_id: 'demo-web', client_secret: 'demo-web-secret' };
const m2m = { client_id: 'demo-m2m', client_secret: 'demo-m2m-secret' };
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

async function start(options: Parameters<typeof startNinjaOneEmulator>[0] = {}): Promise<NinjaOneEmulator> {
  const emulator = await startNinjaOneEmulator({ users: 10, ...options });
  emulator.addRedirectUri('demo-web', redirectUri);
  return emulator;
}

async function codeFor(
  emulator: NinjaOneEmulator,
  scope = 'monitoring management offline_access',
  extra: Record<string, string> = {},
): Promise<string> {
  const params = await authorizeAndApprove(emulator.url, { client_id: 'demo-web', redirect_uri: redirectUri, scope, state: 's', ...extra });
  return params.get('code') ?? assert.fail('no code');
}

describe('authorization_code grant', () => {
  let emulator: NinjaOneEmulator;
  before(async () => {
    emulator = await start();
  });
  after(() => emulator.close());

  test('end to end with PKCE: tokens, no-store, a working access token and a refresh token for offline_access', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(emulator, 'monitoring management offline_access', {
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...web,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.body.token_type, 'Bearer');
    assert.equal(answer.body.expires_in, 3600);
    assert.equal(answer.body.scope, 'monitoring management offline_access');
    assert.match(String(answer.body.refresh_token), /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    const users = await apiGet(emulator.url, '/v2/users', String(answer.body.access_token));
    assert.equal(users.status, 200);
  });

  test('HTTP Basic client authentication works as well as the body', async () => {
    const code = await codeFor(emulator);
    const answer = await postToken(
      emulator.url,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      basic('demo-web', 'demo-web-secret'),
    );
    assert.equal(answer.status, 200);
  });

  test('no offline_access, no refresh token', async () => {
    const code = await codeFor(emulator, 'monitoring');
    const answer = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...web });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.refresh_token, undefined);
  });

  test('a reused code gets invalid_grant and revokes the tokens it produced', async () => {
    const code = await codeFor(emulator);
    const first = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...web });
    assert.equal(first.status, 200);
    const second = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...web });
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    assert.equal((await apiGet(emulator.url, '/v2/users', String(first.body.access_token))).status, 401);
    const refresh = await postToken(emulator.url, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), ...web });
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  test('redirect_uri must match the authorization request', async () => {
    const code = await codeFor(emulator);
    const answer = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: `${redirectUri}/`, ...web });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_grant');
  });

  test('PKCE: a wrong or missing code_verifier gets invalid_grant; so does a verifier without a challenge', async () => {
    const { challenge } = pkcePair();
    for (const verifier of [pkcePair().verifier, undefined]) {
      const code = await codeFor(emulator, 'monitoring', { code_challenge: challenge, code_challenge_method: 'S256' });
      const answer = await postToken(emulator.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        ...web,
        ...(verifier ? { code_verifier: verifier } : {}),
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid_grant');
    }
    const code = await codeFor(emulator, 'monitoring');
    const answer = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: pkcePair().verifier,
      ...web,
    });
    assert.equal(answer.body.error, 'invalid_grant');
  });

  test("wrong secret gets 401 invalid_client; unknown client gets NinjaOne's 404", async () => {
    const code = await codeFor(emulator);
    const wrong = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'demo-web',
      client_secret: 'nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const wrongBasic = await postToken(
      emulator.url,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      basic('demo-web', 'nope'),
    );
    assert.equal(wrongBasic.status, 401);
    assert.match(wrongBasic.headers.get('www-authenticate') ?? '', /^Basic/);
    const unknown = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'ghost',
      client_secret: 'x',
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.resultCode, 'Client app not exist');
    assert.match(String(unknown.body.incidentId), /^WEB_MGMT_SERVICE-/);
    // The failed attempts did not spend the code.
    const ok = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...web });
    assert.equal(ok.status, 200);
  });

  test('a grant the app does not have gets unauthorized_client', async () => {
    const answer = await postToken(emulator.url, { grant_type: 'client_credentials', ...web });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'unauthorized_client');
    const unsupported = await postToken(emulator.url, { grant_type: 'password', ...web });
    assert.equal(unsupported.body.error, 'unsupported_grant_type');
  });

  test('JSON bodies are refused; the /oauth/token alias works', async () => {
    const json = await fetch(`${emulator.url}/ws/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', ...m2m }),
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    const alias = await postToken(emulator.url, { grant_type: 'client_credentials', ...m2m }, {}, '/oauth/token');
    assert.equal(alias.status, 200);
  });
});

describe('expiry', () => {
  test('an expired code gets invalid_grant and an expired access token gets 401 not_authenticated', async (t) => {
    const emulator = await start({ codeTtlSeconds: 1, accessTokenTtlSeconds: 1 });
    t.after(() => emulator.close());
    const code = await codeFor(emulator);
    const token = await clientToken(emulator.url);
    assert.equal((await apiGet(emulator.url, '/v2/users', token)).status, 200);
    await sleep(1100);
    const answer = await postToken(emulator.url, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...web });
    assert.equal(answer.body.error, 'invalid_grant');
    const expired = await apiGet(emulator.url, '/v2/users', token);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 });
  });

  test('the admin API can force every access token to expire', async (t) => {
    const emulator = await start();
    t.after(() => emulator.close());
    const token = await clientToken(emulator.url);
    const answer = await fetch(`${emulator.url}/__admin/tokens/expire`, { method: 'POST' });
    assert.deepEqual(await answer.json(), { expired: 1 });
    assert.equal((await apiGet(emulator.url, '/v2/users', token)).status, 401);
  });
});

describe('refresh_token grant', () => {
  test('rotates: the new token works, the spent one gets invalid_grant', async (t) => {
    const emulator = await start();
    t.after(() => emulator.close());
    const first = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code: await codeFor(emulator),
      redirect_uri: redirectUri,
      ...web,
    });
    const refreshed = await postToken(emulator.url, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
      ...web,
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, first.body.refresh_token);
    assert.equal((await apiGet(emulator.url, '/v2/users', String(refreshed.body.access_token))).status, 200);
    const spent = await postToken(emulator.url, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), ...web });
    assert.equal(spent.status, 400);
    assert.equal(spent.body.error, 'invalid_grant');
    const next = await postToken(
      emulator.url,
      { grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token) },
      basic('demo-web', 'demo-web-secret'),
    );
    assert.equal(next.status, 200);
  });

  test('scope can be narrowed but not widened', async (t) => {
    const emulator = await start();
    t.after(() => emulator.close());
    const first = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code: await codeFor(emulator, 'monitoring offline_access'),
      redirect_uri: redirectUri,
      ...web,
    });
    const wider = await postToken(emulator.url, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
      scope: 'monitoring control',
      ...web,
    });
    assert.equal(wider.body.error, 'invalid_scope');
    const narrower = await postToken(emulator.url, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
      scope: 'monitoring',
      ...web,
    });
    assert.equal(narrower.status, 200);
    assert.equal(narrower.body.scope, 'monitoring');
  });

  test('with rotation off the refresh token stays valid and is not re-issued', async (t) => {
    const emulator = await start({ rotateRefreshTokens: false });
    t.after(() => emulator.close());
    const first = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code: await codeFor(emulator),
      redirect_uri: redirectUri,
      ...web,
    });
    for (let i = 0; i < 2; i++) {
      const refreshed = await postToken(emulator.url, {
        grant_type: 'refresh_token',
        refresh_token: String(first.body.refresh_token),
        ...web,
      });
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.body.refresh_token, undefined);
    }
  });

  test('a refresh token belongs to its client', async (t) => {
    const other = {
      name: 'Other',
      clientId: 'other-web',
      clientSecret: 'other-secret',
      platform: 'web' as const,
      grants: ['authorization_code' as const, 'refresh_token' as const],
      scopes: ['monitoring'],
      redirectUris: [redirectUri],
    };
    const emulator = await startNinjaOneEmulator({
      users: 5,
      clientApps: [other, { ...other, clientId: 'demo-web', clientSecret: 'demo-web-secret' }],
    });
    t.after(() => emulator.close());
    const first = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code: await codeFor(emulator, 'monitoring offline_access'),
      redirect_uri: redirectUri,
      ...web,
    });
    const stolen = await postToken(emulator.url, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
      client_id: 'other-web',
      client_secret: 'other-secret',
    });
    assert.equal(stolen.body.error, 'invalid_grant');
  });
});

describe('client_credentials grant', () => {
  let emulator: NinjaOneEmulator;
  before(async () => {
    emulator = await start();
  });
  after(() => emulator.close());

  test('omitted scope gives all app scopes and no refresh token', async () => {
    const answer = await postToken(emulator.url, { grant_type: 'client_credentials', ...m2m });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(answer.body.scope, 'monitoring management control');
  });

  test('offline_access gets 400 invalid_scope, as on the EU host', async () => {
    const answer = await postToken(emulator.url, { grant_type: 'client_credentials', scope: 'monitoring offline_access', ...m2m });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_scope');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  });

  test('a scope the app lacks gets invalid_scope; a subset is granted as asked', async () => {
    assert.equal(
      (await postToken(emulator.url, { grant_type: 'client_credentials', scope: 'monitoring billing', ...m2m })).body.error,
      'invalid_scope',
    );
    assert.equal(
      (await postToken(emulator.url, { grant_type: 'client_credentials', scope: 'monitoring', ...m2m })).body.scope,
      'monitoring',
    );
  });

  test('wrong or missing secret gets 401 invalid_client', async () => {
    assert.equal(
      (await postToken(emulator.url, { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: 'demo-web-secret' })).status,
      401,
    );
    assert.equal((await postToken(emulator.url, { grant_type: 'client_credentials', client_id: 'demo-m2m' })).status, 401);
  });

  test('an API Services app cannot redeem codes', async () => {
    const answer = await postToken(emulator.url, { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri, ...m2m });
    assert.equal(answer.body.error, 'unauthorized_client');
  });
});

describe('native (public) apps', () => {
  test('redeem a PKCE code without a secret, on any loopback port', async (t) => {
    const native = {
      name: 'Desktop',
      clientId: 'native-app',
      clientSecret: '',
      platform: 'native' as const,
      grants: ['authorization_code' as const, 'refresh_token' as const],
      scopes: ['monitoring'],
      redirectUris: ['http://127.0.0.1'],
    };
    const emulator = await startNinjaOneEmulator({ users: 5, clientApps: [native] });
    t.after(() => emulator.close());
    const { verifier, challenge } = pkcePair();
    const loopback = 'http://127.0.0.1:49152/';
    const params = await authorizeAndApprove(emulator.url, {
      client_id: 'native-app',
      redirect_uri: loopback,
      scope: 'monitoring offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postToken(emulator.url, {
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: loopback,
      client_id: 'native-app',
      code_verifier: verifier,
    });
    assert.equal(answer.status, 200);
    assert.ok(answer.body.refresh_token);
  });
});
