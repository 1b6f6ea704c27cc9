import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ConfigError, loadConfig, oauthRedirectUrl, readExpressionLimits } from './config.ts';

describe('config', () => {
  test('defaults: loopback, port 8080, ./data, SQLite', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.publicUrl.toString(), 'http://127.0.0.1:8080/');
    assert.ok(config.dataDir.endsWith('/data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.secureCookies, false);
    assert.ok(Object.isFrozen(config));
  });

  test('flags override the environment', () => {
    const config = loadConfig({ PORT: '9000', DATA_DIR: '/tmp/a' }, { port: 9100, dataDir: '/tmp/b' });
    assert.equal(config.port, 9100);
    assert.equal(config.dataDir, '/tmp/b');
  });

  test('each bad variable is named with its fix', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 3);
        assert.match(error.message, /PORT: use a port number from 0 to 65535, e\.g\. 8080/);
        assert.match(error.message, /DATABASE_URL: use a postgres:\/\/ URL/);
        assert.match(error.message, /LOG_LEVEL/);
        return true;
      },
    );
  });

  test('an https public URL makes cookies Secure and sets the redirect URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://sync.example.com' });
    assert.equal(config.secureCookies, true);
    assert.equal(oauthRedirectUrl(config), 'https://sync.example.com/oauth2/redirect');
  });

  test('a public URL with a path is refused', () => {
    assert.throws(() => loadConfig({ PUBLIC_URL: 'https://sync.example.com/app' }), /PUBLIC_URL: give the origin only/);
  });

  test('TRUST_PROXY: nobody by default, proxy addresses and ranges, or a hop count; anything else is named with its fix', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1']);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    for (const bad of ['true', 'proxy.example.com', '10.0.0.0/33', '127.0.0.1,', '10.0.0.0/8/1']) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: bad }),
        /TRUST_PROXY: .* is not an IP address or CIDR range; give the reverse proxy's address/,
        bad,
      );
    }
  });

  test('expression limits: defaults, set values, and a bad value named (also when read alone, as `ninja-sync run` does)', () => {
    assert.deepEqual(loadConfig({}).expressionLimits, { previewMs: 5000, runMs: 60000, memoryMb: 256 });
    assert.deepEqual(
      loadConfig({ NINJA_SYNC_PREVIEW_EXPRESSION_MS: '800', NINJA_SYNC_RUN_EXPRESSION_MS: '9000', NINJA_SYNC_EXPRESSION_MEMORY_MB: '64' })
        .expressionLimits,
      { previewMs: 800, runMs: 9000, memoryMb: 64 },
    );
    assert.throws(
      () => loadConfig({ NINJA_SYNC_PREVIEW_EXPRESSION_MS: 'soon' }),
      /NINJA_SYNC_PREVIEW_EXPRESSION_MS: use a whole number of milliseconds, e\.g\. 5000/,
    );
    assert.throws(() => loadConfig({ NINJA_SYNC_RUN_MEMORY_MB: '1e9' }), /NINJA_SYNC_RUN_MEMORY_MB: at most 65536/);
    assert.throws(() => readExpressionLimits({ NINJA_SYNC_EXPRESSION_MEMORY_MB: '8' }), /NINJA_SYNC_EXPRESSION_MEMORY_MB: at least 16/);
    assert.equal(readExpressionLimits({ NINJA_SYNC_RUN_EXPRESSION_MS: '' }).runMs, 60000);
  });

  test('empty variables count as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 8080);
  });
});
