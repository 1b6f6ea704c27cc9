import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { apiGet, clientToken } from './oauth-flow.test-support.ts';

type Json = Record<string, unknown>;

describe('NinjaOne API v2', () => {
  let emulator: NinjaOneEmulator;
  let token: string;
  before(async () => {
    emulator = await startNinjaOneEmulator({ seed: 5, users: 200 });
    token = await clientToken(emulator.url, 'monitoring');
  });
  after(() => emulator.close());

  const get = async (path: string): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const response = await apiGet(emulator.url, path, token);
    return { status: response.status, body: await response.json(), headers: response.headers };
  };

  test('/v2/users is one bare array of every user, each with a request id header', async () => {
    const { status, body, headers } = await get('/v2/users');
    assert.equal(status, 200);
    assert.ok(Array.isArray(body));
    assert.equal(body.length, 200);
    assert.match(headers.get('x-nj-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('technicians have organizationId null and no deviceIds; end users have both; roles only with includeRoles', async () => {
    const users = (await get('/v2/users')).body as Json[];
    const technician = users.find((user) => user.userType === 'TECHNICIAN')!;
    assert.equal(technician.organizationId, null);
    assert.equal('deviceIds' in technician, false);
    assert.equal('roles' in technician, false);
    const endUser = users.find((user) => user.userType === 'END_USER')!;
    assert.equal(typeof endUser.organizationId, 'number');
    assert.ok(Array.isArray(endUser.deviceIds) && Array.isArray(endUser.assignedDeviceIds));
    assert.deepEqual(Object.keys(endUser).slice(0, 2), ['id', 'uid']);
    const withRoles = (await get('/v2/users?includeRoles=true')).body as Json[];
    assert.ok(withRoles.every((user) => Array.isArray(user.roles)));
    assert.ok(withRoles.some((user) => (user.roles as string[]).length > 1));
  });

  test('a user without an email has no email key', async () => {
    const noEmail = emulator.world.users.find((user) => user.email === null)!;
    const users = (await get('/v2/users')).body as Json[];
    const served = users.find((user) => user.id === noEmail.id)!;
    assert.equal('email' in served, false);
  });

  test('userType filters; end-users lists one organisation', async () => {
    const technicians = (await get('/v2/users?userType=TECHNICIAN')).body as Json[];
    assert.ok(technicians.length > 0 && technicians.every((user) => user.userType === 'TECHNICIAN'));
    const endUsers = (await get('/v2/organization/2/end-users')).body as Json[];
    assert.ok(endUsers.length > 0 && endUsers.every((user) => user.userType === 'END_USER' && user.organizationId === 2));
    assert.equal(endUsers.length, emulator.world.users.filter((user) => user.organizationId === 2).length);
  });

  test('user roles list their members', async () => {
    const roles = (await get('/v2/user/roles?roleType=TECHNICIAN')).body as Json[];
    assert.ok(roles.length > 0 && roles.every((role) => role.type === 'TECHNICIAN'));
    const members = roles.flatMap((role) => role.members as Json[]);
    assert.ok(members.length > 0);
    assert.ok(members.every((member) => typeof member.id === 'number' && typeof member.name === 'string'));
  });

  for (const list of ['/v2/devices', '/v2/organizations', '/v2/locations', '/v2/organization/1/devices']) {
    test(`${list} pages by pageSize and after: ascending ids, id > after, every entry once`, async () => {
      const all = (await get(list)).body as Json[];
      assert.ok(all.length > 3);
      const seen: number[] = [];
      let after = 0;
      for (let pages = 0; pages < 1000; pages++) {
        const page = (await get(`${list}?pageSize=3&after=${after}`)).body as Json[];
        assert.ok(page.length <= 3);
        for (const entry of page) assert.ok((entry.id as number) > after);
        seen.push(...page.map((entry) => entry.id as number));
        if (page.length < 3) break;
        after = page[page.length - 1]!.id as number;
      }
      assert.deepEqual(
        seen,
        all.map((entry) => entry.id),
      );
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
      );
    });
  }

  test('/api/v2 answers the same as /v2', async () => {
    for (const path of ['/users?includeRoles=true', '/organizations?pageSize=2', '/devices?pageSize=5&after=3', '/user/roles']) {
      assert.deepEqual((await get(`/api/v2${path}`)).body, (await get(`/v2${path}`)).body, path);
    }
  });

  test("auth-layer errors have NinjaOne's exact bodies", async () => {
    const cases: Array<[Record<string, string>, number, Json]> = [
      [{}, 400, { error: 'missing_header', error_description: 'Missing required header', error_code: 2 }],
      [
        { authorization: 'Token abc' },
        400,
        { error: 'invalid_header', error_description: "Invalid 'Authorization' header", error_code: 1 },
      ],
      [{ authorization: 'Bearer' }, 400, { error: 'invalid_header', error_description: "Invalid 'Authorization' header", error_code: 1 }],
      [
        { authorization: 'Bearer not-a-token' },
        401,
        { error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 },
      ],
    ];
    for (const [headers, status, body] of cases) {
      const response = await fetch(`${emulator.url}/api/v2/users`, { headers });
      assert.equal(response.status, status, JSON.stringify(headers));
      assert.deepEqual(await response.json(), body);
    }
  });

  test('application-layer errors carry resultCode, errorMessage and incidentId', async () => {
    const cases: Array<[string, number, string]> = [
      ['/v2/no-such-thing', 404, 'NOT_FOUND'],
      ['/v2/organization/999/end-users', 404, 'ORGANIZATION_NOT_FOUND'],
      ['/v2/organization/abc/devices', 400, 'BAD_REQUEST'],
      ['/v2/users?userType=ADMIN', 400, 'BAD_REQUEST'],
      ['/v2/users?includeRoles=yes', 400, 'BAD_REQUEST'],
      ['/v2/devices?pageSize=0', 400, 'BAD_REQUEST'],
      ['/v2/devices?after=x', 400, 'BAD_REQUEST'],
    ];
    for (const [path, status, resultCode] of cases) {
      const { status: actual, body } = await get(path);
      assert.equal(actual, status, path);
      const error = body as Json;
      assert.equal(error.resultCode, resultCode, path);
      assert.equal(typeof error.errorMessage, 'string', path);
      assert.match(String(error.incidentId), /^WEB_MGMT_SERVICE-[0-9a-f]{2}-\d+-[A-Z]{8}$/, path);
    }
  });

  test("an injected 500 uses NinjaOne's failure body; the admin API stays reachable", async () => {
    emulator.knobs.settings.faults.push({ kind: 'status500', path: '/v2/users', times: 1 });
    const { status, body } = await get('/v2/users');
    assert.equal(status, 500);
    assert.equal((body as Json).resultCode, 'FAILURE');
    assert.equal((await get('/v2/users')).status, 200);
  });

  test('the world is live: a change shows in the next answer', async () => {
    const user = emulator.world.users.find((entry) => entry.userType === 'END_USER')!;
    const before = user.firstName;
    user.firstName = 'Changed';
    try {
      const users = (await get('/v2/users')).body as Json[];
      assert.equal(users.find((entry) => entry.id === user.id)!.firstName, 'Changed');
    } finally {
      user.firstName = before;
    }
  });
});
