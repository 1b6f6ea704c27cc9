import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { insertRunRecords, listRunRecords } from './run-records.ts';
import { createRun } from './run-store.ts';

import type { RecordOutcome, RecordOutcomeKind } from '../sync/ports.ts';

const kinds: readonly RecordOutcomeKind[] = ['created', 'updated', 'unchanged', 'skipped', 'failed'];

function outcome(i: number, overrides: Partial<RecordOutcome> = {}): RecordOutcome {
  return {
    sourceId: String(1000 + i),
    label: `person${String(i)}@Example.COM`,
    kind: 'user',
    outcome: kinds[i % kinds.length] ?? 'created',
    reason: null,
    destinationId: `dest-${String(i)}`,
    changes: [],
    ...overrides,
  };
}

forEachDialect('run records', (target) => {
  test('pages in reporting order with the total of the filter', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'cli' });
    const other = await createRun(db, { integrationId: null, integrationName: 'y', trigger: 'cli' });
    await insertRunRecords(
      db,
      run.id,
      1,
      Array.from({ length: 25 }, (_, i) => outcome(i)),
    );
    await insertRunRecords(db, other.id, 1, [outcome(99)]);

    const first = await listRunRecords(db, run.id, { limit: 10, offset: 0 });
    assert.equal(first.total, 25);
    assert.deepEqual(
      first.records.map((r) => r.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    const last = await listRunRecords(db, run.id, { limit: 10, offset: 20 });
    assert.deepEqual(
      last.records.map((r) => r.seq),
      [21, 22, 23, 24, 25],
    );
    assert.equal(last.total, 25);
    const beyond = await listRunRecords(db, run.id, { limit: 10, offset: 100 });
    assert.deepEqual(beyond, { records: [], total: 25 });

    const failed = await listRunRecords(db, run.id, { outcome: 'failed', limit: 2, offset: 1 });
    assert.equal(failed.total, 5);
    assert.deepEqual(
      failed.records.map((r) => r.seq),
      [10, 15],
    );
    assert.ok(failed.records.every((r) => r.outcome === 'failed'));
  });

  test('search matches label, source id, destination id and reason, ignoring case, with LIKE characters taken literally', async () => {
    const { db } = await target.open();
    const run = await createRun(db, { integrationId: null, integrationName: 'x', trigger: 'cli' });
    await insertRunRecords(db, run.id, 1, [
      outcome(0, { label: 'Ada.Lovelace@Acme.example' }),
      outcome(1, { label: 'grace@acme.example', reason: 'two Oomnitza users have this EMAIL', outcome: 'failed' }),
      outcome(2, { label: '100%_sure@acme.example', sourceId: '42' }),
      outcome(3, { label: '100xxsure@acme.example', destinationId: 'OOM-7' }),
      outcome(4, { label: 'saas app', kind: 'saas', sourceId: null, destinationId: null }),
    ]);
    const search = async (text: string, extra: { outcome?: RecordOutcomeKind; kind?: 'user' | 'saas' } = {}) =>
      (await listRunRecords(db, run.id, { search: text, limit: 50, offset: 0, ...extra })).records.map((r) => r.seq);
    assert.deepEqual(await search('ada.lovelace'), [1]);
    assert.deepEqual(await search('ACME.EXAMPLE'), [1, 2, 3, 4]);
    assert.deepEqual(await search('email'), [2]);
    assert.deepEqual(await search('100%_'), [3]);
    assert.deepEqual(await search('42'), [3]);
    assert.deepEqual(await search('oom-7'), [4]);
    assert.deepEqual(await search('acme', { outcome: 'failed' }), [2]);
    assert.deepEqual(await search('  '), [1, 2, 3, 4, 5]);
    assert.deepEqual(await search('app', { kind: 'saas' }), [5]);
    assert.deepEqual(await search('app', { kind: 'user' }), []);
    assert.equal((await listRunRecords(db, run.id, { search: 'acme', limit: 2, offset: 0 })).total, 4);
  });
});
