// The NinjaOne client against scripted answers the emulator does not give: entries without ids,
// a server that ignores `after`, overlapping pages, unknown fields, odd error bodies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isVendorError } from '../http/vendor-error.ts';
import { createNinjaOneClient } from './client.ts';
import { NinjaOneResponseError } from './errors.ts';
import { startFakeServer } from './fake-server.test-support.ts';

import type { FakeAnswer, FakeRequest } from './fake-server.test-support.ts';
import type { TokenProvider } from './token-provider.ts';

const staticTokens: TokenProvider = { getAccessToken: async () => 'token-1', invalidate: () => undefined };
const fastRetry = { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5, maxAttempts: 2 };

async function clientFor(t: { after(fn: () => Promise<void>): void }, answer: (request: FakeRequest) => FakeAnswer, pageSize = 3) {
  const server = await startFakeServer(answer);
  t.after(() => server.close());
  return { server, ninja: createNinjaOneClient({ origin: server.url, tokens: staticTokens, retry: fastRetry, pageSize }) };
}

const ids = (...list: number[]) => list.map((id) => ({ id, name: `entry ${id}` }));

describe('NinjaOne client: answers', () => {
  test('unknown fields are kept; missing optional ones are fine', async (t) => {
    const { ninja, server } = await clientFor(t, () => ({ json: [{ id: 1, email: 'a@x', brandNewField: { nested: true } }, { id: 2 }] }));
    const users = await ninja.listUsers({});
    assert.deepEqual(users, [{ id: 1, email: 'a@x', brandNewField: { nested: true } }, { id: 2 }]);
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer token-1');
  });

  test('an entry without a numeric id is an error that names its index', async (t) => {
    const { ninja } = await clientFor(t, () => ({ json: [{ id: 1 }, { id: 2 }, { id: '3', email: 'c@x' }] }));
    await assert.rejects(ninja.listUsers({}), (error: unknown) => {
      assert.ok(error instanceof NinjaOneResponseError);
      assert.match(error.message, /\/v2\/users answered an entry without a numeric id at index 2 \(id is the string "3"\)/);
      return true;
    });
  });

  test('the index of a bad entry counts earlier pages', async (t) => {
    const { ninja } = await clientFor(t, (request) => ({
      json: request.query.has('after') ? [{ id: 4 }, { name: 'no id' }] : ids(1, 2, 3),
    }));
    await assert.rejects(
      ninja.listDevices(),
      /\/v2\/devices \(page 2\) answered an entry without a numeric id at index 4 \(id is missing\)/,
    );
  });

  test('an object where a list belongs is reported, not iterated', async (t) => {
    const { ninja } = await clientFor(t, () => ({ json: { results: [] } }));
    await assert.rejects(ninja.listOrganizations(), /answered an object where a JSON array was expected/);
  });

  test('a server that ignores "after" is stopped instead of looped', async (t) => {
    const { ninja, server } = await clientFor(t, () => ({ json: ids(1, 2, 3) }));
    await assert.rejects(ninja.listDevices(), (error: unknown) => {
      assert.ok(error instanceof NinjaOneResponseError);
      assert.match(error.message, /page 2 with ids no greater than after=3.*incomplete/);
      return true;
    });
    assert.equal(server.requests.length, 2);
  });

  test('overlapping pages do not duplicate entries, and paging follows the largest id', async (t) => {
    const pages: Record<string, number[]> = { '': [3, 1, 2], '3': [3, 4, 5], '5': [6] };
    const { ninja, server } = await clientFor(t, (request) => ({ json: ids(...(pages[request.query.get('after') ?? ''] ?? [])) }));
    const devices = await ninja.listDevices();
    assert.deepEqual(
      devices.map((device) => device.id),
      [3, 1, 2, 4, 5, 6],
    );
    assert.deepEqual(
      server.requests.map((request) => request.query.get('after')),
      [null, '3', '5'],
    );
  });

  test('an empty list is one request', async (t) => {
    const { ninja, server } = await clientFor(t, () => ({ json: [] }));
    assert.deepEqual(await ninja.listOrganizations(), []);
    assert.equal(server.requests.length, 1);
  });

  test('a 403 needing user context says what kind of token is needed', async (t) => {
    const { ninja } = await clientFor(t, () => ({
      status: 403,
      json: {
        error: 'user_context_required',
        error_description: 'Access key does not have user context which is required for this request',
        error_code: 5,
      },
    }));
    const error = await ninja.listRoles().catch((caught: unknown) => caught);
    assert.ok(isVendorError(error));
    assert.equal(error.code, 'user_context_required');
    assert.match(error.message, /403.*user context.*authorization-code sign-in/);
    assert.equal(error.details?.['errorCode'], 5);
  });

  test('a 500 FAILURE keeps the incident id and the request id as details', async (t) => {
    const { ninja, server } = await clientFor(t, () => ({
      status: 500,
      json: { resultCode: 'FAILURE', errorMessage: 'NullPointerException', incidentId: 'WEB_MGMT_SERVICE-2a-1683267369-FPCHHYPJ' },
      headers: { 'x-nj-request-id': 'req-123' },
    }));
    const error = await ninja.listUsers({}).catch((caught: unknown) => caught);
    assert.ok(isVendorError(error));
    assert.equal(error.kind, 'http');
    assert.equal(error.retryable, true);
    assert.match(error.message, /answered 500: NullPointerException \(FAILURE\) \(incident WEB_MGMT_SERVICE-2a-1683267369-FPCHHYPJ\)/);
    assert.deepEqual(error.details, { incidentId: 'WEB_MGMT_SERVICE-2a-1683267369-FPCHHYPJ', requestId: 'req-123' });
    assert.equal(server.requests.length, 2, 'retried within the bound');
  });

  test('a bad page size is refused at construction', () => {
    assert.throws(
      () => createNinjaOneClient({ origin: new URL('https://eu.ninjarmm.com'), tokens: staticTokens, pageSize: 0 }),
      /pageSize must be a positive integer/,
    );
  });
});
