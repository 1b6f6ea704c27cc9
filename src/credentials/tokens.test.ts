/**
 * The stored token provider against the NinjaOne emulator over real HTTP, on SQLite and PostgreSQL:
 * several providers (as several workers would hold; on PostgreSQL each with its own connection
 * pool) meet an expired or refused token at the same moment, and NinjaOne sees one refresh.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { forEachDialect } from '../../test/support/databases.ts';
import { createNinjaOneClient } from '../ninjaone/client.ts';
import { buildAuthorizeUrl, createOAuthState, createPkcePair, exchangeAuthorizationCode } from '../ninjaone/oauth.ts';
import { observeTokenRefreshes } from '../ninjaone/token-provider.ts';
import { createCredential, sealContext } from './store.ts';
import { createStoredTokenProvider, storeTokens } from './tokens.ts';
import { createVault, generateVaultKey } from './vault.ts';

import type { NinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import type { TestDatabaseTarget } from '../../test/support/databases.ts';
import type { AppDb } from '../db/app-database.ts';
import type { TokenRefreshResult } from '../ninjaone/token-provider.ts';
import type { TokenDeps } from './tokens.ts';
import type { Vault } from './vault.ts';

const workers = 4;
const tokenPath = '/ws/oauth/token';

interface Setup {
  readonly ninja: NinjaOneEmulator;
  readonly vault: Vault;
  readonly credentialId: string;
  /** The first handle, for looking at the row. */
  readonly db: AppDb;
  /** One set of deps per worker: on PostgreSQL each with its own pool. */
  readonly deps: readonly TokenDeps[];
  /** The refresh token NinjaOne issued with the sign-in. */
  readonly firstRefreshToken: string;
  /** Grants reported to the refresh observer. */
  readonly refreshes: TokenRefreshResult[];
  tokenRequests(): number;
}

/** A signed-in authorization-code credential (the emulator's demo-web app) and one deps per worker. */
async function setUp(t: { after(fn: () => unknown): void }, target: TestDatabaseTarget): Promise<Setup> {
  const ninja = await startNinjaOneEmulator({ seed: 9, users: 3, autoApprove: true });
  t.after(() => ninja.close());
  const options = await target.options();
  const first = await target.reopen(options);
  // SQLite allows one handle per file per process: there the workers share it.
  const handles = [first];
  for (let i = 1; i < workers; i++) handles.push(target.dialect === 'postgres' ? await target.reopen(options) : first);
  const vault = createVault(generateVaultKey());
  const now = (): Date => new Date();
  const credential = await createCredential(
    first.db,
    vault,
    {
      name: 'prod',
      url: ninja.url,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      scopes: 'monitoring',
      grantType: 'authorization_code',
      allowInsecureHttp: true,
    },
    now(),
  );

  const redirectUri = 'http://127.0.0.1:9/oauth2/redirect';
  ninja.addRedirectUri('demo-web', redirectUri);
  const origin = new URL(ninja.url);
  const pkce = await createPkcePair();
  const authorize = buildAuthorizeUrl({
    origin,
    clientId: 'demo-web',
    redirectUri,
    scopes: 'monitoring',
    state: createOAuthState(),
    codeChallenge: pkce.challenge,
  });
  const location = (await fetch(authorize, { redirect: 'manual' })).headers.get('location');
  const code = new URL(location ?? assert.fail('the emulator did not redirect')).searchParams.get('code') ?? assert.fail('no code');
  const signedIn = await exchangeAuthorizationCode({
    origin,
    clientId: 'demo-web',
    clientSecret: 'demo-web-secret',
    code,
    codeVerifier: pkce.verifier,
    redirectUri,
  });
  const firstRefreshToken = signedIn.refreshToken ?? assert.fail('no refresh token');
  await storeTokens(first.db, vault, credential.id, { ...signedIn, refreshToken: firstRefreshToken }, now());

  const refreshes: TokenRefreshResult[] = [];
  observeTokenRefreshes((result) => refreshes.push(result));
  t.after(() => observeTokenRefreshes(null));
  ninja.knobs.log.splice(0);
  return {
    ninja,
    vault,
    credentialId: credential.id,
    db: first.db,
    deps: handles.map((handle) => ({ db: handle.db, vault, now, dialect: target.dialect })),
    firstRefreshToken,
    refreshes,
    tokenRequests: () => ninja.knobs.log.filter((entry) => entry.path === tokenPath).length,
  };
}

async function storedRow(setup: Setup): Promise<{ accessToken: string; refreshToken: string; status: string }> {
  const row = await setup.db.selectFrom('credentials').selectAll().where('id', '=', setup.credentialId).executeTakeFirstOrThrow();
  return {
    accessToken: setup.vault.open(row.access_token_sealed!, sealContext.accessToken(row.id)),
    refreshToken: setup.vault.open(row.refresh_token_sealed!, sealContext.refreshToken(row.id)),
    status: row.status,
  };
}

forEachDialect('stored NinjaOne tokens', (target) => {
  test('workers meeting an expired token at the same moment make one refresh, and every call succeeds', async (t) => {
    const setup = await setUp(t, target);
    await setup.db
      .updateTable('credentials')
      .set({ access_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', setup.credentialId)
      .execute();
    const clients = setup.deps.map((deps) =>
      createNinjaOneClient({ origin: new URL(setup.ninja.url), tokens: createStoredTokenProvider(deps, setup.credentialId) }),
    );

    const answers = await Promise.all(clients.map((client) => client.listUsers()));
    for (const users of answers) assert.equal(users.length, setup.ninja.world.users.length);
    assert.equal(setup.tokenRequests(), 1, 'NinjaOne saw one refresh');
    assert.deepEqual(setup.refreshes, ['ok']);

    // The rotated refresh token was stored; the one it replaced is spent, the stored one works.
    const row = await storedRow(setup);
    assert.equal(row.status, 'active');
    assert.notEqual(row.refreshToken, setup.firstRefreshToken);
    await setup.db
      .updateTable('credentials')
      .set({ access_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', setup.credentialId)
      .execute();
    const later = createStoredTokenProvider(setup.deps[0]!, setup.credentialId);
    const renewed = await later.getAccessToken();
    assert.notEqual(renewed, row.accessToken);
    assert.equal((await storedRow(setup)).accessToken, renewed);
    assert.deepEqual(setup.refreshes, ['ok', 'ok']);
  });

  test('a fresh stored token is used without asking NinjaOne; after a 401 only one worker refreshes', async (t) => {
    const setup = await setUp(t, target);
    const providers = setup.deps.map((deps) => createStoredTokenProvider(deps, setup.credentialId));
    const clients = providers.map((tokens) => createNinjaOneClient({ origin: new URL(setup.ninja.url), tokens }));
    await Promise.all(clients.map((client) => client.listUsers()));
    assert.equal(setup.tokenRequests(), 0, 'the stored token was fresh');
    const refused = (await storedRow(setup)).accessToken;

    // NinjaOne drops every access token (a revocation, a restart): each worker's next call gets 401.
    await fetch(`${setup.ninja.url}/__admin/tokens/expire`, { method: 'POST' });
    const answers = await Promise.all(clients.map((client) => client.listUsers()));
    for (const users of answers) assert.equal(users.length, setup.ninja.world.users.length);
    assert.equal(setup.tokenRequests(), 1, 'the workers after the first used the token it stored');
    const row = await storedRow(setup);
    assert.notEqual(row.accessToken, refused);
    for (const tokens of providers) assert.equal(await tokens.getAccessToken(), row.accessToken);
    assert.equal(setup.ninja.knobs.log.filter((entry) => entry.status === 401).length, workers, 'one 401 per worker, none after');
  });

  test('an access token whose rotated refresh token could not be stored is never used', async (t) => {
    const setup = await setUp(t, target);
    await setup.db
      .updateTable('credentials')
      .set({ access_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', setup.credentialId)
      .execute();
    const failingVault: Vault = {
      ...setup.vault,
      seal: (value, context) => {
        if (context === sealContext.refreshToken(setup.credentialId)) throw new Error('the vault cannot write');
        return setup.vault.seal(value, context);
      },
    };
    const client = createNinjaOneClient({
      origin: new URL(setup.ninja.url),
      tokens: createStoredTokenProvider({ ...setup.deps[0]!, vault: failingVault }, setup.credentialId),
    });
    await assert.rejects(client.listUsers(), /the vault cannot write/);
    assert.equal(setup.tokenRequests(), 1);
    assert.equal(setup.ninja.knobs.log.filter((entry) => entry.path.startsWith('/v2/')).length, 0, 'no API call with the unstored token');
    assert.equal((await storedRow(setup)).refreshToken, setup.firstRefreshToken, 'nothing half-written');
  });
});
