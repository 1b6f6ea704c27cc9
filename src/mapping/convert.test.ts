import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { convertRecord, convertValue } from './convert.ts';

const field = (dataType: string, extra: Record<string, unknown> = {}) => ({ name: 'f', dataType, ...extra });
const value = (v: unknown, dataType: string, extra: Record<string, unknown> = {}): unknown => {
  const result = convertValue(v, field(dataType, extra));
  return result.ok ? result.value : `FAIL ${result.message}`;
};

describe('convertValue: the one table', () => {
  test('into text: lists joined with ", ", booleans as words, numbers as digits; length and email checked', () => {
    assert.equal(value(['Help Desk', 'Admin'], 'string'), 'Help Desk, Admin');
    assert.equal(value([3, 1, null], 'string'), '3, 1');
    assert.equal(value(true, 'string'), 'true');
    assert.equal(value(42, 'string'), '42');
    assert.equal(
      value('abcdef', 'string', { length: 5 }),
      'FAIL f (string) cannot take "abcdef": the field takes at most 5 characters, this is 6',
    );
    assert.equal(value('not mail', 'email'), 'FAIL f (email) cannot take "not mail": it is not an email address');
    assert.match(String(value({ a: 1 }, 'string')), /^FAIL f \(string\) cannot take an object/);
    assert.match(String(value([{ a: 1 }], 'string')), /a list of objects cannot be written as text/);
  });

  test('into numbers, booleans, dates and dropdowns', () => {
    assert.equal(value('42', 'integer'), 42);
    assert.equal(value(4.5, 'number'), 4.5);
    assert.match(String(value(4.5, 'integer')), /not a whole number/);
    assert.match(String(value(true, 'integer')), /^FAIL f \(integer\) cannot take true: it is not a number; map a number/);
    assert.match(String(value(['1'], 'number')), /cannot take the list \["1"\]/);
    assert.equal(value('TRUE', 'boolean'), true);
    assert.match(String(value('yes', 'boolean')), /it is not true or false/);
    assert.equal(value('2026-11-27T09:30:00Z', 'datetime'), Date.UTC(2026, 10, 27, 9, 30) / 1000);
    assert.equal(value('2026-11-27T09:30:00Z', 'date'), Date.UTC(2026, 10, 27) / 1000);
    assert.equal(value(1_700_000_000, 'datetime'), 1_700_000_000);
    assert.match(String(value('2026-02-30', 'date')), /it is not a date/);
    assert.equal(value('end_user', 'dropdown', { options: ['TECHNICIAN', 'END_USER'] }), 'END_USER');
    assert.match(
      String(value('Guest', 'dropdown', { options: ['TECHNICIAN', 'END_USER'] })),
      /"Guest": it is not one of the dropdown's values \(TECHNICIAN, END_USER\)/,
    );
  });

  test('empty values clear any field; unknown types pass through', () => {
    for (const type of ['string', 'integer', 'boolean', 'date', 'dropdown']) {
      assert.equal(value(null, type), null);
      assert.equal(value([], type), null);
    }
    assert.equal(value('', 'integer'), null);
    assert.equal(value('', 'string'), '');
    assert.deepEqual(value({ x: 1 }, 'geo_point'), { x: 1 });
  });

  test('convertRecord converts the typed fields and lists every failure of the record', () => {
    const targets = new Map([
      ['a', { name: 'a', dataType: 'integer' }],
      ['b', { name: 'b', dataType: 'boolean' }],
    ]);
    assert.deepEqual(convertRecord({ a: '7', b: 'false', c: [1] }, targets), { ok: true, fields: { a: 7, b: false, c: [1] } });
    const bad = convertRecord({ a: 'x', b: 2 }, targets);
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.failures.length, 2);
  });
});
