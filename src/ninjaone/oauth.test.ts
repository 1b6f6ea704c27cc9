import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { NinjaOneAuthError } from './errors.ts';
import { startFakeServer } from './fake-server.test-support.ts';
import {
  buildAuthorizeUrl,
  createOAuthState,
  createPkcePair,
  exchangeAuthorizationCode,
  normaliseScopes,
  refreshAccessToken,
  requestClientCredentialsToken,
} from './oauth.ts';

import type { FakeAnswer } from './fake-server.test-support.ts';

const fastRetry = { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 };
const secret = 'sup3r-s3cret-value';

async function fake(t: { after(fn: () => Promise<void>): void }, answers: FakeAnswer[] | ((index: number) => FakeAnswer)) {
  let index = 0;
  const server = await startFakeServer(() => {
    const answer = typeof answers === 'function' ? answers(index) : answers[Math.min(index, answers.length - 1)];
    index++;
    return answer ?? { status: 500 };
  });
  t.after(() => server.close());
  return server;
}

const tokenAnswer = (extra: Record<string, unknown> = {}): FakeAnswer => ({
  json: { access_token: 'access-1', token_type: 'Bearer', expires_in: 3600, scope: 'monitoring', ...extra },
  headers: { 'cache-control': 'no-store' },
});

async function authError(promise: Promise<unknown>): Promise<NinjaOneAuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NinjaOneAuthError, `expected a NinjaOneAuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the grant to fail');
}

describe('client credentials', () => {
  test('posts the form to /ws/oauth/token and never sends offline_access', async (t) => {
    const server = await fake(t, [tokenAnswer()]);
    const now = 1_000_000;
    const token = await requestClientCredentialsToken({
      origin: server.url,
      clientId: 'm2m',
      clientSecret: secret,
      scopes: 'monitoring offline_access management',
      now: () => now,
    });
    assert.deepEqual(token, { accessToken: 'access-1', expiresAt: new Date(now + 3_600_000), scope: 'monitoring' });
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/ws/oauth/token');
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request?.form.get('grant_type'), 'client_credentials');
    assert.equal(request?.form.get('client_id'), 'm2m');
    assert.equal(request?.form.get('client_secret'), secret);
    assert.equal(request?.form.get('scope'), 'monitoring management');
  });

  test('omits scope when none is asked for (NinjaOne then grants what the app has)', async (t) => {
    const server = await fake(t, [tokenAnswer()]);
    await requestClientCredentialsToken({ origin: server.url, clientId: 'm2m', clientSecret: secret, scopes: ['offline_access'] });
    assert.equal(server.requests[0]?.form.has('scope'), false);
  });

  test('assumes an hour when expires_in is missing, and accepts a lower-case token type', async (t) => {
    const server = await fake(t, [{ json: { access_token: 'a', token_type: 'bearer' } }]);
    const token = await requestClientCredentialsToken({ origin: server.url, clientId: 'm2m', clientSecret: secret, now: () => 0 });
    assert.equal(token.expiresAt.getTime(), 3_600_000);
    assert.equal(token.scope, null);
  });

  test('is retried on 503 and then succeeds', async (t) => {
    const server = await fake(t, [{ status: 503, json: { resultCode: 'FAILURE', incidentId: 'I-1' } }, tokenAnswer()]);
    const token = await requestClientCredentialsToken({ origin: server.url, clientId: 'm2m', clientSecret: secret, retry: fastRetry });
    assert.equal(token.accessToken, 'access-1');
    assert.equal(server.requests.length, 2);
  });

  test('a 200 without an access token is unexpected, not a crash', async (t) => {
    const server = await fake(t, [{ json: { token_type: 'Bearer' } }]);
    const error = await authError(requestClientCredentialsToken({ origin: server.url, clientId: 'm2m', clientSecret: secret }));
    assert.equal(error.kind, 'unexpected');
    assert.match(error.message, /without an access_token/);
  });
});

describe('refresh token', () => {
  test('returns the rotated refresh token and does not resend scope', async (t) => {
    const server = await fake(t, [tokenAnswer({ refresh_token: 'refresh-2', scope: undefined })]);
    const tokens = await refreshAccessToken({ origin: server.url, clientId: 'web', clientSecret: secret, refreshToken: 'refresh-1' });
    assert.equal(tokens.refreshToken, 'refresh-2');
    assert.equal(tokens.rotated, true);
    assert.equal(tokens.scope, null);
    const form = server.requests[0]?.form;
    assert.equal(form?.get('grant_type'), 'refresh_token');
    assert.equal(form?.get('refresh_token'), 'refresh-1');
    assert.equal(form?.has('scope'), false);
  });

  test('keeps the old refresh token when the answer omits it', async (t) => {
    const server = await fake(t, [tokenAnswer()]);
    const tokens = await refreshAccessToken({ origin: server.url, clientId: 'web', clientSecret: secret, refreshToken: 'refresh-1' });
    assert.equal(tokens.refreshToken, 'refresh-1');
    assert.equal(tokens.rotated, false);
  });

  for (const [name, body] of [
    ['invalid_grant', { error: 'invalid_grant', error_description: 'refresh token already used' }],
    ['invalid_token (seen from NinjaOne in 2022)', { error: 'invalid_token' }],
  ] as const) {
    test(`${name} means re-authorisation, and the message holds no secret`, async (t) => {
      const server = await fake(t, [{ status: 400, json: body }]);
      const error = await authError(
        refreshAccessToken({
          origin: server.url,
          clientId: 'web',
          clientSecret: secret,
          refreshToken: 'refresh-token-value',
          retry: fastRetry,
        }),
      );
      assert.equal(error.kind, 'invalid_grant');
      assert.equal(error.needsReauthorization, true);
      assert.equal(error.retryable, false);
      assert.match(error.message, /Sign in to NinjaOne again/);
      assert.doesNotMatch(error.message, /refresh-token-value|sup3r/);
      assert.equal(server.requests.length, 1);
    });
  }

  test('a 500 is transient, never re-authorisation, and a refresh is not replayed after it', async (t) => {
    const server = await fake(t, [
      { status: 500, json: { resultCode: 'FAILURE', errorMessage: 'NullPointerException', incidentId: 'WEB-1' } },
    ]);
    const error = await authError(
      refreshAccessToken({ origin: server.url, clientId: 'web', clientSecret: secret, refreshToken: 'r1', retry: fastRetry }),
    );
    assert.equal(error.kind, 'transient');
    assert.equal(error.needsReauthorization, false);
    assert.equal(error.retryable, true);
    assert.equal(error.details?.['incidentId'], 'WEB-1');
    assert.match(error.message, /NullPointerException.*incident WEB-1.*says nothing against the client ID/);
    // A 500 may come after NinjaOne spent the refresh token: replaying it could only hurt.
    assert.equal(server.requests.length, 1);
  });

  test('a 429 is retried even for a refresh (NinjaOne did nothing with it)', async (t) => {
    const server = await fake(t, [{ status: 429, json: {}, headers: { 'retry-after': '0' } }, tokenAnswer({ refresh_token: 'r2' })]);
    const tokens = await refreshAccessToken({
      origin: server.url,
      clientId: 'web',
      clientSecret: secret,
      refreshToken: 'r1',
      retry: fastRetry,
    });
    assert.equal(tokens.refreshToken, 'r2');
    assert.equal(server.requests.length, 2);
  });

  test('a refused connection is transient', async (t) => {
    const server = await fake(t, [tokenAnswer()]);
    const origin = server.url;
    await server.close();
    const error = await authError(
      refreshAccessToken({ origin, clientId: 'web', clientSecret: secret, refreshToken: 'r1', retry: { ...fastRetry, maxAttempts: 2 } }),
    );
    assert.equal(error.kind, 'transient');
  });
});

describe('authorization code', () => {
  test('sends code, redirect_uri and code_verifier, and returns the refresh token', async (t) => {
    const server = await fake(t, [tokenAnswer({ refresh_token: 'refresh-1', scope: 'monitoring offline_access' })]);
    const tokens = await exchangeAuthorizationCode({
      origin: server.url,
      clientId: 'web',
      clientSecret: secret,
      code: 'code-1',
      codeVerifier: 'verifier-1',
      redirectUri: 'https://sync.example/oauth2/redirect',
    });
    assert.equal(tokens.refreshToken, 'refresh-1');
    assert.equal(tokens.scope, 'monitoring offline_access');
    const form = server.requests[0]?.form;
    assert.equal(form?.get('grant_type'), 'authorization_code');
    assert.equal(form?.get('code'), 'code-1');
    assert.equal(form?.get('code_verifier'), 'verifier-1');
    assert.equal(form?.get('redirect_uri'), 'https://sync.example/oauth2/redirect');
  });

  test('a public client sends no secret, and a missing refresh token is null', async (t) => {
    const server = await fake(t, [tokenAnswer()]);
    const tokens = await exchangeAuthorizationCode({
      origin: server.url,
      clientId: 'native',
      code: 'c',
      codeVerifier: 'v',
      redirectUri: 'http://127.0.0.1/',
    });
    assert.equal(tokens.refreshToken, null);
    assert.equal(server.requests[0]?.form.has('client_secret'), false);
  });

  test('a spent code says to start the sign-in again', async (t) => {
    const server = await fake(t, [{ status: 400, json: { error: 'invalid_grant' } }]);
    const error = await authError(
      exchangeAuthorizationCode({
        origin: server.url,
        clientId: 'web',
        clientSecret: secret,
        code: 'code-secret',
        codeVerifier: 'v',
        redirectUri: 'https://x/',
      }),
    );
    assert.equal(error.kind, 'invalid_grant');
    assert.match(error.message, /Start the sign-in again/);
    assert.doesNotMatch(error.message, /code-secret/);
  });

  test('a redirect mismatch is a configuration problem that names the URI', async (t) => {
    const server = await fake(t, [{ status: 400, json: { error: 'redirect_uri_mismatch' } }]);
    const error = await authError(
      exchangeAuthorizationCode({
        origin: server.url,
        clientId: 'web',
        clientSecret: secret,
        code: 'c',
        codeVerifier: 'v',
        redirectUri: 'https://x/cb',
      }),
    );
    assert.equal(error.kind, 'misconfigured');
    assert.match(error.message, /https:\/\/x\/cb.*exactly, trailing slash included/);
  });
});

describe('token endpoint errors', () => {
  const cases: ReadonlyArray<readonly [name: string, answer: FakeAnswer, kind: NinjaOneAuthError['kind'], message: RegExp]> = [
    [
      '404 Client app not exist',
      { status: 404, json: { resultCode: 'Client app not exist', incidentId: 'WEB_MGMT_SERVICE-9' } },
      'unknown_client',
      /client ID "app-1".*wrong NinjaOne URL\/region or client ID/,
    ],
    ['404 without a body', { status: 404, text: '' }, 'unknown_client', /wrong NinjaOne URL\/region or client ID/],
    [
      'invalid_client',
      { status: 401, json: { error: 'invalid_client', error_description: 'Bad client credentials' } },
      'invalid_client',
      /client ID "app-1" or its secret.*Client App IDs/,
    ],
    ['a bare 401', { status: 401, text: '' }, 'invalid_client', /client ID "app-1"/],
    ['invalid_scope', { status: 400, json: { error: 'invalid_scope' } }, 'invalid_scope', /scopes "monitoring control"/],
    ['unauthorized_client', { status: 400, json: { error: 'unauthorized_client' } }, 'misconfigured', /Client Credentials grant/],
    [
      'an HTML 502 from a proxy',
      { status: 502, text: '<html><title>Bad Gateway</title></html>', contentType: 'text/html' },
      'transient',
      /HTML page/,
    ],
    [
      'an HTML 200',
      { status: 200, text: '<!doctype html><html><title>Login</title></html>', contentType: 'text/html' },
      'transient',
      /HTML page/,
    ],
    ['malformed JSON', { status: 200, text: '{"access_token": ', contentType: 'application/json' }, 'transient', /malformed JSON/],
    ['a 400 nobody documented', { status: 400, json: { error: 'weird_error' } }, 'unexpected', /weird_error/],
  ];
  for (const [name, answer, kind, message] of cases) {
    test(name, async (t) => {
      const server = await fake(t, [answer]);
      const error = await authError(
        requestClientCredentialsToken({
          origin: server.url,
          clientId: 'app-1',
          clientSecret: secret,
          scopes: 'monitoring control',
          retry: { ...fastRetry, maxAttempts: 2 },
        }),
      );
      assert.equal(error.kind, kind);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /sup3r/);
      assert.equal(error.host, server.url.host);
    });
  }

  test('the 404 keeps the incident id as a log-safe detail', async (t) => {
    const server = await fake(t, [{ status: 404, json: { resultCode: 'Client app not exist', incidentId: 'WEB_MGMT_SERVICE-9' } }]);
    const error = await authError(requestClientCredentialsToken({ origin: server.url, clientId: 'x', clientSecret: secret }));
    assert.equal(error.details?.['incidentId'], 'WEB_MGMT_SERVICE-9');
    assert.equal(error.code, 'Client app not exist');
  });

  test('a secret echoed by the server is redacted', async (t) => {
    const server = await fake(t, [
      { status: 400, json: { error: 'invalid_request', error_description: `client_secret ${secret} is malformed` } },
    ]);
    const error = await authError(requestClientCredentialsToken({ origin: server.url, clientId: 'x', clientSecret: secret }));
    assert.equal(error.kind, 'misconfigured');
    assert.doesNotMatch(error.message, /sup3r/);
  });

  test('a caller abort is a cancellation, not an auth error', async (t) => {
    const server = await startFakeServer(() => new Promise<FakeAnswer>(() => undefined));
    t.after(() => server.close());
    const controller = new AbortController();
    const pending = requestClientCredentialsToken({ origin: server.url, clientId: 'x', clientSecret: secret, signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (error: unknown) => !(error instanceof NinjaOneAuthError));
  });
});

describe('authorize URL, PKCE and state', () => {
  test('buildAuthorizeUrl names everything NinjaOne needs and adds offline_access, without the secret', () => {
    const url = buildAuthorizeUrl({
      origin: new URL('https://acme.rmmservice.com'),
      clientId: 'web',
      redirectUri: 'https://sync.example/oauth2/redirect',
      scopes: 'monitoring management',
      state: 'state-1',
      codeChallenge: 'challenge-1',
    });
    assert.equal(url.origin + url.pathname, 'https://acme.rmmservice.com/ws/oauth/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      response_type: 'code',
      client_id: 'web',
      redirect_uri: 'https://sync.example/oauth2/redirect',
      scope: 'monitoring management offline_access',
      state: 'state-1',
      code_challenge: 'challenge-1',
      code_challenge_method: 'S256',
    });
  });

  test('offline_access is not doubled, and can be left out', () => {
    const base = { origin: new URL('https://eu.ninjarmm.com'), clientId: 'w', redirectUri: 'https://x/', state: 's', codeChallenge: 'c' };
    assert.equal(
      buildAuthorizeUrl({ ...base, scopes: ['monitoring', 'offline_access'] }).searchParams.get('scope'),
      'monitoring offline_access',
    );
    assert.equal(buildAuthorizeUrl({ ...base, scopes: 'monitoring', offlineAccess: false }).searchParams.get('scope'), 'monitoring');
  });

  test('createPkcePair makes an S256 challenge of a 43+ character verifier', async () => {
    const pair = await createPkcePair();
    assert.ok(pair.verifier.length >= 43);
    assert.equal(pair.challenge, createHash('sha256').update(pair.verifier).digest('base64url'));
    assert.notEqual((await createPkcePair()).verifier, pair.verifier);
  });

  test('createOAuthState is random and URL-safe', () => {
    const state = createOAuthState();
    assert.match(state, /^[A-Za-z0-9_-]{20,}$/);
    assert.notEqual(createOAuthState(), state);
  });

  test('normaliseScopes splits on spaces and commas and drops duplicates', () => {
    assert.deepEqual(normaliseScopes(' monitoring,management  monitoring '), ['monitoring', 'management']);
    assert.deepEqual(normaliseScopes(['monitoring management', 'control']), ['monitoring', 'management', 'control']);
  });
});
