import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildDestinationIndex } from './destination-index.ts';
import { checkFuse, plannedOutcome, planUsers } from './plan.ts';

import type { MappedRecord, PlanInput, PlanItem } from './plan.ts';
import type { DestinationUser } from './ports.ts';

function rec(sourceId: string, fields: Record<string, unknown>): MappedRecord {
  return { sourceId, label: typeof fields['email'] === 'string' ? fields['email'] : `user #${sourceId}`, fields, roles: null };
}
function user(id: string, fields: Record<string, unknown>): DestinationUser {
  return { id, fields };
}
function plan(records: MappedRecord[], users: DestinationUser[], options: Partial<Omit<PlanInput, 'records' | 'destination'>> = {}) {
  const syncKeys = options.syncKeys ?? ['email'];
  return planUsers({
    records,
    syncKeys,
    preference: options.preference ?? 'create_and_update',
    updateSyncKeys: options.updateSyncKeys ?? false,
    destination: buildDestinationIndex(users, syncKeys),
    ...(options.requiredOnCreate ? { requiredOnCreate: options.requiredOnCreate } : {}),
  });
}
function only(items: readonly PlanItem[]): PlanItem {
  assert.equal(items.length, 1);
  return items[0] as PlanItem;
}

describe('planUsers', () => {
  test('creates a record nobody in Oomnitza has, writing its non-empty fields', () => {
    const item = only(plan([rec('1', { email: 'ann@acme.com', first_name: 'Ann', phone_number: null, position: '' })], []).items);
    assert.equal(item.action, 'create');
    assert.ok(item.action === 'create');
    assert.deepEqual(item.fields, { email: 'ann@acme.com', first_name: 'Ann' });
    assert.deepEqual(plannedOutcome(item).changes, [
      { field: 'email', old: null, new: 'ann@acme.com' },
      { field: 'first_name', old: null, new: 'Ann' },
    ]);
  });

  test('updates only the fields that differ, with old and new values', () => {
    const item = only(
      plan(
        [rec('1', { email: 'ann@acme.com', first_name: 'Ann', last_name: 'Lee' })],
        [user('u1', { email: 'ann@acme.com', first_name: 'Anne', last_name: 'Lee' })],
      ).items,
    );
    assert.ok(item.action === 'update');
    assert.equal(item.destinationId, 'u1');
    assert.equal(item.matchedBy, 'email');
    assert.deepEqual(item.patch, { first_name: 'Ann' });
    assert.deepEqual(item.changes, [{ field: 'first_name', old: 'Anne', new: 'Ann' }]);
  });

  test('matches key values case-insensitively and does not rewrite a case-only key difference', () => {
    const item = only(
      plan([rec('1', { email: 'ann@acme.com', first_name: 'Ann' })], [user('u1', { email: ' Ann@ACME.com', first_name: 'Ann' })]).items,
    );
    assert.equal(item.action, 'unchanged');
  });

  test('normalised comparison: null, empty and absent are alike; numbers equal numeric text; lists compare as sets', () => {
    const record = rec('1', {
      email: 'a@x.io',
      phone_number: null,
      position: '',
      address: undefined,
      role: 3,
      tags: ['b', 'a'],
      suspended: false,
      hired: '2026-01-02T00:00:00Z',
    });
    const held = user('u1', { email: 'a@x.io', position: null, role: '3', tags: ['a', 'b'], suspended: 'false', hired: 1767312000 });
    assert.equal(only(plan([record], [held]).items).action, 'unchanged');
  });

  test('a value that really changed is still seen through the normalisation', () => {
    const item = only(
      plan(
        [rec('1', { email: 'a@x.io', role: 4, tags: ['a', 'c'], phone_number: null })],
        [user('u1', { email: 'a@x.io', role: '3', tags: ['a', 'b'], phone_number: '555' })],
      ).items,
    );
    assert.ok(item.action === 'update');
    assert.deepEqual(Object.keys(item.patch).sort(), ['phone_number', 'role', 'tags']);
    assert.equal(item.patch['phone_number'], null);
  });

  test('skips a record with no value in any sync key, naming the keys', () => {
    const item = only(
      plan([rec('7', { email: '  ', employee_id: null, first_name: 'Nobody' })], [], { syncKeys: ['email', 'employee_id'] }).items,
    );
    assert.ok(item.action === 'skip');
    assert.match(item.reason, /no value in the sync keys email, employee_id/);
  });

  test('tries keys in priority order: the primary decides when it finds someone', () => {
    const users = [
      user('byEmail', { email: 'ann@acme.com', employee_id: 'E9' }),
      user('byId', { email: 'other@acme.com', employee_id: 'E1' }),
    ];
    const item = only(plan([rec('1', { email: 'ann@acme.com', employee_id: 'E1' })], users, { syncKeys: ['email', 'employee_id'] }).items);
    assert.ok(item.action === 'update' || item.action === 'unchanged');
    assert.equal(item.destinationId, 'byEmail');
    assert.equal(item.matchedBy, 'email');
  });

  test('falls back to a secondary key, writes the primary, and leaves the secondary alone by default', () => {
    const users = [user('u1', { email: 'old@acme.com', employee_id: 'e1', first_name: 'Ann' })];
    const item = only(
      plan([rec('1', { email: 'new@acme.com', employee_id: 'E1 ', first_name: 'Ann' })], users, { syncKeys: ['email', 'employee_id'] })
        .items,
    );
    assert.ok(item.action === 'update');
    assert.equal(item.matchedBy, 'employee_id');
    assert.deepEqual(item.patch, { email: 'new@acme.com' });
  });

  test('writes a secondary key on update when updateSyncKeys is on', () => {
    const users = [user('u1', { email: 'ann@acme.com', employee_id: 'E1' })];
    const item = only(
      plan([rec('1', { email: 'ann@acme.com', employee_id: 'E2' })], users, { syncKeys: ['email', 'employee_id'], updateSyncKeys: true })
        .items,
    );
    assert.ok(item.action === 'update');
    assert.deepEqual(item.patch, { employee_id: 'E2' });
    const without = only(
      plan([rec('1', { email: 'ann@acme.com', employee_id: 'E2' })], users, { syncKeys: ['email', 'employee_id'] }).items,
    );
    assert.equal(without.action, 'unchanged');
  });

  test('never clears the primary key when the source has no value for it', () => {
    const users = [user('u1', { email: 'ann@acme.com', employee_id: 'E1', first_name: 'A' })];
    const item = only(
      plan([rec('1', { email: null, employee_id: 'E1', first_name: 'Ann' })], users, { syncKeys: ['email', 'employee_id'] }).items,
    );
    assert.ok(item.action === 'update');
    assert.deepEqual(item.patch, { first_name: 'Ann' });
  });

  test('a key value held by two Oomnitza users fails the record and writes nothing for it', () => {
    const users = [user('u1', { email: 'ann@acme.com' }), user('u2', { email: 'ANN@acme.com' })];
    const item = only(plan([rec('1', { email: 'ann@acme.com', first_name: 'Ann' })], users).items);
    assert.ok(item.action === 'fail');
    assert.match(item.reason, /2 Oomnitza users have email "ann@acme.com" \(uid u1 and uid u2\)/);
  });

  test('a duplicate on the primary key fails even when a secondary key would find one user', () => {
    const users = [user('u1', { email: 'ann@acme.com', employee_id: 'E1' }), user('u2', { email: 'ann@acme.com', employee_id: 'E2' })];
    const item = only(plan([rec('1', { email: 'ann@acme.com', employee_id: 'E1' })], users, { syncKeys: ['email', 'employee_id'] }).items);
    assert.equal(item.action, 'fail');
  });

  test('two source records with the same key value both fail, naming each other; other records go on', () => {
    const p = plan([rec('1', { email: 'ann@acme.com' }), rec('2', { email: ' Ann@Acme.com' }), rec('3', { email: 'bob@acme.com' })], []);
    const [a, b, c] = p.items;
    assert.ok(a?.action === 'fail' && b?.action === 'fail');
    assert.match(a.reason, /same email "ann@acme.com" as .*Ann@Acme.com \(NinjaOne id 2\)/);
    assert.match(b.reason, /as ann@acme.com \(NinjaOne id 1\)/);
    assert.equal(c?.action, 'create');
    assert.deepEqual(p.counts, { create: 1, update: 0, unchanged: 0, skip: 0, fail: 2 });
  });

  test('a duplicate on a secondary key fails both records too', () => {
    const p = plan([rec('1', { email: 'a@x.io', employee_id: 'E1' }), rec('2', { email: 'b@x.io', employee_id: 'e1' })], [], {
      syncKeys: ['email', 'employee_id'],
    });
    assert.deepEqual(
      p.items.map((i) => i.action),
      ['fail', 'fail'],
    );
  });

  test('a value shared by many records names three and counts the rest', () => {
    const records = Array.from({ length: 6 }, (_, i) => rec(String(i), { email: 'same@x.io' }));
    const first = plan(records, []).items[0];
    assert.ok(first?.action === 'fail');
    assert.match(first.reason, /and 2 more/);
  });

  test('two source records finding the same Oomnitza user by different keys both fail', () => {
    const users = [user('u1', { email: 'ann@acme.com', employee_id: 'E1' })];
    const p = plan(
      [rec('1', { email: 'ann@acme.com', employee_id: 'E7' }), rec('2', { email: 'ann.lee@acme.com', employee_id: 'E1' })],
      users,
      { syncKeys: ['email', 'employee_id'] },
    );
    assert.deepEqual(
      p.items.map((i) => i.action),
      ['fail', 'fail'],
    );
    assert.match((p.items[0] as { reason: string }).reason, /same Oomnitza user \(uid u1\) as ann.lee@acme.com/);
  });

  test('Create only: an existing record is unchanged when equal, skipped with the reason when it differs', () => {
    const users = [user('u1', { email: 'ann@acme.com', first_name: 'Ann' }), user('u2', { email: 'bob@acme.com', first_name: 'Robert' })];
    const p = plan(
      [
        rec('1', { email: 'ann@acme.com', first_name: 'Ann' }),
        rec('2', { email: 'bob@acme.com', first_name: 'Bob' }),
        rec('3', { email: 'cy@acme.com' }),
      ],
      users,
      { preference: 'create_only' },
    );
    const [ann, bob, cy] = p.items;
    assert.equal(ann?.action, 'unchanged');
    assert.ok(bob?.action === 'skip');
    assert.match(bob.reason, /already in Oomnitza \(uid u2\) with different first_name; preference is Create only/);
    assert.equal(cy?.action, 'create');
  });

  test('Update only: a record not in Oomnitza is skipped with the reason', () => {
    const p = plan(
      [rec('1', { email: 'ann@acme.com', first_name: 'Ann' }), rec('2', { email: 'new@acme.com' })],
      [user('u1', { email: 'ann@acme.com', first_name: 'A' })],
      { preference: 'update_only' },
    );
    const [ann, fresh] = p.items;
    assert.equal(ann?.action, 'update');
    assert.ok(fresh?.action === 'skip');
    assert.equal(fresh.reason, 'not in Oomnitza and preference is Update only');
  });

  test('a record Oomnitza could not create (a required field empty) fails in the plan; updates are not affected', () => {
    const p = plan(
      [
        rec('1', { email: 'new@acme.com', username: 'new@acme.com' }),
        rec('2', { email: 'nouser@acme.com', username: '' }),
        rec('3', { email: 'ann@acme.com' }),
      ],
      [user('u1', { email: 'ann@acme.com', username: 'ann' })],
      { requiredOnCreate: ['username'] },
    );
    const [fresh, missing, existing] = p.items;
    assert.equal(fresh?.action, 'create');
    assert.ok(missing?.action === 'fail');
    assert.match(missing.reason, /Oomnitza needs username to create a user/);
    assert.equal(existing?.action, 'unchanged');
  });

  test('plannedOutcome carries the action, the destination and the changes', () => {
    const p = plan([rec('1', { email: 'a@x.io', first_name: 'A' })], [user('u1', { email: 'a@x.io', first_name: 'B' })]);
    const outcome = plannedOutcome(p.items[0] as PlanItem);
    assert.deepEqual(outcome, {
      sourceId: '1',
      label: 'a@x.io',
      kind: 'user',
      outcome: 'updated',
      reason: null,
      destinationId: 'u1',
      changes: [{ field: 'first_name', old: 'B', new: 'A' }],
    });
  });
});

describe('checkFuse', () => {
  const records = Array.from({ length: 10 }, (_, i) => rec(String(i), { email: `u${i}@x.io`, first_name: 'New' }));
  const users = Array.from({ length: 20 }, (_, i) => user(`d${i}`, { email: `u${i}@x.io`, first_name: 'Old' }));
  const p = plan(records, users);

  test('no fuse, no reason', () => {
    assert.equal(checkFuse(p, undefined, 20), null);
  });
  test('trips over maxChanges and says what to do', () => {
    const reason = checkFuse(p, { maxChanges: 9 }, 20);
    assert.match(
      reason ?? '',
      /update 10 Oomnitza users \(10 changes\), more than fuse.maxChanges 9\. Nothing was written\. Check the mapping/,
    );
    assert.equal(checkFuse(p, { maxChanges: 10 }, 20), null);
  });
  test('trips over maxShare of the destination', () => {
    assert.match(checkFuse(p, { maxShare: 0.4 }, 20) ?? '', /50% of the 20 it holds, more than fuse.maxShare 40%/);
    assert.equal(checkFuse(p, { maxShare: 0.5 }, 20), null);
  });
  test('the share does not apply to an empty destination; maxChanges still does', () => {
    const initial = plan(records, []);
    assert.equal(checkFuse(initial, { maxShare: 0.1 }, 0), null);
    assert.notEqual(checkFuse(initial, { maxShare: 0.1, maxChanges: 5 }, 0), null);
  });
  test('unchanged records do not count', () => {
    const same = plan(
      records,
      records.map((r, i) => user(`d${i}`, { ...r.fields })),
    );
    assert.equal(checkFuse(same, { maxChanges: 1, maxShare: 0.01 }, 20), null);
  });
});
