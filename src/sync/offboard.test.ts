import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildDestinationIndex } from './destination-index.ts';
import { checkOffboardingFuse, ninjaoneUidOf, offboardOutcome, planOffboarding } from './offboard.ts';
import { planUsers } from './plan.ts';

import type { MappedRecord, Plan } from './plan.ts';
import type { DestinationUser, UserLink } from './ports.ts';

function link(n: number, extra: Partial<UserLink> = {}): UserLink {
  return {
    oomnitzaUid: String(1000 + n),
    ninjaoneUid: `uid-${String(n)}`,
    ninjaoneId: String(n),
    label: `u${String(n)}@acme.example`,
    suspended: false,
    ...extra,
  };
}
function ninja(n: number, enabled: boolean | null = true) {
  return { id: n, uid: `uid-${String(n)}`, enabled };
}
const noPlan: Plan = { items: [], counts: { create: 0, update: 0, unchanged: 0, skip: 0, fail: 0 } };

/** A plan where NinjaOne user `id` (by email) matches the Oomnitza user `uid`. */
function planMatching(pairs: readonly (readonly [number, string])[]): Plan {
  const records: MappedRecord[] = pairs.map(([id]) => ({
    sourceId: String(id),
    label: `x${String(id)}`,
    fields: { email: `x${String(id)}@acme.example` },
    roles: null,
  }));
  const users: DestinationUser[] = pairs.map(([id, uid]) => ({ id: uid, fields: { email: `x${String(id)}@acme.example` } }));
  return planUsers({
    records,
    syncKeys: ['email'],
    preference: 'create_and_update',
    updateSyncKeys: false,
    destination: buildDestinationIndex(users, ['email']),
  });
}

describe('planOffboarding', () => {
  test('suspend: a linked user gone from NinjaOne or disabled is suspended, an enabled one is not', () => {
    const offboard = planOffboarding({
      policy: 'suspend',
      links: [link(1), link(2), link(3)],
      users: [ninja(1), ninja(3, false)],
      plan: noPlan,
    });
    assert.deepEqual(
      offboard.items.map((i) => [i.action, i.link.ninjaoneUid]),
      [
        ['suspend', 'uid-2'],
        ['suspend', 'uid-3'],
      ],
    );
    assert.match(offboard.items[0]?.reason ?? '', /uid-2 is no longer in NinjaOne; suspended in Oomnitza \(uid 1002\)/);
    assert.match(offboard.items[1]?.reason ?? '', /uid-3 is disabled in NinjaOne \(enabled: false\)/);
    assert.deepEqual(offboard.counts, { suspend: 2, unsuspend: 0 });
  });

  test('leave suspends nobody; only links are ever touched (an unlinked user cannot appear)', () => {
    const offboard = planOffboarding({ policy: 'leave', links: [link(1), link(2)], users: [], plan: noPlan });
    assert.deepEqual(offboard.items, []);
  });

  test('a user we suspended is unsuspended when back or enabled again, under either policy; one still gone stays', () => {
    for (const policy of ['leave', 'suspend'] as const) {
      const offboard = planOffboarding({
        policy,
        links: [link(1, { suspended: true }), link(2, { suspended: true }), link(3, { suspended: true })],
        users: [ninja(1), ninja(2, false)],
        plan: noPlan,
      });
      assert.deepEqual(
        offboard.items.map((i) => [i.action, i.link.ninjaoneUid]),
        [['unsuspend', 'uid-1']],
        policy,
      );
    }
  });

  test('an Oomnitza user matched this run by another enabled NinjaOne user is active, not suspended', () => {
    // uid-1 left NinjaOne, but NinjaOne user 9 (same person, created again) matches Oomnitza user 1001.
    const plan = planMatching([[9, '1001']]);
    const offboard = planOffboarding({
      policy: 'suspend',
      links: [link(1), link(2, { oomnitzaUid: '1002', suspended: true })],
      users: [ninja(9)],
      plan,
    });
    assert.deepEqual(offboard.items, []);
    const back = planOffboarding({ policy: 'suspend', links: [link(1, { suspended: true })], users: [ninja(9)], plan });
    assert.deepEqual(
      back.items.map((i) => i.action),
      ['unsuspend'],
    );
  });

  test('the outcome names the user, carries both ids and the suspended change', () => {
    const [item] = planOffboarding({ policy: 'suspend', links: [link(4)], users: [], plan: noPlan }).items;
    assert.ok(item);
    const outcome = offboardOutcome(item);
    assert.equal(outcome.outcome, 'suspended');
    assert.equal(outcome.label, 'u4@acme.example');
    assert.equal(outcome.sourceId, '4');
    assert.equal(outcome.sourceUid, 'uid-4');
    assert.equal(outcome.destinationId, '1004');
    assert.deepEqual(outcome.changes, [{ field: 'suspended', old: false, new: true }]);
  });

  test('a NinjaOne user without a uid is linked by its id', () => {
    assert.equal(ninjaoneUidOf({ id: 7, uid: null }), 'id:7');
    assert.equal(ninjaoneUidOf({ id: 7, uid: 'abc' }), 'abc');
  });
});

describe('checkOffboardingFuse', () => {
  const links = Array.from({ length: 10 }, (_, i) => link(i + 1));
  const users = (n: number) => Array.from({ length: n }, (_, i) => ninja(i + 1));

  test('an empty NinjaOne answer trips it, saying so and how to override', () => {
    const offboard = planOffboarding({ policy: 'suspend', links, users: [], plan: noPlan });
    const reason = checkOffboardingFuse(offboard, { policy: 'suspend' }, 0);
    assert.match(
      reason ?? '',
      /^Offboarding fuse: NinjaOne answered no users at all, so the run would suspend all 10 linked Oomnitza users/,
    );
    assert.match(reason ?? '', /Nothing was written/);
    assert.match(reason ?? '', /offboarding\.maxShare \(1 allows all\)/);
    assert.equal(checkOffboardingFuse(offboard, { policy: 'suspend', maxShare: 1 }, 0), null);
  });

  test('more than half of the managed users by default; the share and the count are configurable', () => {
    const four = planOffboarding({ policy: 'suspend', links, users: users(6), plan: noPlan });
    assert.equal(checkOffboardingFuse(four, { policy: 'suspend' }, 6), null);
    assert.match(
      checkOffboardingFuse(four, { policy: 'suspend', maxShare: 0.3 }, 6) ?? '',
      /suspend 4 of the 10 .* \(40%\), more than offboarding\.maxShare 30%/,
    );
    assert.match(checkOffboardingFuse(four, { policy: 'suspend', maxSuspensions: 3 }, 6) ?? '', /more than offboarding\.maxSuspensions 3/);
    const six = planOffboarding({ policy: 'suspend', links, users: users(4), plan: noPlan });
    assert.match(checkOffboardingFuse(six, undefined, 4) ?? '', /60%\), more than offboarding\.maxShare 50%/);
  });

  test('users already suspended do not count, and unsuspensions never trip it', () => {
    const mostlyGone = links.map((l, i) => (i < 8 ? { ...l, suspended: true } : l));
    const offboard = planOffboarding({ policy: 'suspend', links: mostlyGone, users: users(8), plan: noPlan });
    assert.deepEqual(offboard.counts, { suspend: 2, unsuspend: 8 });
    // Two of the two active links: 100%.
    assert.match(checkOffboardingFuse(offboard, undefined, 8) ?? '', /suspend 2 of the 2/);
    const back = planOffboarding({ policy: 'suspend', links: mostlyGone, users: users(10), plan: noPlan });
    assert.equal(checkOffboardingFuse(back, undefined, 10), null);
  });
});
