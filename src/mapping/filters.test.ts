import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { compileFieldRule, describeRule, type FieldRule, fieldRuleProblems } from './filters.ts';

function keeps(rule: Omit<FieldRule, 'field'>, value: unknown): boolean {
  return compileFieldRule({ field: 'f', ...rule })(value);
}

describe('compileFieldRule', () => {
  test('eq / ne: booleans, numbers, text ignoring case, types never mix', () => {
    assert.equal(keeps({ op: 'eq', value: true }, true), true);
    assert.equal(keeps({ op: 'eq', value: true }, false), false);
    assert.equal(keeps({ op: 'eq', value: true }, 'true'), false);
    assert.equal(keeps({ op: 'eq', value: 5 }, 5), true);
    assert.equal(keeps({ op: 'eq', value: 5 }, '5'), false);
    assert.equal(keeps({ op: 'eq', value: 'END_USER' }, 'end_user'), true);
    assert.equal(keeps({ op: 'ne', value: 'END_USER' }, 'TECHNICIAN'), true);
    assert.equal(keeps({ op: 'eq', value: 'x' }, null), false);
    assert.equal(keeps({ op: 'ne', value: 'x' }, null), true);
  });

  test('eq null means "has no value"', () => {
    assert.equal(keeps({ op: 'eq', value: null }, null), true);
    assert.equal(keeps({ op: 'eq', value: null }, ''), true);
    assert.equal(keeps({ op: 'eq', value: null }, 'x'), false);
    assert.equal(keeps({ op: 'ne', value: null }, 'x'), true);
    assert.equal(keeps({ op: 'eq', value: '' }, null), true, 'eq "" means the same as eq null');
    assert.equal(keeps({ op: 'ne', value: '' }, ' '), false);
  });

  test('eq on a list compares the whole list', () => {
    assert.equal(keeps({ op: 'eq', value: ['Admin', 'Ops'] }, ['admin', 'ops']), true);
    assert.equal(keeps({ op: 'eq', value: ['Admin'] }, ['Admin', 'Ops']), false);
    assert.equal(keeps({ op: 'eq', value: 'Admin' }, ['Admin']), false);
  });

  test('in / nin, on single values and on lists (any item)', () => {
    assert.equal(keeps({ op: 'in', value: ['TECHNICIAN', 'END_USER'] }, 'technician'), true);
    assert.equal(keeps({ op: 'in', value: [1, 2] }, 3), false);
    assert.equal(keeps({ op: 'in', value: [1, 2] }, null), false);
    assert.equal(keeps({ op: 'nin', value: [1, 2] }, null), true);
    assert.equal(keeps({ op: 'in', value: ['Admin', 'Owner'] }, ['Ops', 'admin']), true);
    assert.equal(keeps({ op: 'nin', value: ['Admin'] }, ['Ops']), true);
    assert.equal(keeps({ op: 'nin', value: ['Admin'] }, ['Ops', 'Admin']), false);
  });

  test('contains: substring of text, membership in a list', () => {
    assert.equal(keeps({ op: 'contains', value: '@ACME.com' }, 'ada@acme.com'), true);
    assert.equal(keeps({ op: 'contains', value: 'acme' }, 'ada@example.com'), false);
    assert.equal(keeps({ op: 'contains', value: 'Admin' }, ['Ops', 'admin']), true);
    assert.equal(keeps({ op: 'contains', value: 'Adm' }, ['Admin']), false, 'membership, not substring, on a list');
    assert.equal(keeps({ op: 'contains', value: 12 }, [11, 12]), true);
    assert.equal(keeps({ op: 'contains', value: 12 }, ['12']), false);
    assert.equal(keeps({ op: 'contains', value: 'x' }, null), false);
  });

  test('startsWith / endsWith ignore case, on text and on any item of a list', () => {
    assert.equal(keeps({ op: 'startsWith', value: 'ADA' }, 'ada@example.com'), true);
    assert.equal(keeps({ op: 'endsWith', value: '@Example.com' }, 'ada@example.com'), true);
    assert.equal(keeps({ op: 'endsWith', value: '@acme.com' }, 'ada@example.com'), false);
    assert.equal(keeps({ op: 'startsWith', value: 'Adm' }, ['Ops', 'Admin']), true);
    assert.equal(keeps({ op: 'startsWith', value: 'x' }, 5), false);
  });

  test('matches: a regular expression, with /flags/ when written so', () => {
    assert.equal(keeps({ op: 'matches', value: '^[a-z]+@example\\.com$' }, 'ada@example.com'), true);
    assert.equal(keeps({ op: 'matches', value: '^ADA' }, 'ada'), false);
    assert.equal(keeps({ op: 'matches', value: '/^ADA/i' }, 'ada'), true);
    assert.equal(keeps({ op: 'matches', value: '/a/g' }, 'a') && keeps({ op: 'matches', value: '/a/g' }, 'a'), true, 'no lastIndex state');
    assert.equal(keeps({ op: 'matches', value: '^Adm' }, ['Ops', 'Admin']), true);
    assert.equal(keeps({ op: 'matches', value: '.' }, null), false);
  });

  test('gt / lt: numbers as numbers, date-times as instants', () => {
    assert.equal(keeps({ op: 'gt', value: 100 }, 101), true);
    assert.equal(keeps({ op: 'gt', value: 100 }, 100), false);
    assert.equal(keeps({ op: 'lt', value: 100 }, 9), true);
    assert.equal(keeps({ op: 'gt', value: 100 }, '101'), false);
    assert.equal(keeps({ op: 'gt', value: 100 }, null), false);
    assert.equal(keeps({ op: 'gt', value: '2026-01-01T00:00:00Z' }, '2026-01-01T00:30:00.000+00:00'), true);
    assert.equal(keeps({ op: 'lt', value: '2026-01-01T00:00:00Z' }, '2026-01-01T00:30:00+01:00'), true, 'compared as instants, not text');
  });

  test('exists / notExists: null, blank text and empty lists have no value', () => {
    for (const empty of [null, undefined, '', '  ', []]) {
      assert.equal(keeps({ op: 'exists' }, empty), false, JSON.stringify(empty));
      assert.equal(keeps({ op: 'notExists' }, empty), true, JSON.stringify(empty));
    }
    for (const present of ['x', 0, false, ['a']]) assert.equal(keeps({ op: 'exists' }, present), true, JSON.stringify(present));
  });
});

describe('describeRule', () => {
  test('reads as written', () => {
    assert.equal(describeRule({ field: 'enabled', op: 'eq', value: true }), 'enabled eq true');
    assert.equal(describeRule({ field: 'userType', op: 'in', value: ['TECHNICIAN'] }), 'userType in ["TECHNICIAN"]');
    assert.equal(describeRule({ field: 'phone', op: 'exists' }), 'phone exists');
    assert.equal(describeRule({ expr: "$contains(email, '@acme')" }), "$contains(email, '@acme')");
    assert.equal(describeRule({ expr: 'x', description: 'only Acme people' }), 'only Acme people');
  });
});

describe('fieldRuleProblems', () => {
  const problems = (rule: FieldRule, type: Parameters<typeof fieldRuleProblems>[1]): string[] =>
    fieldRuleProblems(rule, type).map((p) => `${p.key}: ${p.message}`);

  test('a value of the wrong type for the field, with the fix', () => {
    assert.match(
      problems({ field: 'enabled', op: 'eq', value: 'true' }, 'boolean').join(),
      /value: enabled is a boolean: write true or false, without quotes/,
    );
    assert.match(
      problems({ field: 'organizationId', op: 'eq', value: '5' }, 'integer').join(),
      /value: organizationId holds whole numbers/,
    );
    assert.match(problems({ field: 'phone', op: 'eq', value: 12345 }, 'string').join(), /value: phone is text: put the value in quotes/);
    assert.match(problems({ field: 'userType', op: 'eq', value: 'TECH' }, 'enum').join(), /userType is one of TECHNICIAN, END_USER/);
    assert.match(problems({ field: 'connectorSyncTime', op: 'gt', value: 'yesterday' }, 'datetime').join(), /write ISO 8601/);
    assert.match(problems({ field: 'deviceIds', op: 'contains', value: 'x' }, 'integer[]').join(), /deviceIds holds whole numbers/);
  });

  test('an operator that does not suit the field', () => {
    assert.match(
      problems({ field: 'roles', op: 'eq', value: 'Admin' }, 'string[]').join(),
      /op: roles is a list: 'eq' compares the whole list; use 'contains'/,
    );
    assert.match(problems({ field: 'enabled', op: 'contains', value: true }, 'boolean').join(), /op: 'contains' works on text and lists/);
    assert.match(problems({ field: 'email', op: 'gt', value: 'a' }, 'string').join(), /op: 'gt' compares numbers and date-times/);
    assert.match(problems({ field: 'id', op: 'startsWith', value: '1' }, 'integer').join(), /op: 'startsWith' works on text/);
  });

  test('missing, extra and badly shaped values', () => {
    assert.match(problems({ field: 'phone', op: 'exists', value: 'x' }, 'string').join(), /'exists' takes no value/);
    assert.match(problems({ field: 'phone', op: 'eq' }, 'string').join(), /'eq' needs a value/);
    assert.match(problems({ field: 'userType', op: 'in', value: 'TECHNICIAN' }, 'enum').join(), /'in' takes a list of values/);
    assert.match(problems({ field: 'email', op: 'matches', value: '(' }, 'string').join(), /not a regular expression/);
    assert.match(problems({ field: 'email', op: 'contains', value: ['a'] }, 'string').join(), /takes a single value, not a list/);
  });

  test('good rules have no problem; custom fields (unknown type) accept any scalar', () => {
    assert.deepEqual(problems({ field: 'enabled', op: 'eq', value: true }, 'boolean'), []);
    assert.deepEqual(problems({ field: 'roles', op: 'contains', value: 'Admin' }, 'string[]'), []);
    assert.deepEqual(problems({ field: 'userType', op: 'in', value: ['technician', 'END_USER'] }, 'enum'), []);
    assert.deepEqual(problems({ field: 'connectorSyncTime', op: 'lt', value: '2030-01-01' }, 'datetime'), []);
    assert.deepEqual(problems({ field: 'orgName', op: 'eq', value: 5 }, 'unknown'), []);
    assert.deepEqual(problems({ field: 'orgName', op: 'gt', value: 'm' }, 'unknown'), []);
  });
});
