import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeNinjaOneError, NinjaOneAuthError, readNinjaOneErrorBody } from './errors.ts';

describe('describeNinjaOneError', () => {
  const cases: ReadonlyArray<readonly [name: string, status: number, body: unknown, expected: ReturnType<typeof describeNinjaOneError>]> = [
    [
      'auth layer, invalid token',
      401,
      { error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 },
      {
        code: 'not_authenticated',
        message: 'Invalid credentials (not_authenticated, code 10): the access token is invalid or expired',
        details: { errorCode: 10 },
      },
    ],
    [
      'auth layer, missing header',
      400,
      { error: 'missing_header', error_description: 'Missing required header', error_code: 2 },
      {
        code: 'missing_header',
        message: 'Missing required header (missing_header, code 2): the request carried no Authorization header',
        details: { errorCode: 2 },
      },
    ],
    [
      'application layer failure',
      500,
      { resultCode: 'FAILURE', errorMessage: 'NullPointerException', incidentId: 'WEB-1' },
      { code: 'FAILURE', message: 'NullPointerException (FAILURE) (incident WEB-1)', details: { incidentId: 'WEB-1' } },
    ],
    [
      'unknown client',
      404,
      { resultCode: 'Client app not exist', incidentId: 'WEB-2' },
      { code: 'Client app not exist', message: 'Client app not exist (incident WEB-2)', details: { incidentId: 'WEB-2' } },
    ],
    ['bare OAuth error', 400, { error: 'invalid_token' }, { code: 'invalid_token', message: 'invalid_token' }],
    ['text (the HTTP layer quotes it itself)', 502, '<html>Bad Gateway</html>', {}],
    ['an unrelated JSON value', 500, [1, 2], {}],
    ['empty strings are absent', 400, { error: '', error_description: '  ' }, {}],
  ];
  for (const [name, status, body, expected] of cases) {
    test(name, () => {
      assert.deepEqual(describeNinjaOneError(status, body), expected);
    });
  }
});

test('readNinjaOneErrorBody keeps only the fields with values, typed', () => {
  assert.deepEqual(readNinjaOneErrorBody({ error: 'x', error_code: '7', resultCode: 5, extra: true }), { error: 'x', errorCode: '7' });
  assert.deepEqual(readNinjaOneErrorBody(null), {});
});

test('NinjaOneAuthError says whether to re-authorise or retry', () => {
  const spent = new NinjaOneAuthError('m', { kind: 'invalid_grant', host: 'eu.ninjarmm.com', status: 400, code: 'invalid_token' });
  assert.equal(spent.needsReauthorization, true);
  assert.equal(spent.retryable, false);
  const down = new NinjaOneAuthError('m', { kind: 'transient', host: 'eu.ninjarmm.com', status: 503, cause: new Error('x') });
  assert.equal(down.needsReauthorization, false);
  assert.equal(down.retryable, true);
  assert.ok(down.cause instanceof Error);
  assert.equal(down.name, 'NinjaOneAuthError');
});
