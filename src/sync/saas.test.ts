import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createMemoryDestination } from './memory-destination.test-support.ts';
import { emptyRunCounts } from './ports.ts';
import { rolesFor, SaasApplicationError, syncSaasUsers } from './saas.ts';

import type { RecordOutcome, RunReporter } from './ports.ts';
import type { SaasMember } from './saas.ts';

function reporter(): RunReporter & { outcomes: RecordOutcome[] } {
  const self = {
    outcomes: [] as RecordOutcome[],
    phase() {},
    async records(outcomes: readonly RecordOutcome[]) {
      self.outcomes.push(...outcomes);
    },
  };
  return self;
}

const users = [
  { id: 'u1', fields: { email: 'ann@x.io' } },
  { id: 'u2', fields: { email: 'bob@x.io' } },
  { id: 'u3', fields: { email: 'cy@x.io' } },
];
const members: SaasMember[] = [
  { sourceId: '1', label: 'ann@x.io', user: { state: 'present', destinationId: 'u1' }, roles: ['Technician'] },
  { sourceId: '2', label: 'bob@x.io', user: { state: 'present', destinationId: 'u2' }, roles: ['Helpdesk', 'Admin', 'Helpdesk'] },
  { sourceId: '3', label: 'cy@x.io', user: { state: 'present', destinationId: 'u3' }, roles: [] },
  {
    sourceId: '4',
    label: 'dee@x.io',
    user: { state: 'absent', reason: 'not in Oomnitza and preference is Update only' },
    roles: ['Technician'],
  },
];

describe('rolesFor', () => {
  test('each role stays its own; trimmed, de-duplicated ignoring case, sorted; none is an empty list', () => {
    assert.deepEqual(rolesFor(['Technician']), ['Technician']);
    assert.deepEqual(rolesFor(['Helpdesk', 'Admin', ' Helpdesk ', 'admin']), ['Admin', 'Helpdesk']);
    assert.deepEqual(rolesFor(['b', 'a']), rolesFor(['a', 'b']));
    assert.deepEqual(rolesFor([' ']), []);
    assert.deepEqual(rolesFor(null), []);
  });
});

describe('syncSaasUsers', () => {
  test('creates the application, assigns users in Oomnitza with their role, reports the others as skipped', async () => {
    const oomnitza = createMemoryDestination({ users });
    const r = reporter();
    const result = await syncSaasUsers(oomnitza, r, members, { dryRun: false, concurrency: 2 });

    assert.equal(result.canceled, false);
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 4, updated: 0, unchanged: 0, skipped: 1, filtered: 0, failed: 0 });
    const app = oomnitza.applications.get('NinjaOne');
    assert.ok(app !== undefined);
    assert.deepEqual(Object.fromEntries(oomnitza.assignments.get(app) ?? []), {
      u1: { roles: ['Technician'], active: true },
      u2: { roles: ['Admin', 'Helpdesk'], active: true },
      u3: { roles: [], active: true },
    });
    assert.equal(r.outcomes[0]?.label, 'SaaS application NinjaOne');
    assert.equal(r.outcomes[0]?.sourceId, null);
    const dee = r.outcomes.find((o) => o.sourceId === '4');
    assert.equal(dee?.outcome, 'skipped');
    assert.match(
      dee?.reason ?? '',
      /not assigned to NinjaOne: the user is not in Oomnitza \(not in Oomnitza and preference is Update only\)/,
    );
    assert.ok(r.outcomes.every((o) => o.kind === 'saas'));
  });

  test('a second run writes nothing; a changed role or an inactive assignment is rewritten', async () => {
    const oomnitza = createMemoryDestination({ users });
    await syncSaasUsers(oomnitza, reporter(), members, { dryRun: false, concurrency: 2 });
    oomnitza.calls.length = 0;
    const again = await syncSaasUsers(oomnitza, reporter(), members, { dryRun: false, concurrency: 2 });
    assert.deepEqual(again.counts, { ...emptyRunCounts(), created: 0, updated: 0, unchanged: 4, skipped: 1, filtered: 0, failed: 0 });
    assert.deepEqual(
      oomnitza.calls.filter((c) => c.startsWith('assign')),
      [],
    );

    const app = oomnitza.applications.get('NinjaOne') ?? '';
    oomnitza.assignments.get(app)?.set('u3', { roles: [], active: false });
    const changed = members.map((m) =>
      m.sourceId === '1' ? { ...m, roles: ['Administrator'] } : m.sourceId === '2' ? { ...m, roles: ['helpdesk', 'ADMIN'] } : m,
    );
    const r = reporter();
    const third = await syncSaasUsers(oomnitza, r, changed, { dryRun: false, concurrency: 2 });
    assert.equal(third.counts.updated, 2, 'the reordered, re-cased roles of u2 are the same roles');
    assert.deepEqual(r.outcomes.find((o) => o.sourceId === '1')?.changes, [
      { field: 'roles', old: ['Technician'], new: ['Administrator'] },
    ]);
    assert.deepEqual(r.outcomes.find((o) => o.sourceId === '3')?.changes, [{ field: 'active', old: false, new: true }]);
  });

  test('dry run: plans against the existing application and writes nothing', async () => {
    const oomnitza = createMemoryDestination({ users });
    await syncSaasUsers(oomnitza, reporter(), members.slice(0, 1), { dryRun: false, concurrency: 1 });
    oomnitza.calls.length = 0;
    const r = reporter();
    const planned: SaasMember = { sourceId: '9', label: 'new@x.io', user: { state: 'planned' }, roles: ['Technician'] };
    const result = await syncSaasUsers(oomnitza, r, [...members, planned], { dryRun: true, concurrency: 2 });
    assert.deepEqual(oomnitza.calls, ['findApplication', 'listAssignments']);
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 3, updated: 0, unchanged: 2, skipped: 1, filtered: 0, failed: 0 });
    assert.deepEqual(r.outcomes.find((o) => o.sourceId === '9')?.changes, [{ field: 'roles', old: null, new: ['Technician'] }]);
  });

  test('a refused assignment fails that user and the others go on', async () => {
    const oomnitza = createMemoryDestination({
      users,
      failWrite: (kind, fields) => (kind === 'assign' && fields['userId'] === 'u2' ? 'HTTP 422: user is archived' : null),
    });
    const r = reporter();
    const result = await syncSaasUsers(oomnitza, r, members, { dryRun: false, concurrency: 2 });
    assert.equal(result.counts.failed, 1);
    assert.equal(result.counts.created, 3);
    assert.equal(
      r.outcomes.find((o) => o.sourceId === '2')?.reason,
      'could not assign Oomnitza user uid u2 to NinjaOne: HTTP 422: user is archived',
    );
  });

  test('an application that cannot be found or created is one named error', async () => {
    const oomnitza = createMemoryDestination({ users });
    const broken = { ...oomnitza, ensureApplication: () => Promise.reject(new Error('HTTP 403: forbidden')) };
    await assert.rejects(syncSaasUsers(broken, reporter(), members, { dryRun: false, concurrency: 1 }), (error: unknown) => {
      assert.ok(error instanceof SaasApplicationError);
      assert.match(error.message, /SaaS application "NinjaOne" in Oomnitza: HTTP 403: forbidden\. Check that the Oomnitza API token/);
      return true;
    });
  });
});
