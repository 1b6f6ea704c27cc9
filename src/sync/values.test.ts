import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isEmptyValue, keyText, sameKey, sameValue } from './values.ts';

describe('keyText', () => {
  test('trims and lower-cases text; an empty or blank text is no key', () => {
    assert.equal(keyText('  Ann@ACME.com\t'), 'ann@acme.com');
    assert.equal(keyText('   '), null);
    assert.equal(keyText(''), null);
    assert.equal(keyText(null), null);
    assert.equal(keyText(undefined), null);
  });
  test('numbers match their text; lists and objects are no key', () => {
    assert.equal(keyText(42), '42');
    assert.equal(keyText(Number.NaN), null);
    assert.equal(keyText(['a']), null);
    assert.equal(keyText({ a: 1 }), null);
    assert.ok(sameKey(42, '42'));
    assert.ok(!sameKey('a@x.io', 'b@x.io'));
  });
});

describe('isEmptyValue', () => {
  test('null, undefined, blank text and an empty list are empty; zero and false are values', () => {
    for (const v of [null, undefined, '', ' \n', '\u00a0', []]) assert.ok(isEmptyValue(v), JSON.stringify(v));
    for (const v of [0, false, 'x', ' x', ['']]) assert.ok(!isEmptyValue(v), JSON.stringify(v));
  });
});

describe('sameValue', () => {
  test('text is compared exactly, case included, outside sync keys', () => {
    assert.ok(sameValue('Ann', 'Ann'));
    assert.ok(!sameValue('Ann', 'ann'));
    assert.ok(!sameValue('Ann', 'Ann '));
  });
  test('empty values are all alike and differ from any value', () => {
    assert.ok(sameValue(undefined, null));
    assert.ok(sameValue('', []));
    assert.ok(!sameValue(null, 0));
    assert.ok(!sameValue('', false));
  });
  test('a number equals its text; a boolean equals true/false text', () => {
    assert.ok(sameValue(3, '3'));
    assert.ok(sameValue('3.50', 3.5));
    assert.ok(!sameValue(3, '4'));
    assert.ok(sameValue(true, 'TRUE'));
    assert.ok(!sameValue(true, 'false'));
  });
  test('an ISO date equals the epoch seconds Oomnitza stores', () => {
    assert.ok(sameValue(1767312000, '2026-01-02T00:00:00Z'));
    assert.ok(sameValue(1767312000, '2026-01-02'));
    assert.ok(!sameValue(1767312001, '2026-01-02T00:00:00Z'));
  });
  test('lists compare as sets of normalised values; objects by content', () => {
    assert.ok(sameValue([1, 2, 3], ['3', '2', '1']));
    assert.ok(!sameValue([1, 2], [1, 2, 2]));
    assert.ok(sameValue({ a: 1, b: null }, { a: '1' }));
    assert.ok(!sameValue({ a: 1 }, { a: 2 }));
  });
});
