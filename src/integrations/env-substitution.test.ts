import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { escapeReferences, hasReference, substituteEnv } from './env-substitution.ts';

describe('substituteEnv', () => {
  test('replaces every reference and names each variable used', () => {
    const result = substituteEnv('${A}-${B:-b}-${A}', { A: 'a' });
    assert.equal(result.value, 'a-b-a');
    assert.deepEqual(result.used, ['A', 'B', 'A']);
    assert.deepEqual(result.missing, []);
    assert.equal(result.whole, false);
  });

  test('an unset variable without a default is missing; an empty one with a default takes the default', () => {
    assert.deepEqual(substituteEnv('x${NOPE}y', {}).missing, ['NOPE']);
    assert.equal(substituteEnv('${EMPTY:-fallback}', { EMPTY: '' }).value, 'fallback');
    assert.equal(substituteEnv('${EMPTY}', { EMPTY: '' }).value, '');
    assert.deepEqual(substituteEnv('${EMPTY}', { EMPTY: '' }).missing, []);
  });

  test('$${ is a literal ${, and what looks like a reference inside it stays text', () => {
    const result = substituteEnv('$${HOME} and ${X}', { X: 'x', HOME: '/root' });
    assert.equal(result.value, '${HOME} and x');
    assert.deepEqual(result.used, ['X']);
  });

  test('a value is never substituted twice (a value holding ${...} stays as it is)', () => {
    assert.equal(substituteEnv('${A}', { A: '${B}', B: 'no' }).value, '${B}');
  });

  test('whole is true only for exactly one reference', () => {
    assert.equal(substituteEnv('${A}', { A: '1' }).whole, true);
    assert.equal(substituteEnv('${A:-1}', {}).whole, true);
    assert.equal(substituteEnv(' ${A}', { A: '1' }).whole, false);
  });

  test('text without a reference, JSONata with $ functions, and a lone $ are left alone', () => {
    for (const text of ["$trim(firstName & ' ' & lastName)", 'cost $5', '${not a name}']) {
      assert.equal(substituteEnv(text, {}).value, text);
      assert.equal(hasReference(text), false);
    }
  });

  test('escapeReferences round-trips through substitution', () => {
    for (const text of ['${A}', 'a $${b} ${c:-d}', '$$${x}'])
      assert.equal(substituteEnv(escapeReferences(text), { A: 'no', c: 'no', x: 'no' }).value, text);
  });
});
