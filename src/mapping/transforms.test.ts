import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { applyTransforms, TransformError, transformResult } from './transforms.ts';

describe('applyTransforms', () => {
  test('trim, lower, upper on text and on each text item of a list', () => {
    assert.equal(applyTransforms('  Ada ', ['trim']), 'Ada');
    assert.equal(applyTransforms('ÅSA@Example.COM', ['lower']), 'åsa@example.com');
    assert.equal(applyTransforms('straße', ['upper']), 'STRASSE');
    assert.deepEqual(applyTransforms([' Admin ', 'Ops', 3], ['trim', 'lower']), ['admin', 'ops', 3]);
    assert.equal(applyTransforms(true, ['lower']), true);
  });

  test('string', () => {
    assert.equal(applyTransforms(42, ['string']), '42');
    assert.equal(applyTransforms(false, ['string']), 'false');
    assert.equal(applyTransforms(['a', null, 'b'], ['string']), 'a, b');
    assert.equal(applyTransforms({ a: 1 }, ['string']), '{"a":1}');
  });

  test('number', () => {
    assert.equal(applyTransforms(' 42 ', ['number']), 42);
    assert.equal(applyTransforms('-1.5', ['number']), -1.5);
    assert.equal(applyTransforms(true, ['number']), 1);
    assert.equal(applyTransforms('  ', ['number']), null);
    assert.throws(
      () => applyTransforms('abc', ['number']),
      (e: unknown) => e instanceof TransformError && /number: "abc" is not a number/.test(e.message),
    );
    assert.throws(() => applyTransforms([1], ['number']), TransformError);
  });

  test('boolean', () => {
    for (const yes of ['true', 'YES', 'y', 'On', '1', 1, true]) assert.equal(applyTransforms(yes, ['boolean']), true, String(yes));
    for (const no of ['false', 'No', 'n', 'off', '0', 0, false]) assert.equal(applyTransforms(no, ['boolean']), false, String(no));
    assert.equal(applyTransforms('', ['boolean']), null);
    assert.throws(() => applyTransforms('maybe', ['boolean']), /boolean: "maybe" is not true or false/);
  });

  test('join a list, dropping nulls; a lone value is a one-item list', () => {
    assert.equal(applyTransforms(['Admin', 'Ops'], [{ join: ', ' }]), 'Admin, Ops');
    assert.equal(applyTransforms([1, null, 3], [{ join: ';' }]), '1;3');
    assert.equal(applyTransforms('Admin', [{ join: ', ' }]), 'Admin');
    assert.equal(applyTransforms([], [{ join: ', ' }]), null, 'an empty list joins to "", which becomes null');
  });

  test('date: iso, epoch seconds, date; epoch input in seconds or milliseconds', () => {
    const iso = '2026-01-31T02:03:04.567Z';
    assert.equal(applyTransforms(iso, [{ date: 'iso' }]), '2026-01-31T02:03:04Z');
    assert.equal(applyTransforms(iso, [{ date: 'epoch' }]), 1769824984);
    assert.equal(applyTransforms(iso, [{ date: 'date' }]), '2026-01-31');
    assert.equal(applyTransforms(1769824984, [{ date: 'iso' }]), '2026-01-31T02:03:04Z');
    assert.equal(applyTransforms(1769824984567, [{ date: 'iso' }]), '2026-01-31T02:03:04Z');
    assert.equal(applyTransforms('1769824984', [{ date: 'date' }]), '2026-01-31');
    assert.equal(applyTransforms('2026-01-31T03:00:00+01:00', [{ date: 'iso' }]), '2026-01-31T02:00:00Z');
    assert.throws(() => applyTransforms('last tuesday', [{ date: 'iso' }]), /date: "last tuesday" is not a date/);
  });

  test('null passes through every transform; an empty result becomes null', () => {
    for (const t of ['trim', 'lower', 'upper', 'string', 'number', 'boolean', { join: ',' }, { date: 'iso' }] as const)
      assert.equal(applyTransforms(null, [t]), null);
    assert.equal(applyTransforms(undefined, []), null);
    assert.equal(applyTransforms('', []), null);
    assert.equal(applyTransforms('   ', ['trim']), null);
    assert.equal(applyTransforms('   ', []), '   ', 'only an empty string is empty; add trim for blanks');
  });

  test('transforms run in the order written', () => {
    assert.equal(applyTransforms([' B ', 'a'], ['trim', { join: '|' }, 'lower']), 'b|a');
  });
});

describe('transformResult', () => {
  test('follows the type through a chain', () => {
    assert.deepEqual(transformResult('string[]', { join: ', ' }), { ok: true, type: 'string' });
    assert.deepEqual(transformResult('datetime', { date: 'epoch' }), { ok: true, type: 'integer' });
    assert.deepEqual(transformResult('string', 'number'), { ok: true, type: 'integer' });
    assert.deepEqual(transformResult('unknown', 'lower'), { ok: true, type: 'unknown' });
  });

  test('refuses a transform that cannot apply, with the fix', () => {
    const join = transformResult('boolean', { join: ', ' });
    assert.equal(join.ok, false);
    assert.match(join.ok ? '' : join.message, /works on a list, but the value is a boolean/);
    const lower = transformResult('integer', 'lower');
    assert.match(lower.ok ? '' : lower.message, /works on text/);
    const date = transformResult('string', { date: 'iso' });
    assert.match(date.ok ? '' : date.message, /works on dates/);
    const number = transformResult('datetime', 'number');
    assert.match(number.ok ? '' : number.message, /use \{ date: epoch \}/);
  });
});
