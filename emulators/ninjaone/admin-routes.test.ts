import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { generateWorld } from '../common/world.ts';
import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { apiGet, clientToken, getAuthorize } from './oauth-flow.test-support.ts';

type Json = Record<string, unknown>;

describe('/__admin', () => {
  let emulator: NinjaOneEmulator;
  let token: string;
  before(async () => {
    emulator = await startNinjaOneEmulator({ seed: 2, users: 30 });
    token = await clientToken(emulator.url);
  });
  after(() => emulator.close());

  const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${emulator.url}/__admin${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  };
  const users = async (): Promise<Json[]> => (await (await apiGet(emulator.url, '/v2/users', token)).json()) as Json[];

  test('knobs: PUT merges settings, refuses bad ones, and a fault it sets fires', async () => {
    const put = await admin('PUT', '/knobs', {
      latencyMs: 0,
      faults: [{ kind: 'status503', path: '/v2/devices', times: 1, retryAfterSeconds: 7 }],
    });
    assert.equal(put.status, 200);
    const settings = (await admin('GET', '/knobs')).body as Json;
    assert.deepEqual(settings.faults, [{ kind: 'status503', path: '/v2/devices', times: 1, retryAfterSeconds: 7 }]);
    const response = await apiGet(emulator.url, '/v2/devices', token);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.equal((await apiGet(emulator.url, '/v2/devices', token)).status, 200);
    const bad = await admin('PUT', '/knobs', { faults: [{ kind: 'explode' }] });
    assert.equal(bad.status, 400);
    assert.equal(((bad.body as Json).error as Json).code, 'invalid_knobs');
    assert.equal((await admin('PUT', '/knobs', { latencyMs: -1 })).status, 400);
  });

  test('the admin API is exempt from faults and from the log', async () => {
    await admin('PUT', '/knobs', { faults: [{ kind: 'status500' }] });
    try {
      assert.equal((await admin('GET', '/knobs')).status, 200);
      assert.equal((await apiGet(emulator.url, '/v2/users', token)).status, 500);
    } finally {
      assert.equal((await admin('PUT', '/knobs', { faults: [] })).status, 200);
    }
    const log = (await admin('GET', '/requests')).body as Json[];
    assert.ok(log.every((entry) => !String(entry.path).startsWith('/__admin')));
  });

  test('request log: GET lists vendor requests without raw tokens, DELETE clears it', async () => {
    assert.equal((await admin('DELETE', '/requests')).status, 204);
    await apiGet(emulator.url, '/v2/organizations?pageSize=2', token);
    const log = (await admin('GET', '/requests')).body as Json[];
    assert.equal(log.length, 1);
    assert.equal(log[0]!.path, '/v2/organizations');
    assert.equal(log[0]!.query, 'pageSize=2');
    assert.equal(log[0]!.status, 200);
    assert.match(String(log[0]!.token), /^tok_[0-9a-f]{12}$/);
    assert.ok(!JSON.stringify(log).includes(token));
  });

  test('users: POST adds, PATCH changes, DELETE removes; the API shows each change', async () => {
    const created = await admin('POST', '/users', {
      firstName: 'Nova',
      lastName: 'Admin-Made',
      email: 'nova@example.test',
      organizationId: 1,
    });
    assert.equal(created.status, 201);
    const id = (created.body as Json).id as number;
    assert.equal((await users()).find((user) => user.id === id)?.email, 'nova@example.test');
    const patched = await admin('PATCH', `/users/${id}`, { enabled: false, email: 'NOVA@EXAMPLE.TEST' });
    assert.equal(patched.status, 200);
    const served = (await users()).find((user) => user.id === id)!;
    assert.equal(served.enabled, false);
    assert.equal(served.email, 'NOVA@EXAMPLE.TEST');
    assert.equal((await admin('DELETE', `/users/${id}`)).status, 204);
    assert.equal(
      (await users()).some((user) => user.id === id),
      false,
    );
    assert.equal((await admin('DELETE', `/users/${id}`)).status, 404);
  });

  test('users: an invalid change is refused with a message naming the entry, and changes nothing', async () => {
    const count = emulator.world.users.length;
    const bad = await admin('POST', '/users', { organizationId: 999 });
    assert.equal(bad.status, 400);
    assert.match(((bad.body as Json).error as Json).message as string, /users\[\d+\] \(id \d+\): organizationId 999/);
    const wrongType = await admin('PATCH', '/users/5', { enabled: 'yes' });
    assert.equal(wrongType.status, 400);
    assert.match(((wrongType.body as Json).error as Json).message as string, /users\[4\] \(id 5\)\.enabled/);
    assert.equal(emulator.world.users.length, count);
  });

  test('world: GET returns it, PUT replaces it, a bad world is refused', async () => {
    const original = (await admin('GET', '/world')).body as Json;
    try {
      const small = generateWorld({ seed: 9, users: 7 });
      const put = await admin('PUT', '/world', small);
      assert.equal(put.status, 200);
      assert.deepEqual(put.body, {
        organizations: small.organizations.length,
        roles: small.roles.length,
        users: 7,
        devices: small.devices.length,
      });
      assert.equal((await users()).length, 7);
      const broken = { ...small, users: [{ ...small.users[0], uid: 'not-a-uuid' }] };
      const refused = await admin('PUT', '/world', broken);
      assert.equal(refused.status, 400);
      assert.match(((refused.body as Json).error as Json).message as string, /users\[0\] \(id 1\)\.uid/);
      assert.equal((await users()).length, 7);
    } finally {
      assert.equal((await admin('PUT', '/world', original)).status, 200);
    }
  });

  test('redirect URIs can be added, and authorize then accepts them', async () => {
    const uri = 'http://127.0.0.1:9/added-by-admin';
    const before = await getAuthorize(emulator.url, { response_type: 'code', client_id: 'demo-web', redirect_uri: uri });
    assert.equal(before.status, 400);
    const added = await admin('POST', '/client-apps/demo-web/redirect-uris', { uri });
    assert.equal(added.status, 200);
    assert.ok(((added.body as Json).redirectUris as string[]).includes(uri));
    assert.equal((await getAuthorize(emulator.url, { response_type: 'code', client_id: 'demo-web', redirect_uri: uri })).status, 200);
    assert.equal((await admin('POST', '/client-apps/ghost/redirect-uris', { uri })).status, 404);
    assert.equal((await admin('POST', '/client-apps/demo-web/redirect-uris', { uri: 'not a url' })).status, 400);
  });

  test('client apps are listed with the demo credentials', async () => {
    const apps = (await admin('GET', '/client-apps')).body as Json[];
    assert.deepEqual(
      apps.map((app) => [app.clientId, app.platform, app.grants]),
      [
        ['demo-web', 'web', ['authorization_code', 'refresh_token']],
        ['demo-m2m', 'api_services', ['client_credentials']],
      ],
    );
  });
});
