// The NinjaOne client over real HTTP against the NinjaOne emulator: OAuth grants, 401 handling,
// paging to completion and injected faults.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { demoM2mClient, demoWebClient, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { isVendorError } from '../http/vendor-error.ts';
import { createNinjaOneClient } from './client.ts';
import { NinjaOneAuthError } from './errors.ts';
import { buildAuthorizeUrl, createOAuthState, createPkcePair, exchangeAuthorizationCode, refreshAccessToken } from './oauth.ts';
import { createTokenProvider } from './token-provider.ts';
import { parseNinjaOneUrl } from './url.ts';

import type { NinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import type { RefreshedTokens } from './oauth.ts';
import type { TokenProvider } from './token-provider.ts';

const fastRetry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 };
const redirectUri = 'http://127.0.0.1:9/oauth2/redirect';

let emu: NinjaOneEmulator;
let origin: URL;

before(async () => {
  emu = await startNinjaOneEmulator({ seed: 3, users: 120, autoApprove: true });
  emu.addRedirectUri(demoWebClient.clientId, redirectUri);
  const parsed = parseNinjaOneUrl(emu.url, { allowInsecureHttp: true });
  assert.ok(parsed.ok);
  origin = parsed.url;
});
after(() => emu.close());
beforeEach(() => emu.knobs.reset());

function m2mTokens(): TokenProvider {
  return createTokenProvider({ origin, ...demoM2mClient, grant: 'client_credentials', scopes: 'monitoring management', retry: fastRetry });
}

function client(tokens: TokenProvider = m2mTokens(), pageSize?: number) {
  return createNinjaOneClient({ origin, tokens, retry: fastRetry, ...(pageSize === undefined ? {} : { pageSize }) });
}

/** Runs the browser part of the sign-in against the auto-approving emulator; returns the code. */
async function signIn(codeChallenge: string, state: string): Promise<string> {
  const authorize = buildAuthorizeUrl({
    origin,
    clientId: demoWebClient.clientId,
    redirectUri,
    scopes: 'monitoring management',
    state,
    codeChallenge,
  });
  const response = await fetch(authorize, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(location.searchParams.get('state'), state);
  const code = location.searchParams.get('code');
  assert.ok(code, `no code in ${location.search}`);
  return code;
}

function requestsTo(path: string) {
  return emu.knobs.log.filter((entry) => entry.path === path);
}

describe('NinjaOne client against the emulator', () => {
  test('client credentials: users with roles, filtered by type', async () => {
    const ninja = client();
    const users = await ninja.listUsers({});
    assert.equal(users.length, emu.world.users.length);
    assert.ok(
      users.every((user) => Array.isArray(user.roles)),
      'includeRoles=true gives every user a roles list',
    );
    const endUsers = await ninja.listUsers({ userType: 'END_USER' });
    assert.ok(endUsers.length > 0 && endUsers.length < users.length);
    assert.ok(endUsers.every((user) => user.userType === 'END_USER'));
    assert.match(requestsTo('/v2/users').at(-1)?.query ?? '', /includeRoles=true.*userType=END_USER|userType=END_USER.*includeRoles=true/);
    // One token served every call.
    assert.equal(requestsTo('/ws/oauth/token').length, 1);
  });

  test('authorization code with PKCE, then refresh with rotation: the old refresh token is refused afterwards', async () => {
    const pkce = await createPkcePair();
    const code = await signIn(pkce.challenge, createOAuthState());
    const exchanged = await exchangeAuthorizationCode({ origin, ...demoWebClient, code, codeVerifier: pkce.verifier, redirectUri });
    assert.ok(exchanged.refreshToken, 'offline_access was asked for, so a refresh token comes back');
    assert.match(exchanged.scope ?? '', /monitoring/);

    const stored: string[] = [];
    const tokens = createTokenProvider({
      origin,
      ...demoWebClient,
      grant: 'refresh_token',
      refreshToken: exchanged.refreshToken,
      onRotate: async (next: RefreshedTokens) => {
        stored.push(next.refreshToken);
      },
    });
    const users = await client(tokens).listUsers({});
    assert.equal(users.length, emu.world.users.length);
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0], exchanged.refreshToken, 'the emulator rotates');

    const error = await refreshAccessToken({ origin, ...demoWebClient, refreshToken: exchanged.refreshToken }).catch(
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof NinjaOneAuthError);
    assert.equal(error.kind, 'invalid_grant');
    assert.equal(error.needsReauthorization, true);
  });

  test('a spent authorization code and a wrong PKCE verifier are invalid_grant', async () => {
    const pkce = await createPkcePair();
    const code = await signIn(pkce.challenge, createOAuthState());
    const wrongVerifier = await exchangeAuthorizationCode({
      origin,
      ...demoWebClient,
      code,
      codeVerifier: (await createPkcePair()).verifier,
      redirectUri,
    }).catch((caught: unknown) => caught);
    assert.ok(wrongVerifier instanceof NinjaOneAuthError);
    assert.equal(wrongVerifier.kind, 'invalid_grant');
    assert.match(wrongVerifier.message, /Start the sign-in again/);

    const next = await createPkcePair();
    const goodCode = await signIn(next.challenge, createOAuthState());
    await exchangeAuthorizationCode({ origin, ...demoWebClient, code: goodCode, codeVerifier: next.verifier, redirectUri });
    const reused = await exchangeAuthorizationCode({
      origin,
      ...demoWebClient,
      code: goodCode,
      codeVerifier: next.verifier,
      redirectUri,
    }).catch((caught: unknown) => caught);
    assert.ok(reused instanceof NinjaOneAuthError);
    assert.equal(reused.kind, 'invalid_grant');
  });

  test('a redirect URI that differs from the authorize request is refused', async () => {
    const pkce = await createPkcePair();
    const code = await signIn(pkce.challenge, createOAuthState());
    const error = await exchangeAuthorizationCode({
      origin,
      ...demoWebClient,
      code,
      codeVerifier: pkce.verifier,
      redirectUri: `${redirectUri}/`,
    }).catch((caught: unknown) => caught);
    assert.ok(error instanceof NinjaOneAuthError);
    assert.equal(error.kind, 'invalid_grant');
    assert.match(error.message, /redirect_uri does not match.*redirect URI did not match/);
  });

  test('401 (token expired on the server) invalidates the token and retries once', async () => {
    const rotations: string[] = [];
    const pkce = await createPkcePair();
    const code = await signIn(pkce.challenge, createOAuthState());
    const exchanged = await exchangeAuthorizationCode({ origin, ...demoWebClient, code, codeVerifier: pkce.verifier, redirectUri });
    const tokens = createTokenProvider({
      origin,
      ...demoWebClient,
      grant: 'refresh_token',
      refreshToken: exchanged.refreshToken ?? '',
      initial: { accessToken: exchanged.accessToken, expiresAt: exchanged.expiresAt },
      onRotate: async (next) => {
        rotations.push(next.refreshToken);
      },
    });
    const ninja = client(tokens);
    await ninja.listOrganizations();
    assert.equal(rotations.length, 0, 'the initial token was still good');

    const expired = await fetch(new URL('/__admin/tokens/expire', origin), { method: 'POST' });
    assert.equal(expired.status, 200);
    emu.knobs.clearLog();
    const users = await ninja.listUsers({});
    assert.equal(users.length, emu.world.users.length);
    assert.deepEqual(
      requestsTo('/v2/users').map((entry) => entry.status),
      [401, 200],
    );
    assert.equal(requestsTo('/ws/oauth/token').length, 1);
    assert.equal(rotations.length, 1);
  });

  test('a token that stays refused is reported after one retry, with log-safe details', async () => {
    const bogus: TokenProvider = { getAccessToken: async () => 'not-a-real-token', invalidate: () => undefined };
    const error = await client(bogus)
      .listUsers({})
      .catch((caught: unknown) => caught);
    assert.ok(isVendorError(error));
    assert.equal(error.status, 401);
    assert.equal(error.code, 'not_authenticated');
    assert.match(error.message, /Invalid credentials.*access token is invalid or expired/);
    assert.doesNotMatch(error.message, /not-a-real-token/);
    assert.equal(typeof error.details?.['requestId'], 'string');
    assert.equal(requestsTo('/v2/users').length, 2);
  });

  test('organisations and devices are paged to completion', async () => {
    const ninja = client(m2mTokens(), 7);
    const organizations = await ninja.listOrganizations();
    const devices = await ninja.listDevices();
    assert.deepEqual(
      organizations.map((organization) => organization.id),
      emu.world.organizations.map((organization) => organization.id).sort((a, b) => a - b),
    );
    assert.equal(devices.length, emu.world.devices.length);
    assert.equal(new Set(devices.map((device) => device.id)).size, devices.length);
    assert.ok(devices.length > 7 * 5, 'enough devices for several pages');
    const devicePages = requestsTo('/v2/devices');
    assert.equal(devicePages.length, Math.floor(devices.length / 7) + 1);
    assert.match(devicePages[1]?.query ?? '', /after=\d+/);
    assert.ok(devicePages.every((entry) => /pageSize=7/.test(entry.query)));
  });

  test('paging ends on an exactly full last page with one empty page', async () => {
    const count = emu.world.organizations.length;
    const ninja = client(m2mTokens(), count);
    assert.equal((await ninja.listOrganizations()).length, count);
    assert.equal(requestsTo('/v2/organizations').length, 2);
  });

  for (const kind of ['status429', 'status500', 'status503', 'html', 'malformedJson', 'reset'] as const) {
    test(`retries through injected ${kind} faults`, async () => {
      emu.knobs.settings.faults.push({ kind, times: 2, path: '/v2/devices', retryAfterSeconds: 0 });
      const devices = await client(m2mTokens(), 50).listDevices();
      assert.equal(devices.length, emu.world.devices.length);
      const injected = emu.knobs.log.filter((entry) => entry.injected === kind).length;
      const pages = Math.floor(devices.length / 50) + 1;
      assert.equal(requestsTo('/v2/devices').length - pages, injected);
      // A reset connection has no response to log; every other fault must have fired twice.
      if (kind !== 'reset') assert.equal(injected, 2);
    });
  }

  for (const [kind, errorKind, status, message] of [
    ['html', 'html', 502, /502 Bad Gateway/],
    ['malformedJson', 'malformed_json', 200, /malformed JSON/],
    ['status500', 'http', 500, /answered 500: .*incident/],
  ] as const) {
    test(`a ${kind} fault that does not stop is reported with status and host after bounded retries`, async () => {
      emu.knobs.settings.faults.push({ kind, path: '/v2/users' });
      const error = await client()
        .listUsers({})
        .catch((caught: unknown) => caught);
      assert.ok(isVendorError(error));
      assert.equal(error.kind, errorKind);
      assert.equal(error.status, status);
      assert.equal(error.host, origin.host);
      assert.match(error.message, message);
      assert.match(error.message, new RegExp(origin.host.replace(/[.[\]]/g, '\\$&')));
      assert.equal(requestsTo('/v2/users').length, 4, 'maxAttempts');
    });
  }

  test('a hung request times out', async () => {
    emu.knobs.settings.faults.push({ kind: 'hang', path: '/v2/users' });
    const ninja = createNinjaOneClient({ origin, tokens: m2mTokens(), retry: { ...fastRetry, maxAttempts: 2 }, timeoutMs: 100 });
    const error = await ninja.listUsers({}).catch((caught: unknown) => caught);
    assert.ok(isVendorError(error));
    assert.equal(error.kind, 'timeout');
  });

  test('a 429 on the token endpoint is retried', async () => {
    emu.knobs.settings.faults.push({ kind: 'status429', times: 1, path: '/ws/oauth/token', retryAfterSeconds: 0 });
    const users = await client().listUsers({});
    assert.equal(users.length, emu.world.users.length);
    assert.equal(requestsTo('/ws/oauth/token').length, 2);
  });

  test('user roles with members', async () => {
    const roles = await client().listRoles();
    assert.equal(roles.length, emu.world.roles.length);
    assert.ok(roles.some((role) => (role.members?.length ?? 0) > 0));
    const technicianRoles = await client().listRoles({ roleType: 'TECHNICIAN' });
    assert.ok(technicianRoles.every((role) => role.type === 'TECHNICIAN'));
  });

  test('testConnection counts users and reports the granted scopes', async () => {
    const result = await client().testConnection();
    assert.equal(result.userCount, emu.world.users.length);
    assert.deepEqual(result.scopes, ['monitoring', 'management']);
  });

  test('a wrong client ID is "wrong NinjaOne URL/region or client ID"; a wrong secret is invalid_client', async () => {
    const unknown = createTokenProvider({ origin, clientId: 'no-such-app', clientSecret: 'x', grant: 'client_credentials' });
    const unknownError = await client(unknown)
      .testConnection()
      .catch((caught: unknown) => caught);
    assert.ok(unknownError instanceof NinjaOneAuthError);
    assert.equal(unknownError.kind, 'unknown_client');
    assert.match(unknownError.message, /wrong NinjaOne URL\/region or client ID/);
    assert.equal(typeof unknownError.details?.['requestId'], 'string');

    const wrongSecret = createTokenProvider({
      origin,
      clientId: demoM2mClient.clientId,
      clientSecret: 'wrong-secret-value',
      grant: 'client_credentials',
    });
    const secretError = await client(wrongSecret)
      .testConnection()
      .catch((caught: unknown) => caught);
    assert.ok(secretError instanceof NinjaOneAuthError);
    assert.equal(secretError.kind, 'invalid_client');
    assert.doesNotMatch(secretError.message, /wrong-secret-value/);
  });

  test('client credentials on a Web app is a configuration problem, not re-authorisation', async () => {
    const tokens = createTokenProvider({ origin, ...demoWebClient, grant: 'client_credentials' });
    const error = await client(tokens)
      .testConnection()
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof NinjaOneAuthError);
    assert.equal(error.kind, 'misconfigured');
    assert.equal(error.needsReauthorization, false);
  });

  test('an aborted run stops with a cancellation', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client().listDevices({ signal: controller.signal }));
  });
});
