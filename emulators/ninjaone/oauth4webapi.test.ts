/**
 * The emulator's OAuth endpoints driven by oauth4webapi, the library ninja-sync itself uses, so a
 * disagreement between the two (response shape, PKCE, client authentication) shows up here first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';

import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { apiGet, consentTransaction, decide, redirectUri } from './oauth-flow.test-support.ts';

describe('oauth4webapi against the emulator', () => {
  let emulator: NinjaOneEmulator;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };
  before(async () => {
    emulator = await startNinjaOneEmulator({ users: 10 });
    emulator.addRedirectUri('demo-web', redirectUri);
    as = {
      issuer: emulator.url,
      authorization_endpoint: `${emulator.url}/ws/oauth/authorize`,
      token_endpoint: `${emulator.url}/ws/oauth/token`,
    };
  });
  after(() => emulator.close());

  test('authorization code with PKCE and Basic auth, then a rotating refresh', async () => {
    const client: oauth.Client = { client_id: 'demo-web' };
    const auth = oauth.ClientSecretBasic('demo-web-secret');
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: 'monitoring management offline_access',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const page = await fetch(url, { redirect: 'manual' });
    const callback = await decide(emulator.url, consentTransaction(await page.text()), 'approve');
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.ok(tokens.refresh_token);
    assert.equal((await apiGet(emulator.url, '/v2/users', tokens.access_token)).status, 200);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure),
    );
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    const spent = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure);
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, spent),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant' && error.status === 400,
    );
  });

  test('a denied consent comes back as an access_denied authorization error', async () => {
    const client: oauth.Client = { client_id: 'demo-web' };
    const url = `${as.authorization_endpoint!}?${new URLSearchParams({ response_type: 'code', client_id: 'demo-web', redirect_uri: redirectUri, state: 'st' }).toString()}`;
    const callback = await decide(emulator.url, consentTransaction(await (await fetch(url)).text()), 'deny');
    assert.throws(
      () => oauth.validateAuthResponse(as, client, callback, 'st'),
      (error: unknown) => error instanceof oauth.AuthorizationResponseError && error.error === 'access_denied',
    );
  });

  test('client credentials with the secret in the body', async () => {
    const client: oauth.Client = { client_id: 'demo-m2m' };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('demo-m2m-secret'),
      { scope: 'monitoring' },
      insecure,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    assert.equal(tokens.scope, 'monitoring');
    assert.equal(tokens.refresh_token, undefined);
    const refused = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('demo-m2m-secret'),
      { scope: 'monitoring offline_access' },
      insecure,
    );
    await assert.rejects(
      oauth.processClientCredentialsResponse(as, client, refused),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_scope',
    );
  });
});
