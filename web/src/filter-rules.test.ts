import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fromDrafts, missingPart, newDraft, operatorsFor, parseRuleValue, type RuleDraft, toDrafts } from './filter-rules.ts';

const types: Record<string, string> = { userType: 'enum', id: 'integer', phone: 'string', enabled: 'boolean', roles: 'string[]' };
const typeOf = (field: string): string | undefined => types[field];

test('a new rule is empty and applies nothing until it has a field and a value', () => {
  assert.equal(missingPart(newDraft), 'pick a field');
  const noValue: RuleDraft = { kind: 'field', field: 'phone', op: 'eq', text: ' ' };
  assert.match(missingPart(noValue) ?? '', /^type a value/);
  const { rules, draftIndex } = fromDrafts([newDraft, noValue, { kind: 'field', field: 'phone', op: 'exists', text: '' }], typeOf);
  assert.deepEqual(rules, [{ field: 'phone', op: 'exists' }]);
  assert.deepEqual(draftIndex, [2], 'rule 0 of the document is the third rule on the page');
});

test('values follow the type of their field: digits stay text in a text field, numbers in a number field', () => {
  assert.equal(parseRuleValue('eq', '0123', 'string'), '0123');
  assert.equal(parseRuleValue('eq', '42', 'integer'), 42);
  assert.equal(parseRuleValue('eq', 'true', 'boolean'), true);
  assert.deepEqual(parseRuleValue('in', 'TECHNICIAN, END_USER,', 'enum'), ['TECHNICIAN', 'END_USER']);
  assert.equal(parseRuleValue('matches', '^a ', 'string'), '^a ', 'a pattern keeps its spaces');
  assert.equal(parseRuleValue('exists', 'x', 'string'), undefined);
  // A custom field's type is unknown: the text says what it is.
  assert.equal(parseRuleValue('eq', '7', undefined), 7);
});

test('the operators fit the field', () => {
  const ops = (type: string | undefined): string[] => operatorsFor(type).map((o) => o.value);
  assert.deepEqual(ops('boolean'), ['eq', 'ne', 'exists', 'notExists']);
  assert.ok(!ops('enum').includes('matches'));
  assert.deepEqual(
    operatorsFor('datetime').map((o) => o.label),
    ['is after', 'is before', 'has a value', 'is empty'],
  );
  assert.equal(ops('string[]')[0], 'contains');
  assert.equal(ops(undefined).length, 12, 'a custom field offers every operator');
});

test('stored rules come back as they were', () => {
  const rules = [
    { field: 'userType', op: 'in' as const, value: ['END_USER', 'TECHNICIAN'] },
    { expr: 'enabled = true', description: 'enabled only' },
    { field: 'id', op: 'gt' as const, value: 3 },
  ];
  assert.deepEqual(fromDrafts(toDrafts(rules), typeOf).rules, rules);
});
