import assert from 'node:assert/strict';
import { test } from 'node:test';

import { secretHint } from './secret-hint.ts';

test('a hint never shows a short secret, whole or in large part', () => {
  for (const secret of ['', 'a', 'abcd', 'abcde', '12345678']) assert.equal(secretHint(secret), '', secret);
  assert.equal(secretHint('123456789'), '6789');
  assert.equal(secretHint('demo-m2m-secret'), 'cret');
});
