import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closestName, didYouMean } from './suggest.ts';

describe('closestName', () => {
  test('a case-only difference wins over any closer spelling', () => {
    assert.equal(closestName('firstname', ['firstNames', 'firstName']), 'firstName');
  });

  test('a small typo finds its field; something unrelated finds nothing', () => {
    assert.equal(closestName('emial', ['email', 'enabled', 'id']), 'email');
    assert.equal(closestName('organisationId', ['organizationId', 'id']), 'organizationId');
    assert.equal(closestName('zzzzzz', ['email', 'phone']), undefined);
  });

  test('didYouMean reads as a sentence, or adds nothing', () => {
    assert.equal(didYouMean('phnoe', ['phone']), " Did you mean 'phone'?");
    assert.equal(didYouMean('qqqqqq', ['phone']), '');
  });
});
