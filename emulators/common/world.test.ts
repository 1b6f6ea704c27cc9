import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { awkwardUserIds, generateWorld, loadWorld, loadWorldFile, WorldValidationError } from './world.ts';

describe('generateWorld', () => {
  test('is deterministic: the same seed gives the same world, ids and uids included', () => {
    assert.deepEqual(generateWorld({ seed: 42, users: 60 }), generateWorld({ seed: 42, users: 60 }));
    assert.notDeepEqual(generateWorld({ seed: 42, users: 60 }).users, generateWorld({ seed: 43, users: 60 }).users);
  });

  test('ids are 1..n in order and uids are unique UUIDs', () => {
    const world = generateWorld({ seed: 1, users: 50 });
    assert.deepEqual(
      world.users.map((user) => user.id),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      world.devices.map((device) => device.id),
      Array.from({ length: world.devices.length }, (_, i) => i + 1),
    );
    const uids = [...world.users, ...world.devices].map((entry) => entry.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.ok(uids.every((uid) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uid)));
  });

  test('has technicians and end users, organisations and devices that link up', () => {
    const world = generateWorld({ seed: 1, users: 40 });
    const technicians = world.users.filter((user) => user.userType === 'TECHNICIAN');
    assert.ok(technicians.length >= 2);
    assert.ok(technicians.every((user) => user.organizationId === null));
    assert.ok(
      world.users
        .filter((user) => user.userType === 'END_USER')
        .every((user) => world.organizations.some((org) => org.id === user.organizationId)),
    );
    const uids = new Set(world.users.map((user) => user.uid));
    assert.ok(world.devices.some((device) => device.assignedOwnerUid !== null));
    assert.ok(world.devices.every((device) => device.assignedOwnerUid === null || uids.has(device.assignedOwnerUid)));
    loadWorld(world); // the links check passes
  });

  test('carries every awkward case of a real tenant', () => {
    const world = generateWorld({ seed: 1, users: 40 });
    const awkward = awkwardUserIds(world);
    for (const [name, ids] of Object.entries(awkward) as Array<[string, number[]]>) assert.ok(ids.length > 0, `no user with ${name}`);
    const byId = new Map(world.users.map((user) => [user.id, user]));
    const names = awkward.nonLatinName.map((id) => `${byId.get(id)!.firstName} ${byId.get(id)!.lastName}`);
    assert.ok(
      names.some((name) => name.includes('Ελένη')) &&
        names.some((name) => name.includes('王')) &&
        names.some((name) => name.includes('Łukasz')),
    );
    // The same email twice exactly, and once more in another case.
    const duplicated = awkward.duplicateEmail.map((id) => byId.get(id)!.email);
    assert.equal(new Set(duplicated).size, 1);
    assert.ok(
      awkward.duplicateEmailOtherCase.some(
        (id) => byId.get(id)!.email !== duplicated[0] && byId.get(id)!.email!.toLowerCase() === duplicated[0]!.toLowerCase(),
      ),
    );
    assert.ok(awkward.administrator.every((id) => byId.get(id)!.userType === 'TECHNICIAN'));
    assert.ok(awkward.noDevices.some((id) => byId.get(id)!.userType === 'END_USER'));
  });

  test('the awkward cases sit at the same ids for every seed', () => {
    const a = awkwardUserIds(generateWorld({ seed: 1, users: 40 }));
    const b = awkwardUserIds(generateWorld({ seed: 99, users: 40 }));
    for (const name of [
      'noEmail',
      'upperCaseEmail',
      'nonLatinName',
      'surroundingSpaces',
      'pendingInvitation',
      'expiredInvitation',
      'administrator',
    ] as const)
      assert.deepEqual(a[name], b[name], name);
  });

  test('builds 10,000+ users with unique ids and uids', () => {
    const world = generateWorld({ seed: 7, users: 12_000 });
    assert.equal(world.users.length, 12_000);
    assert.equal(new Set(world.users.map((user) => user.uid)).size, 12_000);
    assert.ok(world.organizations.length >= 500);
    loadWorld(world);
  });

  test('tiny worlds work too', () => {
    assert.equal(generateWorld({ users: 0 }).users.length, 0);
    assert.equal(loadWorld(generateWorld({ users: 1 })).users.length, 1);
  });
});

describe('loadWorld', () => {
  const world = () => generateWorld({ seed: 3, users: 20 });

  test('accepts a generated world as JSON text and as a value', () => {
    const original = world();
    assert.deepEqual(loadWorld(JSON.stringify(original)), original);
    assert.deepEqual(loadWorld(original), original);
  });

  const refusals: Array<[string, (w: ReturnType<typeof generateWorld>) => unknown, RegExp]> = [
    [
      'a wrong type, naming the entry and field',
      (w) => {
        (w.users[3] as unknown as Record<string, unknown>).email = 42;
        return w;
      },
      /users\[3\] \(id 4\)\.email/,
    ],
    [
      'an unknown key',
      (w) => {
        (w.users[0] as unknown as Record<string, unknown>).nickname = 'x';
        return w;
      },
      /users\[0\] \(id 1\)/,
    ],
    [
      'a missing field',
      (w) => {
        delete (w.devices[2] as unknown as Record<string, unknown>).uid;
        return w;
      },
      /devices\[2\] \(id 3\)\.uid/,
    ],
    [
      'a repeated id',
      (w) => {
        w.users[5]!.id = w.users[4]!.id;
        return w;
      },
      /users\[5\] repeats id 5/,
    ],
    [
      'an end user in no organisation',
      (w) => {
        w.users[10]!.organizationId = 77;
        return w;
      },
      /users\[10\] \(id 11\): organizationId 77 is not an organization id/,
    ],
    [
      'a role of the wrong type',
      (w) => {
        w.users[0]!.roleIds = [w.roles.find((role) => role.type === 'END_USER')!.id];
        return w;
      },
      /users\[0\] \(id 1\): role \d+ .* is a END_USER role/,
    ],
    [
      'a device owned by nobody known',
      (w) => {
        w.devices[0]!.assignedOwnerUid = '00000000-0000-4000-8000-000000000000';
        return w;
      },
      /devices\[0\] \(id 1\): assignedOwnerUid/,
    ],
    ['not a world at all', () => [], /top level/],
  ];
  for (const [name, mutate, message] of refusals) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => loadWorld(mutate(world())),
        (error: unknown) => error instanceof WorldValidationError && message.test(error.message),
      );
    });
  }

  test('refuses text that is not JSON', () => {
    assert.throws(() => loadWorld('{"users": ['), /world is not valid JSON/);
  });

  test('loadWorldFile reads a file and names it in errors', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'world-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify(world()));
    assert.equal((await loadWorldFile(good)).users.length, 20);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...world(), roles: 'none' }));
    await assert.rejects(
      loadWorldFile(bad),
      (error: unknown) => error instanceof WorldValidationError && error.message.startsWith(`${bad}: roles`),
    );
  });
});
