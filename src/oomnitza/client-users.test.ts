// The Oomnitza client's users side, over real HTTP against the Oomnitza emulator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { VendorError } from '../http/vendor-error.ts';
import { createOomnitzaClient } from './client.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import type { DestinationUser } from '../sync/ports.ts';
import type { OomnitzaClientOptions } from './client.ts';

const awkward = [
  { username: 'obrien', email: 'o"brien@example.com', first_name: 'Seán', last_name: 'O"Brien' },
  { username: 'oneil', email: "o'neil@example.com", first_name: 'Shaquille', last_name: "O'Neil" },
  { username: 'backslash', email: 'back\\slash@example.com', first_name: 'Back', last_name: 'Slash' },
  { username: 'yamada', email: 'taro@例え.jp', first_name: '太郎', last_name: '山田' },
  { username: 'ivanov', email: 'DMITRY.IVANOV@EXAMPLE.COM', first_name: 'Дмитрий', last_name: 'Иванов' },
  { username: 'percent', email: 'x%_y@example.com', first_name: 'Per', last_name: 'Cent' },
];

let emulator: OomnitzaEmulator;

before(async () => {
  emulator = await startOomnitzaEmulator({ users: 1200, seedUsers: awkward });
});

after(async () => {
  await emulator.close();
});

function client(overrides: Partial<OomnitzaClientOptions> = {}): ReturnType<typeof createOomnitzaClient> {
  return createOomnitzaClient({
    baseUrl: emulator.url,
    apiToken: emulator.apiToken,
    allowInsecureHttp: true,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
    ...overrides,
  });
}

async function collect(pages: AsyncIterable<readonly DestinationUser[]>): Promise<DestinationUser[]> {
  const out: DestinationUser[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('Oomnitza client: users', () => {
  test('testConnection counts the users', async () => {
    assert.deepEqual(await client().testConnection(), { userCount: emulator.store.users.size });
  });

  test('a wrong token fails with a hint and without the token', async () => {
    const wrong = client({ apiToken: 'not-the-token-123' });
    await assert.rejects(wrong.testConnection(), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 401);
      assert.match(error.message, /destination\.apiToken/);
      assert.doesNotMatch(error.message, /not-the-token-123/);
      return true;
    });
  });

  test('lists every user once, in pages fetched after the total is known', async () => {
    emulator.knobs.clearLog();
    const users = await collect(client({ pageSize: 250 }).listUsers(['email', 'first_name']));
    assert.equal(users.length, emulator.store.users.size);
    assert.equal(new Set(users.map((u) => u.id)).size, users.length);
    const ada = users.find((u) => u.fields['email'] === 'o"brien@example.com');
    assert.deepEqual(Object.keys(ada?.fields ?? {}).sort(), ['email', 'first_name']);
    const pages = emulator.knobs.log.filter((entry) => entry.method === 'GET' && entry.path === '/api/v3/users');
    assert.equal(pages.length, Math.ceil(emulator.store.users.size / 250));
    assert.ok(pages.every((entry) => /limit=250/.test(entry.query)));
  });

  test('follows a server that caps the page size', async () => {
    emulator.knobs.clearLog();
    const oomnitza = client({ pageSize: 5000 });
    assert.equal(oomnitza.listPageSize, 5000);
    const users = await collect(oomnitza.listUsers([]));
    assert.equal(users.length, emulator.store.users.size);
    assert.equal(oomnitza.listPageSize, 1000, 'later listings ask for what the server gives');
    // The emulator caps limit at 1000: one capped first page, then steps of 1000.
    assert.equal(emulator.knobs.log.length, Math.ceil(emulator.store.users.size / 1000));
  });

  test('pages until a short page when the server sends no x-total-count', async () => {
    const noTotal: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete('x-total-count');
      return new Response(await response.arrayBuffer(), { status: response.status, headers });
    };
    const oomnitza = client({ pageSize: 400, fetch: noTotal });
    const users = await collect(oomnitza.listUsers(['email']));
    assert.equal(users.length, emulator.store.users.size);
    assert.equal(await oomnitza.countUsers(), emulator.store.users.size);
  });

  test('pages a lookup that matches more users than one page holds', async () => {
    const usernames = [...emulator.store.users.values()].slice(0, 7).map((u) => u.username);
    const found = await client({ pageSize: 2 }).findUsers('username', usernames, ['username']);
    assert.deepEqual(found.map((u) => u.fields['username']).sort(), [...usernames].sort());
  });

  test('a lookup by a field Oomnitza does not know names the field', async () => {
    await assert.rejects(client().findUsers('colour', ['red'], []), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 400);
      assert.match(error.message, /^looking up users by colour \(1 value\): .*unknown users field "colour"/);
      return true;
    });
  });

  test('stopping a listing early is clean', async () => {
    for await (const page of client({ pageSize: 100 }).listUsers(['email'])) {
      assert.equal(page.length, 100);
      break;
    }
  });

  test('finds users by quoted, non-Latin and differently cased values', async () => {
    const values = [
      'O"Brien@example.com',
      "o'neil@EXAMPLE.com",
      'back\\slash@example.com',
      'TARO@例え.jp',
      'dmitry.ivanov@example.com',
      'x%_y@example.com',
      'nobody@example.com',
    ];
    const found = await client().findUsers('email', values, ['email', 'username']);
    assert.deepEqual(found.map((u) => u.fields['username']).sort(), ['backslash', 'ivanov', 'obrien', 'oneil', 'percent', 'yamada']);
  });

  test('batches a long value list into URLs under 6 KB and finds all of them', async () => {
    const emails = [...emulator.store.users.values()].map((u) => u.email).filter((e): e is string => typeof e === 'string');
    emulator.knobs.clearLog();
    const found = await client().findUsers('email', emails, ['email']);
    assert.equal(found.length, emails.length);
    assert.ok(emulator.knobs.log.length > 1, 'more than one request');
    for (const entry of emulator.knobs.log)
      assert.ok(emulator.url.length + entry.path.length + entry.query.length + 1 < 6000, `query of ${entry.query.length} characters`);
  });

  test('an empty value list makes no request', async () => {
    emulator.knobs.clearLog();
    assert.deepEqual(await client().findUsers('email', [], ['email']), []);
    assert.equal(emulator.knobs.log.length, 0);
  });

  test('creates and updates a user', async () => {
    const oomnitza = client();
    const created = await oomnitza.createUser({
      username: 'new.user@acme.example',
      email: 'new.user@acme.example',
      first_name: 'Zoë',
      last_name: 'Nguyễn',
    });
    assert.equal(emulator.store.users.get(Number(created.id))?.first_name, 'Zoë');
    assert.equal(created.fields['email'], 'new.user@acme.example');
    const updated = await oomnitza.updateUser(created.id, { position: 'NinjaOne user', phone_number: '+44 20 7946 0000' });
    assert.equal(updated.id, created.id);
    assert.equal(updated.fields['position'], 'NinjaOne user');
    assert.equal(emulator.store.users.get(Number(created.id))?.phone_number, '+44 20 7946 0000');
  });

  test('a refused create names the record and the field', async () => {
    await assert.rejects(client().createUser({ username: 'dup', email: 'o"brien@example.com' }), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 409);
      assert.equal(error.details?.['field'], 'email');
      assert.match(error.message, /^creating user "o"brien@example\.com": /);
      assert.match(error.message, /email/);
      return true;
    });
    await assert.rejects(client().createUser({ username: 'colourful', colour: 'red' }), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 400);
      assert.equal(error.details?.['field'], 'colour');
      assert.match(error.message, /user "colourful".*colour/);
      return true;
    });
  });

  test('an update of a missing user is a 404 naming it', async () => {
    await assert.rejects(client().updateUser('999999', { position: 'x' }), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.status, 404);
      assert.match(error.message, /updating user 999999 \(fields position\)/);
      return true;
    });
  });

  test('lists the users fields of the data model', async () => {
    const fields = await client().listUserFields();
    const email = fields?.find((f) => f.name === 'email');
    assert.equal(email?.unique, true);
    assert.equal(fields?.find((f) => f.name === 'uid')?.editable, false);
  });
});
