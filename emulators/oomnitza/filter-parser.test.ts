import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OomnitzaApiError } from './errors.ts';
import { compileFilter, filterFromQuery, likeToRegExp } from './filter-eval.ts';
import { filterFields, FilterSyntaxError, parseFilter, tokenizeFilter } from './filter-parser.ts';

import type { FilterSchema } from './filter-eval.ts';

describe('filter parser: well-formed filters', () => {
  test('a comparison with each word operator, keywords in any case', () => {
    for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'EQ', 'Gte']) {
      const tree = parseFilter(`role ${op} 25`);
      assert.deepEqual(tree, {
        kind: 'compare',
        field: 'role',
        position: 0,
        op: op.toLowerCase(),
        value: { type: 'number', value: 25, position: op.length + 6 },
      });
    }
  });

  test('AND binds tighter than OR; parentheses override', () => {
    const flat = parseFilter('a eq 1 OR b eq 2 AND c eq 3');
    assert.equal(flat.kind, 'or');
    assert.equal(flat.kind === 'or' && flat.right.kind, 'and');
    const grouped = parseFilter('(a eq 1 or b eq 2) and c eq 3');
    assert.equal(grouped.kind, 'and');
    assert.equal(grouped.kind === 'and' && grouped.left.kind, 'or');
  });

  test('IN with brackets or parentheses, mixed literals, and an empty list', () => {
    const brackets = parseFilter('barcode IN ["1","2", 3]');
    assert.deepEqual(brackets.kind === 'in' && brackets.values.map((v) => v.value), ['1', '2', 3]);
    const parens = parseFilter("email in ('a@x', 'b@x')");
    assert.deepEqual(parens.kind === 'in' && parens.values.map((v) => v.value), ['a@x', 'b@x']);
    const empty = parseFilter('email IN []');
    assert.deepEqual(empty.kind === 'in' && empty.values, []);
  });

  test('IS NULL, IS NOT NULL, LIKE, BETWEEN, booleans, negative and decimal numbers', () => {
    assert.deepEqual(parseFilter('barcode IS NULL'), { kind: 'null', field: 'barcode', position: 0, negated: false });
    assert.deepEqual(parseFilter('barcode is not null'), { kind: 'null', field: 'barcode', position: 0, negated: true });
    assert.deepEqual(parseFilter('barcode LIKE "A%"'), { kind: 'like', field: 'barcode', position: 0, pattern: 'A%' });
    const between = parseFilter('creation_date BETWEEN 100 AND 200');
    assert.equal(between.kind, 'between');
    const bool = parseFilter('suspended eq TRUE');
    assert.deepEqual(bool.kind === 'compare' && bool.value.value, true);
    const negative = parseFilter('score gt -1.5');
    assert.deepEqual(negative.kind === 'compare' && negative.value.value, -1.5);
  });

  test('quoting and escaping: doubled quotes, backslash before a quote or backslash, other pairs kept', () => {
    const value = (filter: string): unknown => {
      const tree = parseFilter(filter);
      return tree.kind === 'compare' ? tree.value.value : tree.kind === 'like' ? tree.pattern : null;
    };
    assert.equal(value("last_name eq 'O''Brien'"), "O'Brien");
    assert.equal(value("last_name eq 'O\\'Brien'"), "O'Brien");
    assert.equal(value('last_name eq "say ""hi"""'), 'say "hi"');
    assert.equal(value('last_name eq "it\'s"'), "it's");
    assert.equal(value("path eq 'C:\\\\temp'"), 'C:\\temp');
    assert.equal(value("name LIKE '100\\%'"), '100\\%');
    assert.equal(value("name eq 'a AND b OR (c)'"), 'a AND b OR (c)');
    assert.equal(value("name eq ''"), '');
    assert.equal(value("name eq 'Дмитрий 王'"), 'Дмитрий 王');
  });

  test('the tokenizer reports string tokens with their start position', () => {
    const tokens = tokenizeFilter("  email eq 'x'");
    assert.deepEqual(
      tokens.map((t) => [t.type, t.position]),
      [
        ['word', 2],
        ['word', 8],
        ['string', 11],
        ['end', 14],
      ],
    );
  });

  test('filterFields lists every field with its position', () => {
    assert.deepEqual(filterFields(parseFilter("a eq 1 AND (b IS NULL OR c LIKE 'x')")), [
      { field: 'a', position: 0 },
      { field: 'b', position: 12 },
      { field: 'c', position: 25 },
    ]);
  });
});

describe('filter parser: malformed filters name the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /empty/],
    ['email eq', 8, /expected a value/],
    ["email eq 'x", 9, /no closing '/],
    ['email = "x"', 6, /"=" is not an operator here; use eq/],
    ['email != "x"', 6, /"!=" is not an operator/],
    ["email equals 'x'", 6, /expected an operator after "email"/],
    ['email eq x', 9, /must be quoted/],
    ["(email eq 'x'", 13, /closing "\)"/],
    ["email eq 'x')", 12, /unexpected "\)"/],
    ["email eq 'x' email eq 'y'", 13, /join conditions with AND or OR/],
    ['email IS NOTHING', 9, /expected NULL after IS/],
    ['email IS NOT 5', 13, /expected NULL after IS NOT/],
    ['email IN "a"', 9, /IN takes a list/],
    ['email IN ["a" "b"]', 14, /expected "," or "]"/],
    ['email IN ["a",]', 14, /expected a value/],
    ['email LIKE 5', 11, /LIKE takes a quoted pattern/],
    ['email eq null', 9, /IS NULL/],
    ['AND eq 1', 0, /expected a field name/],
    ["email eq 'a' AND", 16, /expected a field name/],
    ['role BETWEEN 1 2', 15, /expected AND in BETWEEN/],
    ['email eq #', 9, /unexpected character "#"/],
    ['12abc eq 1', 0, /unexpected character "1"/],
  ];
  for (const [filter, position, message] of cases) {
    test(JSON.stringify(filter), () => {
      assert.throws(
        () => parseFilter(filter),
        (error: unknown) =>
          error instanceof FilterSyntaxError &&
          error.position === position &&
          message.test(error.message) &&
          error.message.includes(`position ${position}`),
      );
    });
  }
});

describe('filter evaluation', () => {
  const schema: FilterSchema = { email: 'text', role: 'number', suspended: 'boolean', creation_date: 'date', first_name: 'text' };
  const users = [
    { uid: 1, email: 'Ada@Example.com', role: 25, suspended: false, creation_date: 1_700_000_000, first_name: 'Ada' },
    { uid: 2, email: 'grace@example.com', role: 30, suspended: true, creation_date: 1_710_000_000, first_name: '100% Grace' },
    { uid: 3, email: null, role: 25, suspended: false, creation_date: 1_720_000_000, first_name: 'Linus_T' },
  ];
  const uids = (filter: string): number[] => {
    const match = filterFromQuery(filter, schema, 'users');
    return users.filter((u) => match(u)).map((u) => u.uid);
  };

  test('text compares case-insensitively; null never equals or differs', () => {
    assert.deepEqual(uids("email eq 'ADA@example.COM'"), [1]);
    assert.deepEqual(uids("email ne 'ada@example.com'"), [2]);
    assert.deepEqual(uids('email IS NULL'), [3]);
    assert.deepEqual(uids('email IS NOT NULL'), [1, 2]);
  });

  test('numbers, booleans and dates convert their literals', () => {
    assert.deepEqual(uids('role gt 25'), [2]);
    assert.deepEqual(uids("role eq '25'"), [1, 3]);
    assert.deepEqual(uids('role IN [30, 40]'), [2]);
    assert.deepEqual(uids('suspended eq true'), [2]);
    assert.deepEqual(uids("suspended eq 'false'"), [1, 3]);
    assert.deepEqual(uids("creation_date gte '2024-03-09T16:00:00Z'"), [2, 3]);
    assert.deepEqual(uids('creation_date lt 1710000000'), [1]);
    assert.deepEqual(uids('creation_date BETWEEN 1700000000 AND 1710000000'), [1, 2]);
  });

  test('LIKE: % and _ wildcards, escaped wildcards, case-insensitive', () => {
    assert.deepEqual(uids("email LIKE '%@EXAMPLE.com'"), [1, 2]);
    assert.deepEqual(uids("first_name LIKE '_da'"), [1]);
    assert.deepEqual(uids("first_name LIKE '100\\% %'"), [2]);
    assert.deepEqual(uids("first_name LIKE 'linus\\_%'"), [3]);
    assert.deepEqual(uids("first_name LIKE 'linus\\_'"), []);
    assert.ok(likeToRegExp('a.b(c)').test('A.B(C)'));
    assert.ok(!likeToRegExp('a.b').test('axb'));
  });

  test('AND / OR / parentheses combine', () => {
    assert.deepEqual(uids("role eq 25 AND (email IS NULL OR first_name eq 'ada')"), [1, 3]);
    assert.deepEqual(uids('role eq 25 AND email IS NULL OR suspended eq true'), [2, 3]);
  });

  test('an unknown field, a bad literal or LIKE on a number is a 400 naming the field', () => {
    const fails = (filter: string, field: string): void => {
      assert.throws(
        () => filterFromQuery(filter, schema, 'users'),
        (error: unknown) =>
          error instanceof OomnitzaApiError &&
          error.status === 400 &&
          error.details?.field === field &&
          error.message.includes(`"${field}"`),
      );
    };
    fails("colour eq 'red'", 'colour');
    fails("email eq 'x' AND Email eq 'y'", 'Email');
    fails("role eq 'many'", 'role');
    fails("suspended eq 'maybe'", 'suspended');
    fails("creation_date gt 'yesterday'", 'creation_date');
    fails("role LIKE '2%'", 'role');
  });

  test('a syntax error over the API is a 400 with the position', () => {
    assert.throws(
      () => filterFromQuery("email eq 'x' OR", schema, 'users'),
      (error: unknown) => error instanceof OomnitzaApiError && error.status === 400 && error.details?.position === 15,
    );
  });

  test('compileFilter checks fields before any record is seen', () => {
    assert.throws(() => compileFilter(parseFilter('nope IS NULL'), schema, 'users'), /unknown users field "nope"/);
  });
});
