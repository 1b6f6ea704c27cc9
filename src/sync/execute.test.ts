import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';

import { buildDestinationIndex } from './destination-index.ts';
import { canceledReason, executePlan } from './execute.ts';
import { createMemoryDestination } from './memory-destination.test-support.ts';
import { planUsers } from './plan.ts';
import { emptyRunCounts } from './ports.ts';

import type { MappedRecord } from './plan.ts';
import type { DestinationUser, RecordOutcome, RunPhase, RunReporter } from './ports.ts';

function recordingReporter(): RunReporter & { outcomes: RecordOutcome[]; batches: number; phases: RunPhase[] } {
  const self = {
    outcomes: [] as RecordOutcome[],
    batches: 0,
    phases: [] as RunPhase[],
    phase(phase: RunPhase) {
      self.phases.push(phase);
    },
    async records(outcomes: readonly RecordOutcome[]) {
      self.batches += 1;
      self.outcomes.push(...outcomes);
    },
  };
  return self;
}

function records(n: number, from = 0): MappedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    sourceId: String(from + i),
    label: `u${from + i}@x.io`,
    fields: { email: `u${from + i}@x.io`, first_name: `First ${from + i}` },
    roles: null,
  }));
}

function planFor(recs: MappedRecord[], users: DestinationUser[]) {
  return planUsers({
    records: recs,
    syncKeys: ['email'],
    preference: 'create_and_update',
    updateSyncKeys: false,
    destination: buildDestinationIndex(users, ['email']),
  });
}

describe('executePlan', () => {
  test('creates and updates through the destination, reports every record, and knows the new ids', async () => {
    const existing = [
      { id: 'u1', fields: { email: 'u1@x.io', first_name: 'Old' } },
      { id: 'u2', fields: { email: 'u2@x.io', first_name: 'First 2' } },
    ];
    const oomnitza = createMemoryDestination({ users: existing });
    const reporter = recordingReporter();
    const result = await executePlan(oomnitza, reporter, planFor(records(4), existing), { concurrency: 2, reportBatchSize: 2 });

    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 2, updated: 1, unchanged: 1, skipped: 0, filtered: 0, failed: 0 });
    assert.equal(result.canceled, false);
    assert.equal(reporter.outcomes.length, 4);
    assert.ok(reporter.batches >= 2, 'outcomes are reported in batches');
    assert.equal(oomnitza.users.get('u1')?.['first_name'], 'First 1');
    const created = reporter.outcomes.filter((o) => o.outcome === 'created');
    assert.equal(created.length, 2);
    for (const o of created) {
      assert.ok(o.destinationId !== null && oomnitza.users.has(o.destinationId));
      assert.equal(result.placements.get(o.sourceId ?? '')?.destinationId, o.destinationId);
    }
    assert.equal(result.placements.get('2')?.destinationId, 'u2');
    assert.deepEqual(
      oomnitza.calls.filter((c) => c.startsWith('update')),
      ['update:u1'],
      'the unchanged record costs no write',
    );
  });

  test('keeps exactly `concurrency` writes in flight, no more', async () => {
    const oomnitza = createMemoryDestination({ gate: () => tick() });
    await executePlan(oomnitza, recordingReporter(), planFor(records(20), []), { concurrency: 4 });
    assert.equal(oomnitza.maxInFlight, 4);
    assert.equal(oomnitza.users.size, 20);
  });

  test('a refused write fails that record with the reason, and the run goes on', async () => {
    const oomnitza = createMemoryDestination({
      failWrite: (kind, fields) => (kind === 'create' && fields['email'] === 'u3@x.io' ? 'HTTP 400: email is not valid' : null),
    });
    const reporter = recordingReporter();
    const result = await executePlan(oomnitza, reporter, planFor(records(6), []), { concurrency: 3 });
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 5, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
    const failed = reporter.outcomes.find((o) => o.outcome === 'failed');
    assert.equal(failed?.sourceId, '3');
    assert.equal(failed?.reason, 'could not create the user in Oomnitza: HTTP 400: email is not valid');
    assert.equal(result.placements.get('3')?.destinationId, null);
  });

  test('a failed update still places the record on its Oomnitza user', async () => {
    const existing = [{ id: 'u0', fields: { email: 'u0@x.io', first_name: 'Old' } }];
    const oomnitza = createMemoryDestination({ users: existing, failWrite: (kind) => (kind === 'update' ? 'HTTP 500' : null) });
    const result = await executePlan(oomnitza, recordingReporter(), planFor(records(1), existing), { concurrency: 1 });
    assert.equal(result.counts.failed, 1);
    assert.equal(result.placements.get('0')?.destinationId, 'u0');
  });

  test('cancel: no new write starts, writes in flight finish, the rest are reported as not written', async () => {
    const controller = new AbortController();
    let started = 0;
    const oomnitza = createMemoryDestination({
      gate: async () => {
        started += 1;
        if (started === 5) controller.abort();
        await tick();
      },
    });
    const reporter = recordingReporter();
    const result = await executePlan(oomnitza, reporter, planFor(records(30), []), { concurrency: 3, signal: controller.signal });

    assert.equal(result.canceled, true);
    const written = oomnitza.users.size;
    assert.equal(written, 5, 'the writes started before the cancel finish; none starts after it');
    assert.equal(result.counts.created, written);
    assert.equal(result.counts.skipped, 30 - written);
    assert.equal(reporter.outcomes.length, 30);
    const skipped = reporter.outcomes.filter((o) => o.outcome === 'skipped');
    assert.ok(skipped.every((o) => o.reason === canceledReason && o.destinationId === null));
  });

  test('a reporter that cannot store outcomes stops the writes and the error surfaces', async () => {
    const oomnitza = createMemoryDestination({ gate: () => tick() });
    let calls = 0;
    const reporter: RunReporter = {
      phase() {},
      async records() {
        calls += 1;
        if (calls >= 2) throw new Error('database is locked');
      },
    };
    await assert.rejects(
      executePlan(oomnitza, reporter, planFor(records(50), []), { concurrency: 2, reportBatchSize: 5 }),
      /database is locked/,
    );
    assert.ok(oomnitza.users.size < 50, 'writing stopped once the report failed');
  });

  test('a plan with nothing to write reports every record and makes no write', async () => {
    const existing = records(3).map((r, i) => ({ id: `d${i}`, fields: { ...r.fields } }));
    const oomnitza = createMemoryDestination({ users: existing });
    const reporter = recordingReporter();
    const result = await executePlan(oomnitza, reporter, planFor(records(3), existing), { concurrency: 8 });
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 0, updated: 0, unchanged: 3, skipped: 0, filtered: 0, failed: 0 });
    assert.deepEqual(oomnitza.calls, []);
  });
});
