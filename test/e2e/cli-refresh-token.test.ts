/**
 * `ninja-sync run` with a refresh token from the environment instead of client credentials.
 * NinjaOne rotates refresh tokens: the one in the environment works once, so the CLI keeps the
 * rotated one (sealed, in the data folder) and the next run with the same environment uses it.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { buildAuthorizeUrl, createOAuthState, createPkcePair, exchangeAuthorizationCode } from '../../src/ninjaone/oauth.ts';
import { integrationYaml, oomnitzaWrites, parseJsonOutput, runCli, startWorld, writeIntegration } from './helpers.ts';

describe('ninja-sync run with a refresh token', () => {
  test('the rotated refresh token is kept for the next run, sealed, and never printed', async (t) => {
    const world = await startWorld(t, { users: 12, autoApprove: true });
    const redirectUri = 'http://127.0.0.1:9/oauth2/redirect';
    world.ninjaone.addRedirectUri('demo-web', redirectUri);
    const origin = new URL(world.ninjaone.url);
    const pkce = await createPkcePair();
    const authorize = buildAuthorizeUrl({
      origin,
      clientId: 'demo-web',
      redirectUri,
      scopes: 'monitoring',
      state: createOAuthState(),
      codeChallenge: pkce.challenge,
    });
    const consent = await fetch(authorize, { redirect: 'manual' });
    const location = consent.headers.get('location');
    assert.ok(location, `authorize answered ${consent.status}`);
    const code = new URL(location).searchParams.get('code');
    assert.ok(code);
    const tokens = await exchangeAuthorizationCode({
      origin,
      clientId: 'demo-web',
      clientSecret: 'demo-web-secret',
      code,
      codeVerifier: pkce.verifier,
      redirectUri,
    });
    assert.ok(tokens.refreshToken);

    const text = integrationYaml().replace(
      '  clientSecret: ${NINJAONE_CLIENT_SECRET}',
      '  clientSecret: ${NINJAONE_CLIENT_SECRET}\n  refreshToken: ${NINJAONE_REFRESH_TOKEN}',
    );
    const file = await writeIntegration(world, text);
    const env = {
      ...world.env,
      NINJAONE_CLIENT_ID: 'demo-web',
      NINJAONE_CLIENT_SECRET: 'demo-web-secret',
      NINJAONE_REFRESH_TOKEN: tokens.refreshToken,
    };

    const first = await runCli(['run', '--config', file, '--json', '--data-dir', world.dataDir], { env });
    assert.notEqual(parseJsonOutput(first)['state'], 'failed', first.stdout);
    assert.ok(oomnitzaWrites(world) > 0);
    // The environment's token is spent now; the second run must use the stored successor.
    const second = await runCli(['run', '--config', file, '--json', '--data-dir', world.dataDir], { env });
    const json = parseJsonOutput(second);
    assert.notEqual(json['state'], 'failed', second.stdout);
    assert.equal((json['counts'] as Record<string, number>)['created'], 0);

    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) assert.ok(!output.includes(tokens.refreshToken));
    const stored = await readFile(join(world.dataDir, 'cli-refresh-tokens.json'), 'utf8');
    assert.ok(!stored.includes(tokens.refreshToken), 'stored sealed, not in clear');
    assert.equal((await stat(join(world.dataDir, 'cli-refresh-tokens.json'))).mode & 0o777, 0o600);
  });
});
