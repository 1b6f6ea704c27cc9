import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InsertQueryNode } from 'kysely';

import { forEachDialect } from '../../test/support/databases.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { listRunRecords, recordsPerInsert } from './run-records.ts';
import { createRunReporter } from './run-reporter.ts';
import { createRun, getRun, startRun } from './run-store.ts';

import type { KyselyPlugin } from 'kysely';
import type { RecordOutcome, RecordOutcomeKind } from '../sync/ports.ts';

/** Counts INSERT statements, to check that outcomes are written in batches. */
function insertCounter(): { plugin: KyselyPlugin; inserts: () => number } {
  let inserts = 0;
  return {
    plugin: {
      transformQuery: (args) => {
        if (InsertQueryNode.is(args.node)) inserts += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
    inserts: () => inserts,
  };
}

const kinds: readonly RecordOutcomeKind[] = ['created', 'updated', 'unchanged', 'skipped', 'failed'];

function outcome(i: number, overrides: Partial<RecordOutcome> = {}): RecordOutcome {
  const kind = kinds[i % kinds.length] ?? 'created';
  return {
    sourceId: String(i),
    label: `user${String(i)}@acme.example`,
    kind: 'user',
    outcome: kind,
    reason:
      kind === 'failed'
        ? `Oomnitza refused user${String(i)}: email is not valid`
        : kind === 'skipped'
          ? 'no value in any sync key (email)'
          : null,
    destinationId: kind === 'created' || kind === 'updated' ? `u-${String(i)}` : null,
    changes: kind === 'updated' ? [{ field: 'phone', old: null, new: `+49 ${String(i)}` }] : [],
    ...overrides,
  };
}

forEachDialect('run reporter', (target) => {
  test('10,000 outcomes land in a handful of inserts, with every row and the counts on the run', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'bulk', trigger: 'cli' });
    await startRun(db, run.id);
    const counter = insertCounter();
    const reporter = createRunReporter(db.withPlugin(counter.plugin), run.id);
    const outcomes = Array.from({ length: 10_000 }, (_, i) => outcome(i));
    await reporter.records(outcomes);

    assert.equal(counter.inserts(), Math.ceil(10_000 / recordsPerInsert));
    assert.ok(counter.inserts() <= 5, `${String(counter.inserts())} inserts`);
    const stored = await db
      .selectFrom('run_records')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 10_000);
    const expected = { ...emptyRunCounts(), created: 2000, updated: 2000, unchanged: 2000, skipped: 2000, filtered: 0, failed: 2000 };
    assert.deepEqual(reporter.counts(), expected);
    assert.deepEqual((await getRun(db, run.id))?.counts, expected);
    const last = await listRunRecords(db, run.id, { limit: 1, offset: 9_999 });
    assert.equal(last.records[0]?.seq, 10_000);
    assert.equal(last.records[0]?.sourceId, '9999');
  });

  test('batches add up, SaaS outcomes count apart, and a second reporter continues the sequence', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'saas', trigger: 'cli' });
    const reporter = createRunReporter(db, run.id);
    await reporter.records([outcome(0), outcome(1)]);
    await reporter.records([]);
    await reporter.records([
      outcome(2, { kind: 'saas', outcome: 'created', sourceId: null, label: 'NinjaOne (SaaS application)' }),
      outcome(3, { kind: 'saas', outcome: 'failed', reason: 'user not in Oomnitza yet' }),
    ]);
    assert.deepEqual(reporter.counts(), { ...emptyRunCounts(), created: 1, updated: 1, unchanged: 0, skipped: 0, filtered: 0, failed: 0 });
    assert.deepEqual(reporter.saasCounts(), {
      ...emptyRunCounts(),
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      filtered: 0,
      failed: 1,
    });

    const resumed = createRunReporter(db, run.id);
    await resumed.records([outcome(4)]);
    assert.deepEqual(resumed.counts(), { ...emptyRunCounts(), created: 1, updated: 1, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
    const { records, total } = await listRunRecords(db, run.id, { limit: 10, offset: 0 });
    assert.equal(total, 5);
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      records.map((r) => r.kind),
      ['user', 'user', 'saas', 'saas', 'user'],
    );
    const run2 = await getRun(db, run.id);
    assert.deepEqual(run2?.saasCounts, { ...emptyRunCounts(), created: 1, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
  });

  test('phase() is stored in order with records, and a failed write surfaces on flush', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'phases', trigger: 'cli' });
    const reporter = createRunReporter(db, run.id);
    reporter.phase('fetching');
    reporter.phase('writing', 120);
    await reporter.flush();
    const stored = await getRun(db, run.id);
    assert.equal(stored?.phase, 'writing');
    assert.equal(stored?.phaseTotal, 120);

    const orphan = createRunReporter(db, 'no-such-run');
    // A record of a run that does not exist breaks the foreign key: the write fails, loudly.
    await assert.rejects(orphan.records([outcome(0)]));
    await assert.rejects(orphan.flush());
  });

  test('changes survive the JSON round trip, including values JSON cannot hold', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'json', trigger: 'cli' });
    const reporter = createRunReporter(db, run.id);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const changes = [
      { field: 'first_name', old: 'Zoë', new: 'Zoé' },
      { field: 'roles', old: ['a', 'b'], new: { nested: [1, true, null, 'x"y\\z'] } },
      { field: 'phone', old: undefined, new: '' },
    ];
    await reporter.records([
      outcome(1, { outcome: 'updated', changes }),
      outcome(2, { outcome: 'updated', changes: [{ field: 'big', old: 1n, new: cyclic }] }),
    ]);
    const { records } = await listRunRecords(db, run.id, { limit: 10, offset: 0 });
    assert.deepEqual(records[0]?.changes, [
      { field: 'first_name', old: 'Zoë', new: 'Zoé' },
      { field: 'roles', old: ['a', 'b'], new: { nested: [1, true, null, 'x"y\\z'] } },
      { field: 'phone', old: null, new: '' },
    ]);
    assert.deepEqual(records[1]?.changes, [{ field: 'big', old: '1', new: '[value that cannot be shown]' }]);
    assert.equal(records.length, 2);
  });
});
