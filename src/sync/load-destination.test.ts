import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadDestination } from './load-destination.ts';
import { createMemoryDestination } from './memory-destination.test-support.ts';
import { planUsers } from './plan.ts';

import type { MappedRecord } from './plan.ts';
import type { DestinationUser } from './ports.ts';

function people(n: number, from = 0): DestinationUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `d${from + i}`,
    fields: { email: `u${from + i}@x.io`, employee_id: `E${from + i}`, first_name: 'Old' },
  }));
}
function records(
  n: number,
  from = 0,
  fields: (i: number) => Record<string, unknown> = (i) => ({ email: `U${i}@x.io`, first_name: 'New' }),
): MappedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    sourceId: String(from + i),
    label: `u${from + i}`,
    fields: fields(from + i),
    roles: null,
  }));
}

describe('loadDestination', () => {
  test('an empty destination costs the count alone', async () => {
    const oomnitza = createMemoryDestination();
    const loaded = await loadDestination(oomnitza, { records: records(500), syncKeys: ['email'], fields: ['email', 'first_name'] });
    assert.equal(loaded.strategy, 'empty');
    assert.equal(loaded.destinationCount, 0);
    assert.deepEqual(oomnitza.calls, ['count']);
  });

  test('scans when the destination is about the size of the source: one request per page', async () => {
    const oomnitza = createMemoryDestination({ users: people(250), listPageSize: 100, findBatchSize: 50 });
    const loaded = await loadDestination(oomnitza, { records: records(250), syncKeys: ['email'], fields: ['email', 'first_name'] });
    assert.equal(loaded.strategy, 'scan');
    assert.deepEqual(oomnitza.calls, ['count', 'list', 'list', 'list']);
    assert.equal(loaded.index.size, 250);
    assert.equal(loaded.index.lookup('email', 'u7@x.io')[0]?.id, 'd7');
  });

  test('finds by key values when the source is small against a large destination', async () => {
    const oomnitza = createMemoryDestination({ users: people(5000), listPageSize: 100, findBatchSize: 50 });
    const loaded = await loadDestination(oomnitza, { records: records(60), syncKeys: ['email'], fields: ['email', 'first_name'] });
    assert.equal(loaded.strategy, 'find');
    assert.equal(loaded.destinationCount, 5000);
    assert.deepEqual(oomnitza.calls, ['count', 'find:email', 'find:email']);
    assert.equal(loaded.index.size, 60);
  });

  test('asks a secondary key only for the records the primary found nobody for', async () => {
    const oomnitza = createMemoryDestination({ users: people(5000), listPageSize: 100, findBatchSize: 50 });
    // 10 records found by email; 10 more by employee_id only (their email is new).
    const recs = [
      ...records(10, 0, (i) => ({ email: `u${i}@x.io`, employee_id: `E${i}` })),
      ...records(10, 100, (i) => ({ email: `new${i}@x.io`, employee_id: `e${i}` })),
    ];
    const loaded = await loadDestination(oomnitza, { records: recs, syncKeys: ['email', 'employee_id'], fields: ['email'] });
    assert.equal(loaded.strategy, 'find');
    assert.deepEqual(oomnitza.calls, ['count', 'find:email', 'find:employee_id']);
    assert.equal(loaded.index.size, 20);
  });

  test('both ways give the same plan', async () => {
    const users = [...people(300), { id: 'dup', fields: { email: 'U5@x.io', employee_id: 'X', first_name: 'Old' } }];
    const recs = [...records(40), ...records(5, 9000)];
    const plans = [];
    for (const listPageSize of [1000, 1]) {
      const oomnitza = createMemoryDestination({ users, listPageSize, findBatchSize: 50 });
      const loaded = await loadDestination(oomnitza, { records: recs, syncKeys: ['email'], fields: ['email', 'first_name'] });
      plans.push({
        strategy: loaded.strategy,
        plan: planUsers({
          records: recs,
          syncKeys: ['email'],
          preference: 'create_and_update',
          updateSyncKeys: false,
          destination: loaded.index,
        }),
      });
    }
    assert.deepEqual(
      plans.map((p) => p.strategy),
      ['scan', 'find'],
    );
    assert.deepEqual(plans[0]?.plan, plans[1]?.plan);
    assert.deepEqual(plans[0]?.plan.counts, { create: 5, update: 39, unchanged: 0, skip: 0, fail: 1 });
  });
});
