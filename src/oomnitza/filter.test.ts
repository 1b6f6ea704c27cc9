import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { batchInFilters, eqFilter, inFilter, lookupVariants, quoteFilterValue } from './filter.ts';

describe('Oomnitza filters', () => {
  test('quotes values with backslash escapes for quotes and backslashes only', () => {
    assert.equal(quoteFilterValue('plain'), '"plain"');
    assert.equal(quoteFilterValue('O"Brien'), '"O\\"Brien"');
    assert.equal(quoteFilterValue("O'Brien"), `"O'Brien"`);
    assert.equal(quoteFilterValue('C:\\users'), '"C:\\\\users"');
    assert.equal(quoteFilterValue('Jürgen Šťastný 山田'), '"Jürgen Šťastný 山田"');
  });

  test('builds eq and IN filters, refusing a field name that could inject', () => {
    assert.equal(eqFilter('saas_name', 'NinjaOne'), 'saas_name eq "NinjaOne"');
    assert.equal(inFilter('email', ['a@b.c', 'x"y@z.w']), 'email IN ["a@b.c","x\\"y@z.w"]');
    assert.throws(() => inFilter('email eq "x" OR email', ['a']), /not an Oomnitza field name/);
  });

  test('asks for each value as given and in lower case', () => {
    assert.deepEqual(lookupVariants(['Ada@Example.com', 'bob@x.y', 'ada@example.com']), ['Ada@Example.com', 'ada@example.com', 'bob@x.y']);
  });

  test('batches keep every encoded URL under the budget and cover every value', () => {
    const values = Array.from({ length: 500 }, (_, i) => `user.${i}+täg"q@example.com`);
    const base = new URL('https://acme.oomnitza.com/api/v3/users?fields=uid%2Cemail&sortby=uid+asc&skip=0&limit=500');
    const filters = batchInFilters('email', values, { budget: 6000, fixedLength: base.href.length });
    assert.ok(filters.length > 1);
    const covered = new Set<string>();
    for (const filter of filters) {
      const url = new URL(base);
      url.searchParams.set('filter', filter);
      assert.ok(url.href.length <= 6000, `URL of ${url.href.length} characters`);
      for (const m of filter.matchAll(/"((?:[^"\\]|\\.)*)"/g)) covered.add(m[1]!.replace(/\\(.)/g, '$1'));
    }
    for (const value of values) {
      assert.ok(covered.has(value), `missing ${value}`);
      assert.ok(covered.has(value.toLowerCase()));
    }
  });

  test('a value too long for the budget still gets its own filter', () => {
    const filters = batchInFilters('email', ['x'.repeat(8000), 'a@b.c'], { budget: 6000, fixedLength: 100 });
    assert.equal(filters.length, 2);
  });
});
