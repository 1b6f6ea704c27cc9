import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VendorError } from '../http/vendor-error.ts';
import { isAmbiguousFailure } from './create-once.ts';

import type { VendorErrorKind } from '../http/vendor-error.ts';

function failure(kind: VendorErrorKind, status: number | null, networkCode?: string): VendorError {
  return new VendorError('x', {
    vendor: 'Oomnitza',
    kind,
    status,
    host: 'acme.oomnitza.com',
    method: 'POST',
    path: '/api/v3/users',
    retryable: true,
    ...(networkCode === undefined ? {} : { details: { networkCode } }),
  });
}

describe('isAmbiguousFailure', () => {
  test('a write may have landed after a timeout, a reset, a 5xx or a garbled 2xx', () => {
    assert.equal(isAmbiguousFailure(failure('timeout', null)), true);
    assert.equal(isAmbiguousFailure(failure('network', null, 'ECONNRESET')), true);
    assert.equal(isAmbiguousFailure(failure('http', 500)), true);
    assert.equal(isAmbiguousFailure(failure('html', 502)), true);
    assert.equal(isAmbiguousFailure(failure('malformed_json', 200)), true);
  });

  test('a write did not land after a refusal', () => {
    assert.equal(isAmbiguousFailure(failure('network', null, 'ECONNREFUSED')), false);
    assert.equal(isAmbiguousFailure(failure('rate_limited', 429)), false);
    assert.equal(isAmbiguousFailure(failure('http', 400)), false);
    assert.equal(isAmbiguousFailure(failure('html', 404)), false);
    assert.equal(isAmbiguousFailure(failure('canceled', null)), false);
    assert.equal(isAmbiguousFailure(new Error('not a vendor error')), false);
  });
});
