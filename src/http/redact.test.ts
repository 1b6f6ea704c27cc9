import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { bodyExcerpt, secretScrubber, secretsOfRequest } from './redact.ts';

describe('redact', () => {
  test('collects auth headers, bare bearer tokens and secret form fields', () => {
    const secrets = secretsOfRequest(
      { Authorization: 'Bearer abc.def.ghi', Authorization2: 'oomtok', 'X-Trace': 'visible', 'x-api-key': 'k-123' },
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'rt-999',
        client_secret: 'cs-42',
        code: 'auth-code-1',
        client_id: 'public-id',
      }),
    );
    for (const secret of ['Bearer abc.def.ghi', 'abc.def.ghi', 'oomtok', 'k-123', 'rt-999', 'cs-42', 'auth-code-1'])
      assert.ok(secrets.includes(secret), secret);
    assert.ok(!secrets.includes('visible'));
    assert.ok(!secrets.includes('public-id'));
    assert.ok(!secrets.includes('refresh_token'), 'a grant type is not a secret');
  });

  test('scrubs every occurrence, longest first, leaving short values alone', () => {
    const scrub = secretScrubber(['abc.def.ghi', 'Bearer abc.def.ghi', 'ab']);
    assert.equal(scrub('got Bearer abc.def.ghi, then abc.def.ghi; ab stays'), 'got [redacted], then [redacted]; ab stays');
  });

  test('an excerpt is the page title, or flat text cut short', () => {
    assert.equal(bodyExcerpt('<html><head><title>Sign in</title></head><body>…</body></html>'), 'Sign in');
    assert.equal(bodyExcerpt('<p>a\n\n  b</p><script>var x = 1;</script>'), 'a b');
    const long = bodyExcerpt('x'.repeat(500), 50);
    assert.equal(long.length, 50);
    assert.ok(long.endsWith('…'));
  });
});
