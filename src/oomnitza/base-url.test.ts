import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OomnitzaConfigError, parseOomnitzaBaseUrl } from './base-url.ts';

describe('parseOomnitzaBaseUrl', () => {
  test('keeps only the origin of a pasted URL, lower-cased', () => {
    assert.equal(parseOomnitzaBaseUrl('https://Acme.Oomnitza.com/').href, 'https://acme.oomnitza.com/');
    assert.equal(parseOomnitzaBaseUrl('  https://acme.oomnitza.com/api/v3/users?x=1 ').href, 'https://acme.oomnitza.com/');
    assert.equal(parseOomnitzaBaseUrl(new URL('https://acme.oomnitza.com:8443/assets')).href, 'https://acme.oomnitza.com:8443/');
  });

  test('refuses http for a remote host, naming the setting', () => {
    assert.throws(
      () => parseOomnitzaBaseUrl('http://acme.oomnitza.com', { allowInsecureHttp: true }),
      (error: unknown) => {
        assert.ok(error instanceof OomnitzaConfigError);
        assert.equal(error.setting, 'destination.url');
        assert.match(error.message, /unencrypted/);
        return true;
      },
    );
  });

  test('allows http on loopback only with allowInsecureHttp', () => {
    assert.throws(
      () => parseOomnitzaBaseUrl('http://127.0.0.1:4010'),
      (error: unknown) =>
        error instanceof OomnitzaConfigError && error.setting === 'allowInsecureHttp' && /allowInsecureHttp: true/.test(error.message),
    );
    assert.equal(parseOomnitzaBaseUrl('http://127.0.0.1:4010/api', { allowInsecureHttp: true }).href, 'http://127.0.0.1:4010/');
    assert.equal(parseOomnitzaBaseUrl('http://localhost:4010', { allowInsecureHttp: true }).href, 'http://localhost:4010/');
    assert.equal(parseOomnitzaBaseUrl('http://[::1]:4010', { allowInsecureHttp: true }).href, 'http://[::1]:4010/');
  });

  test('refuses what is not an https URL, showing the expected form', () => {
    assert.throws(() => parseOomnitzaBaseUrl('acme.oomnitza.com'), /expected https:\/\/<instance>\.oomnitza\.com/);
    assert.throws(() => parseOomnitzaBaseUrl('ftp://acme.oomnitza.com'), /must start with https/);
    assert.throws(() => parseOomnitzaBaseUrl('https://me:pw@acme.oomnitza.com'), /user name or password/);
  });
});
