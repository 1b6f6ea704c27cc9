import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { catalogue } from './catalogue.ts';
import { recordLabel, sourceUser, withSyncTime } from './source-record.ts';

describe('source records', () => {
  test('a source user stamped with the run start has the 19 catalogue keys, in the catalogue order', () => {
    const record = withSyncTime(sourceUser({ id: 7, email: 'ada@example.com' }), new Date('2026-11-27T02:00:00Z'));
    assert.deepEqual(
      Object.keys(record),
      catalogue.map((field) => field.key),
    );
    assert.equal(record.connectorSyncTime, '2026-11-27T02:00:00.000Z');
    assert.equal(record.email, 'ada@example.com');
    assert.equal(record.roles, null);
  });

  test('the label is the trimmed email, else the name, else user #id', () => {
    assert.equal(recordLabel(sourceUser({ id: 1, email: ' ada@example.com ', firstName: 'Ada' })), 'ada@example.com');
    assert.equal(recordLabel(sourceUser({ id: 2, email: ' ', firstName: ' Zoë ', lastName: 'Ørsted' })), 'Zoë Ørsted');
    assert.equal(recordLabel(sourceUser({ id: 3 })), 'user #3');
  });
});
