import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseRetryAfter, resolveRetryPolicy, retryDelayMs } from './retry-policy.ts';

describe('retry policy', () => {
  test('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('0.5', now), 500);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter(null, now), null);
  });

  test('full jitter stays under the doubling ceiling, capped at maxDelayMs', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 300 });
    assert.equal(
      retryDelayMs(policy, 2, null, () => 0.999),
      99,
    );
    assert.equal(
      retryDelayMs(policy, 3, null, () => 0.999),
      199,
    );
    assert.equal(
      retryDelayMs(policy, 6, null, () => 0.999),
      299,
    );
    assert.equal(
      retryDelayMs(policy, 6, null, () => 0),
      0,
    );
  });

  test('Retry-After wins over backoff, is capped, and gets a little jitter', () => {
    const policy = resolveRetryPolicy({ maxRetryAfterMs: 2000, baseDelayMs: 100 });
    assert.equal(
      retryDelayMs(policy, 2, '1', () => 0),
      1000,
    );
    assert.equal(
      retryDelayMs(policy, 2, '1', () => 0.5),
      1050,
    );
    assert.equal(
      retryDelayMs(policy, 2, '120', () => 0),
      2000,
    );
  });

  test('rejects a policy that cannot work', () => {
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), /maxAttempts/);
    assert.throws(() => resolveRetryPolicy({ baseDelayMs: -1 }), /baseDelayMs/);
    assert.throws(() => resolveRetryPolicy({ maxRateLimitedAttempts: 0 }), /maxRateLimitedAttempts/);
  });
});
