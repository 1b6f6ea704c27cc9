import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { NinjaOneAuthError } from './errors.ts';
import { startFakeServer } from './fake-server.test-support.ts';
import { createTokenProvider } from './token-provider.ts';

import type { FakeAnswer, FakeRequest } from './fake-server.test-support.ts';
import type { RefreshedTokens } from './oauth.ts';

/** A token endpoint that issues access-N (and refresh-N when rotating), N counting up. */
async function tokenServer(
  t: { after(fn: () => Promise<void>): void },
  options: { rotate?: boolean; expiresIn?: number; gate?: Promise<void> } = {},
) {
  let issued = 0;
  const server = await startFakeServer(async (request: FakeRequest): Promise<FakeAnswer> => {
    await options.gate;
    issued++;
    const rotation =
      options.rotate === true && request.form.get('grant_type') === 'refresh_token' ? { refresh_token: `refresh-${issued}` } : {};
    return { json: { access_token: `access-${issued}`, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600, ...rotation } };
  });
  t.after(() => server.close());
  return server;
}

describe('createTokenProvider', () => {
  test('caches the token until the refresh margin, then gets a new one', async (t) => {
    const server = await tokenServer(t);
    let clock = 0;
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'm2m',
      clientSecret: 's',
      grant: 'client_credentials',
      refreshMarginMs: 60_000,
      now: () => clock,
    });
    assert.equal(await tokens.getAccessToken(), 'access-1');
    clock = 3_600_000 - 60_001;
    assert.equal(await tokens.getAccessToken(), 'access-1');
    clock = 3_600_000 - 60_000;
    assert.equal(await tokens.getAccessToken(), 'access-2');
    assert.equal(server.requests.length, 2);
  });

  test('a short-lived token is refreshed at half its life, not handed out already expired', async (t) => {
    const server = await tokenServer(t, { expiresIn: 10 });
    let clock = 0;
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'm2m',
      clientSecret: 's',
      grant: 'client_credentials',
      now: () => clock,
    });
    assert.equal(await tokens.getAccessToken(), 'access-1');
    clock = 4_999;
    assert.equal(await tokens.getAccessToken(), 'access-1');
    clock = 5_000;
    assert.equal(await tokens.getAccessToken(), 'access-2');
  });

  test('concurrent callers share one grant', async (t) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const server = await tokenServer(t, { rotate: true, gate });
    const rotations: string[] = [];
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      clientSecret: 's',
      grant: 'refresh_token',
      refreshToken: 'refresh-0',
      onRotate: async (next) => {
        rotations.push(next.refreshToken);
      },
    });
    const pending = Array.from({ length: 10 }, () => tokens.getAccessToken());
    open();
    assert.deepEqual(
      await Promise.all(pending),
      Array.from({ length: 10 }, () => 'access-1'),
    );
    assert.equal(server.requests.length, 1);
    assert.deepEqual(rotations, ['refresh-1']);
  });

  test('the rotated refresh token is stored before the access token is handed out, and used next', async (t) => {
    const server = await tokenServer(t, { rotate: true });
    const events: string[] = [];
    let release!: () => void;
    const storing = new Promise<void>((resolve) => (release = resolve));
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      clientSecret: 's',
      grant: 'refresh_token',
      refreshToken: 'refresh-0',
      onRotate: async (next: RefreshedTokens) => {
        events.push(`store ${next.refreshToken}`);
        await storing;
        events.push(`stored ${next.refreshToken}`);
      },
    });
    const first = tokens.getAccessToken().then((token) => events.push(`use ${token}`));
    // Wait until the refresh answered and the store began.
    while (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.deepEqual(events, ['store refresh-1']);
    release();
    await first;
    assert.deepEqual(events, ['store refresh-1', 'stored refresh-1', 'use access-1']);

    tokens.invalidate();
    assert.equal(await tokens.getAccessToken(), 'access-2');
    assert.deepEqual(
      server.requests.map((request) => request.form.get('refresh_token')),
      ['refresh-0', 'refresh-1'],
    );
  });

  test('when storing fails, no access token is handed out and the next call refreshes with the new refresh token', async (t) => {
    const server = await tokenServer(t, { rotate: true });
    let failStore = true;
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      clientSecret: 's',
      grant: 'refresh_token',
      refreshToken: 'refresh-0',
      onRotate: async () => {
        if (failStore) throw new Error('vault is read-only');
      },
    });
    await assert.rejects(tokens.getAccessToken(), /vault is read-only/);
    failStore = false;
    assert.equal(await tokens.getAccessToken(), 'access-2');
    assert.deepEqual(
      server.requests.map((request) => request.form.get('refresh_token')),
      ['refresh-0', 'refresh-1'],
    );
  });

  test('invalidate(token) drops only that token', async (t) => {
    const server = await tokenServer(t);
    const tokens = createTokenProvider({ origin: server.url, clientId: 'm2m', clientSecret: 's', grant: 'client_credentials' });
    assert.equal(await tokens.getAccessToken(), 'access-1');
    tokens.invalidate('some-older-token');
    assert.equal(await tokens.getAccessToken(), 'access-1');
    tokens.invalidate('access-1');
    assert.equal(await tokens.getAccessToken(), 'access-2');
  });

  test('an initial token is used until it is due', async (t) => {
    const server = await tokenServer(t, { rotate: true });
    let clock = 0;
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      grant: 'refresh_token',
      refreshToken: 'refresh-0',
      onRotate: async () => undefined,
      initial: { accessToken: 'from-vault', expiresAt: new Date(600_000) },
      now: () => clock,
    });
    assert.equal(await tokens.getAccessToken(), 'from-vault');
    assert.equal(server.requests.length, 0);
    clock = 600_000 - 60_000;
    assert.equal(await tokens.getAccessToken(), 'access-1');
  });

  test('scope() reports the last scope NinjaOne stated, also across a refresh that omits it', async (t) => {
    let calls = 0;
    const server = await startFakeServer(() => ({
      json: { access_token: `a${++calls}`, token_type: 'Bearer', ...(calls === 1 ? { scope: 'monitoring management' } : {}) },
    }));
    t.after(() => server.close());
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      grant: 'refresh_token',
      refreshToken: 'r',
      onRotate: async () => undefined,
    });
    assert.equal(tokens.scope?.(), null);
    await tokens.getAccessToken();
    assert.equal(tokens.scope?.(), 'monitoring management');
    tokens.invalidate();
    assert.equal(await tokens.getAccessToken(), 'a2');
    assert.equal(tokens.scope?.(), 'monitoring management');
  });

  test('a failed grant is not cached: the next call tries again', async (t) => {
    let calls = 0;
    const server = await startFakeServer(() =>
      ++calls === 1 ? { status: 400, json: { error: 'invalid_grant' } } : { json: { access_token: 'ok', token_type: 'Bearer' } },
    );
    t.after(() => server.close());
    const tokens = createTokenProvider({
      origin: server.url,
      clientId: 'web',
      grant: 'refresh_token',
      refreshToken: 'r',
      onRotate: async () => undefined,
    });
    await assert.rejects(tokens.getAccessToken(), (error: unknown) => error instanceof NinjaOneAuthError && error.needsReauthorization);
    assert.equal(await tokens.getAccessToken(), 'ok');
  });

  test("one caller's abort does not cancel the grant the others wait for", async (t) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const server = await tokenServer(t, { gate });
    const tokens = createTokenProvider({ origin: server.url, clientId: 'm2m', clientSecret: 's', grant: 'client_credentials' });
    const controller = new AbortController();
    const aborted = tokens.getAccessToken({ signal: controller.signal });
    const patient = tokens.getAccessToken();
    controller.abort();
    await assert.rejects(aborted, { name: 'AbortError' });
    open();
    assert.equal(await patient, 'access-1');
  });
});
