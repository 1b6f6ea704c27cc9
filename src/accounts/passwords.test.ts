import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.ts';
import { hashSecretToken, newSecretToken } from './secrets.ts';

describe('passwords', () => {
  test('a hash verifies its password and no other', async () => {
    const stored = await hashPassword('correct horse battery');
    assert.ok(!stored.includes('correct horse'));
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
  });

  test('two hashes of one password differ (salted)', async () => {
    assert.notEqual(await hashPassword('same password here'), await hashPassword('same password here'));
  });

  test('a malformed stored hash never verifies', async () => {
    assert.equal(await verifyPassword('anything', 'plain-text'), false);
  });

  test('weaker parameters ask for a rehash', () => {
    assert.equal(needsRehash('scrypt$1024$8$1$c2FsdA$aGFzaA'), true);
    assert.equal(needsRehash('bcrypt$whatever'), true);
  });

  test('short passwords are refused with the rule', () => {
    assert.match(passwordProblem('short') ?? '', /at least 12/);
    assert.equal(passwordProblem('long enough password'), null);
  });
});

describe('secret tokens', () => {
  test('a new token hashes to its stored hash and shows a hint', () => {
    const { token, hash, hint } = newSecretToken('nsk');
    assert.match(token, /^nsk_[A-Za-z0-9_-]{43}$/);
    assert.equal(hashSecretToken(token), hash);
    assert.equal(hint, token.slice(-4));
    assert.notEqual(newSecretToken('nsk').token, token);
  });
});
