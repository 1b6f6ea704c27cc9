// The users data model (`GET /api/v3/users/meta`) over real HTTP: the emulator's model, and servers
// that answer the route with something that is not field metadata.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { VendorError } from '../http/vendor-error.ts';
import { createOomnitzaClient } from './client.ts';
import { parseUserDataModel } from './user-fields.ts';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

let emulator: OomnitzaEmulator;
before(async () => {
  emulator = await startOomnitzaEmulator({ users: 2 });
});
after(() => emulator.close());

const client = (baseUrl: string) =>
  createOomnitzaClient({ baseUrl, apiToken: 't0ken', allowInsecureHttp: true, retry: { maxAttempts: 1 } });

/** A server that answers every GET with `body` as JSON, as a mock generated from the spec does for `users/{ident}`. */
async function serving(status: number, body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server };
}

describe('users data model', () => {
  test('the emulated tenant: system and custom fields with label, type, flags, length and dropdown values', async () => {
    const model = await createOomnitzaClient({
      baseUrl: emulator.url,
      apiToken: emulator.apiToken,
      allowInsecureHttp: true,
    }).readUserDataModel();
    assert.ok(model.available);
    const byName = new Map(model.fields.map((f) => [f.name, f]));
    assert.deepEqual(byName.get('email'), {
      name: 'email',
      label: 'Email',
      dataType: 'email',
      unique: true,
      editable: true,
      required: false,
      length: 255,
      options: null,
    });
    assert.equal(byName.get('uid')?.editable, false);
    assert.equal(byName.get('username')?.required, true);
    assert.deepEqual(byName.get('ninja_user_type')?.options, ['TECHNICIAN', 'END_USER']);
    assert.equal(byName.get('ninja_roles')?.length, 1024);
    assert.deepEqual(
      ['ninja_id', 'ninja_organization_id', 'ninja_administrator', 'start_date', 'ninja_last_sync', 'department'].map(
        (name) => byName.get(name)?.dataType,
      ),
      ['integer', 'number', 'boolean', 'date', 'datetime', 'dropdown'],
    );
  });

  test('a user object served at /api/v3/users/meta is "no data model" with the reason, never "no fields"', async () => {
    const user = { uid: 1001, user_id: 'a1b2', username: 'meta', email: 'meta@acme.example', first_name: 'Meta', suspended: false };
    const { url, server } = await serving(200, user);
    try {
      const oomnitza = client(url);
      const model = await oomnitza.readUserDataModel();
      assert.equal(model.available, false);
      assert.match(!model.available ? model.reason : '', /is not users field metadata \(uid is a number, not a field\)/);
      assert.equal(await oomnitza.listUserFields(), null);
    } finally {
      server.close();
    }
  });

  test('a data model read that found no answer through its retries is not asked again in the same run; a refused one is', async () => {
    let requests = 0;
    let mode: 'hang' | 'fail' = 'hang';
    const server = createServer((_request, response) => {
      requests += 1;
      // 'hang' never answers (the client gives up); 'fail' answers a 500.
      if (mode === 'fail') response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
      const silent = createOomnitzaClient({
        baseUrl: url,
        apiToken: 't0ken',
        allowInsecureHttp: true,
        retry: { maxAttempts: 1 },
        timeoutMs: 200,
      });
      for (let attempt = 0; attempt < 2; attempt += 1)
        await assert.rejects(silent.listUserFields(), (error: unknown) => error instanceof VendorError && error.kind === 'timeout');
      assert.equal(requests, 1, 'the second caller gets the first answer, not another wait');

      mode = 'fail';
      requests = 0;
      const failing = client(url);
      for (let attempt = 0; attempt < 2; attempt += 1)
        await assert.rejects(failing.listUserFields(), (error: unknown) => error instanceof VendorError && error.status === 500);
      assert.equal(requests, 2, 'an answer that refused is asked again');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a 404 is "no data model", naming the route', async () => {
    const { url, server } = await serving(404, { error: 'not found' });
    try {
      const model = await client(url).readUserDataModel();
      assert.equal(model.available, false);
      assert.match(!model.available ? model.reason : '', /does not serve the users data model \(GET \/api\/v3\/users\/meta/);
    } finally {
      server.close();
    }
  });

  test('shapes that are not metadata: a list of users, an empty object, a field without data_type, a text', () => {
    const reason = (body: unknown): string => {
      const model = parseUserDataModel(body, 'x/api/v3/users/meta');
      return model.available ? 'believed' : model.reason;
    };
    assert.match(reason([{ uid: 1, username: 'a' }]), /an item has no data_type/);
    assert.match(reason({}), /it is empty/);
    assert.match(reason({ email: { label: 'Email' } }), /email has no data_type/);
    assert.match(reason('hello'), /got string/);
    assert.equal(reason({ email: { label: 'Email', data_type: 'EMAIL', unique: 'true', length: '120' } }), 'believed');
    const list = parseUserDataModel([{ external_id: 'ninja_uid', data_type: 'string', searchhelp: [{ key: 'a', value: 'A' }] }], 'x');
    assert.ok(list.available);
    assert.deepEqual(
      list.fields.map((f) => [f.name, f.dataType, f.options]),
      [['ninja_uid', 'string', ['A']]],
    );
  });
});
