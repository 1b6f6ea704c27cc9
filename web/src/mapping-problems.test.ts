import assert from 'node:assert/strict';
import { test } from 'node:test';

import { placeProblems, problemCount } from './mapping-problems.ts';

test('each problem goes beside its field; what is not on the page is named in words, never as a path', () => {
  const placed = placeProblems(
    {
      'mapping.cost_centre': 'Oomnitza has no user field',
      'mapping.email.transform[0]': 'unknown transform',
      'customFields.broken': 'the expression does not parse',
      'filters[1].value': 'not a regular expression',
      'syncKeys.0': 'not mapped',
      'schedule.cron': 'never fires',
      mapping: 'map at least one Oomnitza field',
    },
    [0, 3],
  );
  assert.deepEqual(placed.mapping.get('cost_centre'), ['Oomnitza has no user field']);
  assert.deepEqual(placed.mapping.get('email'), ['unknown transform']);
  assert.deepEqual(placed.customFields.get('broken'), ['the expression does not parse']);
  assert.deepEqual([...placed.filters], [[3, ['not a regular expression']]], "the document's rule 1 is the page's rule 4");
  assert.deepEqual(placed.syncKeys, ['not mapped']);
  assert.deepEqual(placed.elsewhere, ['Schedule (on the Details tab): never fires', 'The mapping: map at least one Oomnitza field']);
  assert.equal(placed.count, 7);
  assert.equal(problemCount(1), '1 problem');
  assert.equal(problemCount(2), '2 problems');
});
