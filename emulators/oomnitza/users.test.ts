import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { client, filterQuery } from './client.test-support.ts';
import { startOomnitzaEmulator } from './index.ts';
import { maxPageSize } from './list-query.ts';

import type { Call } from './client.test-support.ts';
import type { OomnitzaEmulator } from './index.ts';

type Row = Record<string, unknown>;
const rows = (body: unknown): Row[] => body as Row[];
const errorOf = (body: unknown): { code: string; message: string; details?: Row } =>
  (body as { error: { code: string; message: string; details?: Row } }).error;

describe('users: filtering, paging, sorting and fields over HTTP', () => {
  let emulator: OomnitzaEmulator;
  let call: Call;
  before(async () => {
    emulator = await startOomnitzaEmulator({
      seed: 3,
      users: 25,
      seedUsers: [
        { username: 'ada', email: 'Ada.Lovelace@Example.com', first_name: 'Ada', last_name: 'Lovelace', role: 30 },
        { username: 'obrien', email: "o'brien@example.com", first_name: 'Pat', last_name: "O'Brien" },
      ],
    });
    call = client(emulator);
  });
  after(() => emulator.close());

  test('the seed gives a known number of users, the same on every start', async () => {
    const first = await call('GET', '/api/v3/users?limit=1000&fields=username,email,first_name,phone_number');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-total-count'), '27');
    const again = await startOomnitzaEmulator({ seed: 3, users: 25 });
    try {
      const second = await client(again)('GET', '/api/v3/users?limit=1000&fields=username,email,first_name,phone_number');
      assert.deepEqual(rows(second.body), rows(first.body).slice(2));
    } finally {
      await again.close();
    }
  });

  test('filter by email is case-insensitive and x-total-count counts the matches', async () => {
    const res = await call('GET', `/api/v3/users?${filterQuery("email eq 'ada.lovelace@example.COM'")}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-total-count'), '1');
    assert.equal(rows(res.body)[0]?.username, 'ada');
  });

  test('a quote inside a value, by doubling or by backslash', async () => {
    for (const filter of ["last_name eq 'O''Brien'", "last_name eq 'O\\'Brien'", `last_name eq "O'Brien"`]) {
      const res = await call('GET', `/api/v3/users?${filterQuery(filter)}`);
      assert.deepEqual(
        rows(res.body).map((u) => u.username),
        ['obrien'],
        filter,
      );
    }
  });

  test('IN, IS NULL, LIKE, AND/OR over HTTP', async () => {
    const inList = await call('GET', `/api/v3/users?${filterQuery("username IN ['ada', 'OBRIEN', 'nobody']")}&sortby=username asc`);
    assert.deepEqual(
      rows(inList.body).map((u) => u.username),
      ['ada', 'obrien'],
    );
    const noEmail = await call('GET', `/api/v3/users?${filterQuery('email IS NULL')}&limit=1000`);
    assert.ok(rows(noEmail.body).length > 0);
    assert.ok(rows(noEmail.body).every((u) => !('email' in u)));
    const like = await call(
      'GET',
      `/api/v3/users?${filterQuery("email LIKE '%@corp.example' AND (role eq 25 OR suspended eq true)")}&limit=1000`,
    );
    const all = rows((await call('GET', '/api/v3/users?limit=1000')).body);
    const expected = all.filter(
      (u) => typeof u.email === 'string' && u.email.toLowerCase().endsWith('@corp.example') && (u.role === 25 || u.suspended === true),
    );
    assert.deepEqual(
      rows(like.body).map((u) => u.uid),
      expected.map((u) => u.uid),
    );
    assert.equal(like.headers.get('x-total-count'), String(expected.length));
  });

  test('a malformed filter or an unknown field is a 400 naming the position or the field', async () => {
    const syntax = await call('GET', `/api/v3/users?${filterQuery("email eq 'a' OR")}`);
    assert.equal(syntax.status, 400);
    assert.match(errorOf(syntax.body).message, /position 15/);
    const unknown = await call('GET', `/api/v3/users?${filterQuery("mail eq 'a'")}`);
    assert.equal(unknown.status, 400);
    assert.equal(errorOf(unknown.body).details?.field, 'mail');
  });

  test('skip and limit page through the matches; x-total-count is the total before paging', async () => {
    const seen: unknown[] = [];
    for (let skip = 0; ; skip += 10) {
      const page = await call('GET', `/api/v3/users?skip=${skip}&limit=10&sortby=uid asc&fields=uid`);
      assert.equal(page.headers.get('x-total-count'), '27');
      if (rows(page.body).length === 0) break;
      seen.push(...rows(page.body).map((u) => u.uid));
    }
    assert.equal(seen.length, 27);
    assert.equal(new Set(seen).size, 27);
  });

  test('no limit gives the default page; a limit above the maximum is cut to it', async () => {
    const big = await startOomnitzaEmulator({ users: maxPageSize + 5 });
    try {
      const call2 = client(big);
      const noLimit = await call2('GET', '/api/v3/users?fields=uid');
      assert.equal(rows(noLimit.body).length, 100);
      const huge = await call2('GET', `/api/v3/users?limit=${maxPageSize * 2}&fields=uid`);
      assert.equal(rows(huge.body).length, maxPageSize);
      assert.equal(huge.headers.get('x-total-count'), String(maxPageSize + 5));
    } finally {
      await big.close();
    }
  });

  test('bad skip, limit, sortby or fields are 400s naming the parameter', async () => {
    for (const [query, parameter] of [
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['skip=-1', 'skip'],
      ['sortby=email sideways', 'sortby'],
      ['sortby=colour asc', 'sortby'],
      ['fields=uid,colour', 'fields'],
    ] as const) {
      const res = await call('GET', `/api/v3/users?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(errorOf(res.body).details?.parameter, parameter, query);
    }
  });

  test('sortby orders ascending and descending, text case-insensitively, missing values last when ascending', async () => {
    const asc = rows((await call('GET', '/api/v3/users?sortby=email asc&limit=1000&fields=uid,email')).body);
    const emails = asc.map((u) => u.email).filter((e): e is string => typeof e === 'string');
    assert.deepEqual(
      emails,
      [...emails].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );
    assert.ok(!('email' in asc[asc.length - 1]!), 'users without email come last');
    const desc = rows((await call('GET', '/api/v3/users?sortby=email desc&limit=1000&fields=uid,email')).body);
    assert.ok(!('email' in desc[0]!), 'users without email come first when descending');
  });

  test('fields returns exactly the asked fields', async () => {
    const res = await call('GET', `/api/v3/users?${filterQuery("username eq 'ada'")}&fields=uid,email`);
    assert.deepEqual(Object.keys(rows(res.body)[0]!).sort(), ['email', 'uid']);
  });
});

describe('users: create, read, edit, delete and validation', () => {
  let emulator: OomnitzaEmulator;
  let call: Call;
  before(async () => {
    emulator = await startOomnitzaEmulator({
      users: 3,
      customFields: [
        { externalId: 'ninja_uid', label: 'NinjaOne UID', dataType: 'string', unique: true },
        { externalId: 'hired_on', label: 'Hired on', dataType: 'date' },
        { externalId: 'cost_center', label: 'Cost center', dataType: 'dropdown', options: ['IT', 'Sales'] },
      ],
    });
    call = client(emulator);
  });
  after(() => emulator.close());

  test('POST creates a user with a server uid and returns it; GET by uid and by username find it', async () => {
    const created = await call('POST', '/api/v3/users', {
      username: 'grace',
      email: 'grace@example.com',
      first_name: 'Grace',
      last_name: 'Hopper',
      ninja_uid: 'abc-1',
      hired_on: '2024-05-06T07:08:09+02:00',
    });
    assert.equal(created.status, 200);
    const user = created.body as Row;
    assert.equal(typeof user.uid, 'number');
    assert.equal(user.full_name, 'Grace Hopper');
    assert.equal(user.created_by, 'api-user');
    // A date field keeps the day; the time zone suffix is ignored, as Oomnitza documents.
    assert.equal(user.hired_on, Date.UTC(2024, 4, 6) / 1000);
    assert.deepEqual((await call('GET', `/api/v3/users/${String(user.uid)}`)).body, user);
    assert.deepEqual((await call('GET', '/api/v3/users/GRACE')).body, user);
    assert.deepEqual((await call('GET', '/api/v3/users/grace@example.com?alternative_id=email')).body, user);
  });

  test('PATCH changes only the given fields and bumps change_date/version; null clears a field', async () => {
    const user = (await call('POST', '/api/v3/users', { username: 'linus', email: 'linus@example.com', position: 'Kernel' })).body as Row;
    emulator.store.now = () => 1_900_000_000;
    try {
      const patched = await call('PATCH', `/api/v3/users/${String(user.uid)}`, { first_name: 'Linus', position: null, cost_center: 'it' });
      assert.equal(patched.status, 200);
      const body = patched.body as Row;
      assert.equal(body.first_name, 'Linus');
      assert.equal(body.email, 'linus@example.com');
      assert.ok(!('position' in body));
      assert.equal(body.cost_center, 'IT');
      assert.equal(body.change_date, 1_900_000_000);
      assert.equal(body.version, '2');
    } finally {
      emulator.store.now = () => Math.floor(Date.now() / 1000);
    }
  });

  test('DELETE removes the user; it is then 404', async () => {
    const user = (await call('POST', '/api/v3/users', { username: 'temp' })).body as Row;
    assert.equal((await call('DELETE', '/api/v3/users/temp')).status, 200);
    assert.equal((await call('GET', `/api/v3/users/${String(user.uid)}`)).status, 404);
  });

  const refused: Array<[string, Row, number, string, string]> = [
    ['an unknown field', { username: 'x1', colour: 'red' }, 400, 'colour', 'unknown_field'],
    ['text given a number', { username: 'x2', first_name: 42 }, 400, 'first_name', 'wrong_type'],
    ['a boolean given text', { username: 'x3', suspended: 'yes' }, 400, 'suspended', 'wrong_type'],
    ['an integer given text', { username: 'x4', role: '25' }, 400, 'role', 'wrong_type'],
    ['an integer given a fraction', { username: 'x5', role: 2.5 }, 400, 'role', 'wrong_type'],
    ['a date given nonsense', { username: 'x6', hired_on: 'next tuesday' }, 400, 'hired_on', 'wrong_type'],
    ['a date that does not exist', { username: 'x7', hired_on: '2024-02-30' }, 400, 'hired_on', 'wrong_type'],
    ['a dropdown value outside the list', { username: 'x8', cost_center: 'Legal' }, 400, 'cost_center', 'invalid_field'],
    ['an email that is not one', { username: 'x9', email: 'not-an-email' }, 400, 'email', 'invalid_field'],
    ['a read-only field', { username: 'x10', uid: 5 }, 400, 'uid', 'read_only_field'],
    ['a read-only date', { username: 'x11', creation_date: 0 }, 400, 'creation_date', 'read_only_field'],
    ['no username', { email: 'nouser@example.com' }, 400, 'username', 'required_field'],
  ];
  for (const [what, body, status, field, code] of refused) {
    test(`POST refuses ${what}, naming ${field}`, async () => {
      const res = await call('POST', '/api/v3/users', body);
      assert.equal(res.status, status);
      const error = errorOf(res.body);
      assert.equal(error.code, code);
      assert.equal(error.details?.field, field);
      assert.ok(error.message.startsWith(`${field}:`), error.message);
    });
  }

  test('unique fields stay unique: email case-insensitively, username, and custom unique fields', async () => {
    await call('POST', '/api/v3/users', { username: 'unique1', email: 'Same@Example.com', ninja_uid: 'n-1' });
    for (const [body, field] of [
      [{ username: 'unique2', email: 'same@EXAMPLE.com' }, 'email'],
      [{ username: 'UNIQUE1' }, 'username'],
      [{ username: 'unique3', ninja_uid: 'N-1' }, 'ninja_uid'],
    ] as const) {
      const res = await call('POST', '/api/v3/users', body);
      assert.equal(res.status, 409);
      assert.equal(errorOf(res.body).details?.field, field);
      assert.match(errorOf(res.body).message, new RegExp(`^${field}: ".*" is already used by user \\d+`));
    }
    const other = (await call('POST', '/api/v3/users', { username: 'unique4', email: 'other@example.com' })).body as Row;
    const clash = await call('PATCH', `/api/v3/users/${String(other.uid)}`, { email: 'SAME@example.com' });
    assert.equal(clash.status, 409);
    assert.equal(errorOf(clash.body).details?.field, 'email');
    // The user keeps its own value on PATCH without a clash, and a freed value can be taken.
    assert.equal((await call('PATCH', '/api/v3/users/unique1', { email: 'same@example.com' })).status, 200);
    assert.equal((await call('PATCH', '/api/v3/users/unique1', { email: 'moved@example.com' })).status, 200);
    assert.equal((await call('PATCH', `/api/v3/users/${String(other.uid)}`, { email: 'same@example.com' })).status, 200);
  });

  test('PATCH refuses read-only fields and emptying the username', async () => {
    await call('POST', '/api/v3/users', { username: 'patch-checks' });
    const ro = await call('PATCH', '/api/v3/users/patch-checks', { change_date: 5 });
    assert.equal(ro.status, 400);
    assert.equal(errorOf(ro.body).details?.field, 'change_date');
    const empty = await call('PATCH', '/api/v3/users/patch-checks', { username: null });
    assert.equal(empty.status, 400);
    assert.equal(errorOf(empty.body).details?.field, 'username');
  });

  test('a body that is not a JSON object is a 400', async () => {
    const list = await call('POST', '/api/v3/users', [{ username: 'x' }]);
    assert.equal(list.status, 400);
    const broken = await fetch(`${emulator.url}/api/v3/users`, {
      method: 'POST',
      headers: { Authorization2: emulator.apiToken, 'content-type': 'application/json' },
      body: '{"username": ',
    });
    assert.equal(broken.status, 400);
    assert.equal(errorOf(await broken.json()).code, 'invalid_json');
  });

  test('a DELETE sent with a JSON content type and no body is fine', async () => {
    await call('POST', '/api/v3/users', { username: 'empty-body' });
    const res = await fetch(`${emulator.url}/api/v3/users/empty-body`, {
      method: 'DELETE',
      headers: { Authorization2: emulator.apiToken, 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
  });

  test('unknown ident is a 404', async () => {
    assert.equal((await call('GET', '/api/v3/users/999999')).status, 404);
    assert.equal((await call('PATCH', '/api/v3/users/nobody', { first_name: 'x' })).status, 404);
  });

  test('GET /api/v3/users/meta lists system and custom fields with label, type and unique', async () => {
    const res = await call('GET', '/api/v3/users/meta');
    assert.equal(res.status, 200);
    const meta = res.body as Record<string, Row>;
    assert.equal(meta.email?.unique, 'true');
    assert.equal(meta.email?.label, 'Email');
    assert.equal(meta.first_name?.unique, 'false');
    assert.equal(meta.uid?.editable, 'false');
    assert.equal(meta.ninja_uid?.data_type, 'string');
    assert.equal(meta.ninja_uid?.unique, 'true');
    assert.match(String(meta.ninja_uid?.internal_id), /^[0-9A-F]{32}$/);
    assert.deepEqual(
      (meta.cost_center?.searchhelp as Row[]).map((o) => o.value),
      ['IT', 'Sales'],
    );
  });

  test('a custom field added through the admin API can be written and filtered at once', async () => {
    const added = await fetch(`${emulator.url}/__admin/fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'badge_no', label: 'Badge number', dataType: 'integer', unique: true }),
    });
    assert.equal(added.status, 201);
    await call('POST', '/api/v3/users', { username: 'badge1', badge_no: 7 });
    const res = await call('GET', `/api/v3/users?${filterQuery('badge_no eq 7')}&fields=username,badge_no`);
    assert.deepEqual(res.body, [{ username: 'badge1', badge_no: 7 }]);
    assert.equal((await call('POST', '/api/v3/users', { username: 'badge2', badge_no: 7 })).status, 409);
    const badName = await fetch(`${emulator.url}/__admin/fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'Bad Name', label: 'x', dataType: 'string' }),
    });
    assert.equal(badName.status, 400);
  });
});
