import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { recordLabel, sourceUser, withSyncTime } from '../mapping/source-record.ts';
import { createNinjaOneSource, toSourceUser } from './source.ts';

import type { NinjaOneUser } from './types.ts';

const start = new Date('2026-11-27T02:00:00.000Z');

/** The record a run maps: the source user stamped with the run's start. */
function toSourceRecord(user: NinjaOneUser, runStartedAt: Date) {
  return withSyncTime(toSourceUser(user), runStartedAt);
}

describe('a NinjaOne user as a source record', () => {
  test('has every key of a source record (the 19 catalogue keys), absent ones as null', () => {
    const record = toSourceRecord({ id: 7 }, start);
    assert.deepEqual(Object.keys(toSourceUser({ id: 7 })).sort(), Object.keys(sourceUser({ id: 7 })).sort());
    assert.equal(Object.keys(record).length, 19);
    assert.equal(record.id, 7);
    assert.equal(record.connectorSyncTime, '2026-11-27T02:00:00.000Z');
    for (const [key, value] of Object.entries(record)) if (key !== 'id' && key !== 'connectorSyncTime') assert.equal(value, null, key);
  });

  test('explicit nulls and absent keys are the same', () => {
    const technician: NinjaOneUser = {
      id: 1,
      uid: 'u-1',
      firstName: 'Tech',
      lastName: null,
      email: null,
      phone: null,
      enabled: true,
      administrator: true,
      organizationId: null,
      userType: 'TECHNICIAN',
      invitationStatus: 'REGISTERED',
      deviceIds: null,
    };
    const record = toSourceRecord(technician, start);
    assert.equal(record.lastName, null);
    assert.equal(record.email, null);
    assert.equal(record.organizationId, null);
    assert.equal(record.deviceIds, null);
    assert.equal(record.assignedDeviceIds, null);
    assert.equal(record.administrator, true);
    assert.equal(record.userType, 'TECHNICIAN');
  });

  test('roles are null when NinjaOne was asked without includeRoles', () => {
    const { roles, ...withoutRoles } = { id: 3, roles: ['Admin'], email: 'a@example.com' };
    assert.deepEqual(toSourceRecord({ id: 3, roles }, start).roles, ['Admin']);
    assert.equal(toSourceRecord(withoutRoles, start).roles, null);
  });

  test('lists are plain copies; a lone value becomes a one-item list; bad items are dropped', () => {
    const deviceIds = [1, 2];
    const record = toSourceRecord(
      { id: 1, deviceIds, assignedDeviceIds: 5 as unknown as number[], roles: ['A', null as unknown as string] },
      start,
    );
    assert.deepEqual(record.deviceIds, [1, 2]);
    assert.notEqual(record.deviceIds, deviceIds);
    assert.deepEqual(record.assignedDeviceIds, [5]);
    assert.deepEqual(record.roles, ['A']);
    assert.deepEqual(toSourceRecord({ id: 1, deviceIds: [] }, start).deviceIds, []);
  });

  test('non-Latin names and empty strings are kept as they are', () => {
    const record = toSourceRecord({ id: 9, firstName: '山田', lastName: 'Ørsted-Łukasz', email: '' }, start);
    assert.equal(record.firstName, '山田');
    assert.equal(record.lastName, 'Ørsted-Łukasz');
    assert.equal(record.email, '');
  });

  test('connectorSyncTime is the run start, the same for every record, and follows a new run', () => {
    const a = toSourceRecord({ id: 1 }, start);
    const b = toSourceRecord({ id: 2 }, start);
    assert.equal(a.connectorSyncTime, b.connectorSyncTime);
    assert.equal(toSourceRecord({ id: 3 }, new Date('2026-11-28T02:00:00Z')).connectorSyncTime, '2026-11-28T02:00:00.000Z');
  });
});

describe('recordLabel', () => {
  test('email, else name, else user #id', () => {
    const label = (user: NinjaOneUser): string => recordLabel(toSourceUser(user));
    assert.equal(label({ id: 1, email: ' ada@example.com ', firstName: 'Ada' }), 'ada@example.com');
    assert.equal(label({ id: 2, email: '', firstName: '山田', lastName: '太郎' }), '山田 太郎');
    assert.equal(label({ id: 3, email: null, firstName: null, lastName: 'Solo' }), 'Solo');
    assert.equal(label({ id: 4 }), 'user #4');
  });
});

describe('createNinjaOneSource', () => {
  test('yields source users, passes the user type and signal on, and hands organisations and devices through', async () => {
    const asked: unknown[] = [];
    const organization = { id: 5, name: 'Acme' };
    const source = createNinjaOneSource({
      async listUsers(options) {
        asked.push(options);
        return [{ id: 1, email: 'a@example.com', roles: ['Admin'] }];
      },
      listOrganizations: async () => [organization],
      listDevices: async () => [],
    });
    const signal = new AbortController().signal;
    const [user] = await source.listUsers({ userType: 'END_USER', signal });
    assert.deepEqual(asked, [{ userType: 'END_USER', signal }]);
    assert.equal(user?.organizationId, null);
    assert.deepEqual(user?.roles, ['Admin']);
    assert.deepEqual(await source.listOrganizations(), [organization]);
  });
});
