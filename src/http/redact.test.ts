import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { bodyExcerpt, redactText, redactUrl, secretScrubber, secretsOfRequest } from './redact.ts';

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

  test('redactUrl hides a password and secret query values, in absolute URLs and request paths', () => {
    assert.equal(redactUrl('postgres://app:s3cret@db:5432/sync'), 'postgres://app:***@db:5432/sync');
    assert.equal(redactUrl('postgres://db/sync'), 'postgres://db/sync');
    assert.equal(redactUrl('postgres://app@db/sync?password=x&token=t0k'), 'postgres://app@db/sync?password=x&token=[redacted]');
    assert.equal(redactUrl('/oauth2/redirect?code=c0de&state=st4te&lang=en'), '/oauth2/redirect?code=[redacted]&state=[redacted]&lang=en');
    assert.equal(redactUrl('/api/runs?limit=20'), '/api/runs?limit=20');
    assert.equal(redactUrl('postgres://app:s3cret@[bad'), 'postgres://(unparseable URL)');
  });

  test('redactText drops user:password@ and the values of token=/secret= pairs', () => {
    assert.equal(
      redactText('GET https://bob:pw@x.example/?token=abc failed; api_key=k1 refresh_token=r2 kept=v'),
      'GET https://x.example/?token=*** failed; api_key=*** refresh_token=*** kept=v',
    );
  });
});
