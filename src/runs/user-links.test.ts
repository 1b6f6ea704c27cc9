import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forEachDialect } from '../../test/support/databases.ts';
import { loadIntegrationText } from '../integrations/load.ts';
import { storeRecordBatch } from './record-batches.ts';
import { createRun, startRun } from './run-store.ts';
import { listUserLinks } from './user-links.ts';

import type { AppDb } from '../db/app-database.ts';
import type { RecordOutcome } from '../sync/ports.ts';

const now = new Date('2026-12-01T09:00:00.000Z');

function outcome(n: number, outcome: RecordOutcome['outcome'], extra: Partial<RecordOutcome> = {}): RecordOutcome {
  return {
    sourceId: String(n),
    sourceUid: `uid-${String(n)}`,
    label: `u${String(n)}@acme.example`,
    kind: 'user',
    outcome,
    reason: null,
    destinationId: String(1000 + n),
    changes: [],
    ...extra,
  };
}

async function running(db: AppDb, dryRun = false): Promise<string> {
  const run = await createRun(db, { integrationId: null, integrationName: 'links.yaml', trigger: 'cli', dryRun, now });
  await startRun(db, run.id, { workerId: 'test', now });
  return run.id;
}

forEachDialect('user links', (target) => {
  test('kept from the stored outcomes: linked, re-linked, marked and unmarked; never by a dry run or a failure', async () => {
    const { db } = await target.open();
    const key = 'file:links.yaml';
    const runId = await running(db);
    await storeRecordBatch(
      db,
      runId,
      1,
      [
        outcome(1, 'created'),
        outcome(2, 'updated'),
        outcome(3, 'unchanged'),
        outcome(4, 'failed'),
        outcome(5, 'skipped'),
        outcome(6, 'created', { kind: 'saas' }),
        outcome(7, 'created', { sourceUid: undefined }),
      ],
      now,
    );
    assert.deepEqual(
      (await listUserLinks(db, key)).map((l) => [l.ninjaoneUid, l.oomnitzaUid, l.suspended]),
      [
        ['uid-1', '1001', false],
        ['uid-2', '1002', false],
        ['uid-3', '1003', false],
      ],
    );

    // Suspended, then the same Oomnitza user matched by a NinjaOne user created again: the mark moves with it.
    await storeRecordBatch(db, runId, 2, [outcome(1, 'suspended')], now);
    assert.equal((await listUserLinks(db, key)).find((l) => l.ninjaoneUid === 'uid-1')?.suspended, true);
    await storeRecordBatch(db, runId, 3, [outcome(9, 'unchanged', { destinationId: '1001' })], now);
    const moved = await listUserLinks(db, key);
    assert.deepEqual(
      moved.map((l) => [l.ninjaoneUid, l.oomnitzaUid, l.suspended]),
      [
        ['uid-2', '1002', false],
        ['uid-3', '1003', false],
        ['uid-9', '1001', true],
      ],
    );
    // A NinjaOne user now matching another Oomnitza user takes that one; the old pair is gone.
    await storeRecordBatch(
      db,
      runId,
      4,
      [outcome(2, 'updated', { destinationId: '2002' }), outcome(9, 'unsuspended', { destinationId: '1001' })],
      now,
    );
    assert.deepEqual(
      (await listUserLinks(db, key)).map((l) => [l.ninjaoneUid, l.oomnitzaUid, l.suspended]),
      [
        ['uid-2', '2002', false],
        ['uid-3', '1003', false],
        ['uid-9', '1001', false],
      ],
    );

    const dry = await running(db, true);
    await storeRecordBatch(db, dry, 1, [outcome(20, 'created'), outcome(3, 'suspended')], now);
    assert.equal((await listUserLinks(db, key)).length, 3, 'a dry run links nobody');
    assert.ok(
      (await listUserLinks(db, key)).every((l) => !l.suspended),
      'and marks nobody',
    );
  });
});

test('validate: suspended cannot be mapped beside policy suspend; the fuse share is a share', () => {
  const text = (offboarding: string, extra = '') => `name: t
source: { url: https://acme.rmmservice.com, clientId: a, clientSecret: b }
destination: { url: https://acme.oomnitza.com, apiToken: c }
syncKeys: [email]
mapping:
  email: email
${extra}offboarding: ${offboarding}
`;
  assert.ok(loadIntegrationText(text('{ policy: suspend }'), { env: {} }).ok);
  const mapped = loadIntegrationText(text('{ policy: suspend }', '  suspended: { value: false }\n'), { env: {} });
  assert.deepEqual(
    mapped.problems.map((p) => [p.path, p.line]),
    [['mapping.suspended', 7]],
  );
  assert.match(mapped.problems[0]?.message ?? '', /set by offboarding .* remove it from the mapping, or set offboarding\.policy to leave/);
  assert.ok(loadIntegrationText(text('{ policy: leave }', '  suspended: { value: false }\n'), { env: {} }).ok, 'leave does not own it');
  const share = loadIntegrationText(text('{ policy: suspend, maxShare: 50 }'), { env: {} });
  assert.deepEqual(
    share.problems.map((p) => p.path),
    ['offboarding.maxShare'],
  );
  assert.deepEqual(
    loadIntegrationText(text('{ policy: delete }'), { env: {} }).problems.map((p) => p.path),
    ['offboarding.policy'],
  );
});
