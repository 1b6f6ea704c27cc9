import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { client, filterQuery } from './client.test-support.ts';
import { startOomnitzaEmulator } from './index.ts';

import type { Call } from './client.test-support.ts';
import type { OomnitzaEmulator } from './index.ts';

type Row = Record<string, unknown>;

/** The client-settable fields the spec's SaaS schema requires on create, besides saas_name. */
const specRequired = { source: 'API', linked: 'false', link_key: '', ignored: 'false', hash: false };

describe('SaaS: a "User plus SaaS user" sync against the emulator', () => {
  let emulator: OomnitzaEmulator;
  let call: Call;
  before(async () => {
    emulator = await startOomnitzaEmulator({
      users: 5,
      seedUsers: [
        { username: 'ada', email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' },
        { username: 'grace', email: 'grace@example.com', first_name: 'Grace', last_name: 'Hopper' },
        { username: 'gone', email: 'gone@example.com', suspended: true },
      ],
    });
    call = client(emulator);
  });
  after(() => emulator.close());

  /** Finds the application by name or creates it, as the sync does. */
  async function ensureApp(name: string): Promise<string> {
    const found = await call('GET', `/api/v3/saas?${filterQuery(`saas_name eq '${name.replace(/'/g, "''")}'`)}`);
    const hit = (found.body as Row[])[0];
    if (hit) return String(hit.saas_id);
    const created = await call('POST', '/api/v3/saas', { saas_name: name, category: 'IT Management', ...specRequired });
    assert.equal(created.status, 200);
    return (created.body as { saas_id: string }).saas_id;
  }

  async function uidOf(username: string): Promise<string> {
    return String(((await call('GET', `/api/v3/users/${username}`)).body as Row).uid);
  }

  test('a create without the fields the spec requires is a 422 naming them (a bare name is not enough)', async () => {
    const bare = await call('POST', '/api/v3/saas', { saas_name: 'Bare' });
    assert.equal(bare.status, 422);
    const error = (bare.body as { error: { message: string; details: { fields: string[] } } }).error;
    assert.deepEqual(error.details.fields, ['source', 'linked', 'link_key', 'ignored', 'hash']);
    assert.match(error.message, /^source, linked, link_key, ignored, hash: required/);
    assert.equal((await call('GET', `/api/v3/saas?${filterQuery("saas_name eq 'Bare'")}`)).headers.get('x-total-count'), '0');
    const { hash: _hash, ...withoutHash } = specRequired;
    assert.equal((await call('POST', '/api/v3/saas', { saas_name: 'Bare', ...withoutHash })).status, 422);
    assert.equal((await call('POST', '/api/v3/saas', { saas_name: 'Bare', ...specRequired, hash: 'no' })).status, 400);
  });

  test('find or create the application "NinjaOne": created once, then found', async () => {
    assert.equal((await call('GET', `/api/v3/saas?${filterQuery("saas_name eq 'ninjaone'")}`)).headers.get('x-total-count'), '0');
    const id = await ensureApp('NinjaOne');
    assert.equal(await ensureApp('NinjaOne'), id);
    const app = (await call('GET', `/api/v3/saas/${id}`)).body as Row;
    assert.equal(app.saas_name, 'NinjaOne');
    assert.equal(app.createdby, 'api-user');
  });

  test('assign users with a role, list the assignments with their roles', async () => {
    const id = await ensureApp('NinjaOne roles');
    const ada = await uidOf('ada');
    const grace = await uidOf('grace');
    const assigned = await call('POST', `/api/v3/saas/${id}/users`, [
      { user_id: ada, assign: true },
      { user_id: grace, assign: true },
    ]);
    assert.equal(assigned.status, 200);
    assert.deepEqual(
      (assigned.body as Row[]).map((r) => r.error),
      [null, null],
    );

    const setRole = await call('PATCH', `/api/v3/saas/${id}/roles/users`, {
      users: ada,
      roles: [{ role_external_id: 'technician', role_external_label: 'Technician' }],
    });
    assert.deepEqual((setRole.body as Row).errors, []);
    await call('PATCH', `/api/v3/saas/${id}/roles/users`, {
      users: grace,
      roles: [{ role_external_id: 'end-user', role_external_label: 'End user' }],
    });

    const roles = (await call('GET', `/api/v3/saas/${id}/roles`)).body as Row[];
    assert.deepEqual(roles.map((r) => [r.role_external_id, r.users_count]).sort(), [
      ['end-user', 1],
      ['technician', 1],
    ]);

    const listed = (await call('GET', `/api/v3/saas/${id}/users`)).body as Row[];
    const byUser: Record<string, Row> = Object.fromEntries(listed.map((r) => [String(r.username), r]));
    assert.equal((byUser.ada?.roles as Row).role_external_id, 'technician');
    assert.equal((byUser.grace?.roles as Row).role_external_label, 'End user');
    assert.equal(byUser.ada?.is_active, true);

    const onlyTech = (await call('GET', `/api/v3/saas/${id}/users?roles=technician`)).body as Row[];
    assert.deepEqual(
      onlyTech.map((r) => r.username),
      ['ada'],
    );

    // Replacing the role list moves Ada to end-user, creating no duplicate role.
    await call('PATCH', `/api/v3/saas/${id}/roles/users`, { users: ada, roles: [{ role_external_id: 'END-USER' }] });
    const after = (await call('GET', `/api/v3/saas/${id}/roles`)).body as Row[];
    assert.deepEqual(after.map((r) => [r.role_external_id, r.users_count]).sort(), [
      ['end-user', 2],
      ['technician', 0],
    ]);
  });

  test('deactivate, then re-activate by assigning again or by activate', async () => {
    const id = await ensureApp('NinjaOne lifecycle');
    const ada = await uidOf('ada');
    const [first] = (await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: ada, assign: true }])).body as Row[];
    const saasUserId = String(first?.saas_user_id);

    const off = await call('PATCH', '/api/v3/saas_users/deactivate', { saas_user_ids: [saasUserId, 'no-such-id'] });
    assert.equal(off.status, 200);
    assert.deepEqual(off.body, [
      { saas_user_id: saasUserId, error: null },
      { saas_user_id: 'no-such-id', error: 'SaaS user "no-such-id" not found' },
    ]);
    const inactive = await call('GET', `/api/v3/saas_users?${filterQuery(`saas_id eq ${id} AND is_active eq false`)}`);
    assert.deepEqual(
      (inactive.body as Row[]).map((r) => r.saas_user_id),
      [saasUserId],
    );

    const again = (await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: ada, assign: true }])).body as Row[];
    assert.equal(again[0]?.saas_user_id, saasUserId, 'assigning again re-activates the same SaaS user');
    assert.equal(emulator.store.saasUsers.get(saasUserId)?.is_active, true);

    await call('PATCH', '/api/v3/saas_users/deactivate', { saas_user_ids: [saasUserId] });
    const on = await call('PATCH', '/api/v3/saas_users/activate', { saas_user_ids: [saasUserId] });
    assert.deepEqual(on.body, [{ saas_user_id: saasUserId, error: null }]);
    assert.equal(emulator.store.saasUsers.get(saasUserId)?.is_active, true);
  });

  test('a SaaS user must be an existing, active Oomnitza user: per-item errors, HTTP 200', async () => {
    const id = await ensureApp('NinjaOne strict');
    const ada = await uidOf('ada');
    const gone = await uidOf('gone');
    const res = await call('POST', `/api/v3/saas/${id}/users`, [
      { user_id: ada, assign: true },
      { user_id: '999999', assign: true },
      { user_id: gone, assign: true },
      { user_id: ada, assign: 'yes' },
    ]);
    assert.equal(res.status, 200);
    const errors = (res.body as Row[]).map((r) => r.error);
    assert.equal(errors[0], null);
    assert.match(String(errors[1]), /does not exist in Oomnitza/);
    assert.match(String(errors[2]), /not active/);
    assert.match(String(errors[3]), /assign must be true or false/);

    // Suspending the user afterwards blocks re-activation of its SaaS user.
    const [su] = (await call('GET', `/api/v3/saas/${id}/users`)).body as Row[];
    await call('PATCH', '/api/v3/saas_users/deactivate', { saas_user_ids: [su?.saas_user_id] });
    await call('PATCH', `/api/v3/users/${ada}`, { suspended: true });
    try {
      const on = (await call('PATCH', '/api/v3/saas_users/activate', { saas_user_ids: [su?.saas_user_id] })).body as Row[];
      assert.match(String(on[0]?.error), /not active/);
    } finally {
      await call('PATCH', `/api/v3/users/${ada}`, { suspended: false });
    }
  });

  test('roles: create, rename, assign with POST, unassign with DELETE, delete', async () => {
    const id = await ensureApp('NinjaOne role admin');
    const grace = await uidOf('grace');
    await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: grace, assign: true }]);
    const created = await call('POST', `/api/v3/saas/${id}/roles`, { role_external_label: 'Admin' });
    assert.equal(created.status, 201);
    const role = created.body as Row;
    assert.equal(role.role_external_id, 'Admin');
    assert.equal((await call('POST', `/api/v3/saas/${id}/roles`, { role_external_label: 'admin' })).status, 409);
    assert.equal((await call('POST', `/api/v3/saas/${id}/roles`, {})).status, 400);

    const renamed = await call('PATCH', `/api/v3/saas/${id}/roles/${String(role.role_id)}`, { role_external_label: 'Administrator' });
    assert.equal((renamed.body as Row).role_external_label, 'Administrator');

    const add = await call('POST', `/api/v3/saas/${id}/roles/users`, { users: [grace], roles: [role.role_id] });
    assert.deepEqual(add.body, { role_id: role.role_id, user_id: grace, errors: [] });
    assert.equal(((await call('GET', `/api/v3/saas/${id}/roles`)).body as Row[])[0]?.users_count, 1);

    const notAssigned = await call('POST', `/api/v3/saas/${id}/roles/users`, {
      users: [await uidOf('user0001@corp.example')],
      roles: [role.role_id],
    });
    assert.match(String((notAssigned.body as { errors: string[] }).errors[0]), /not a user of SaaS/);

    assert.equal((await call('DELETE', `/api/v3/saas/${id}/roles/users`, { users: [grace], roles: [role.role_id] })).status, 204);
    assert.equal(((await call('GET', `/api/v3/saas/${id}/roles`)).body as Row[])[0]?.users_count, 0);
    assert.equal((await call('DELETE', `/api/v3/saas/${id}/roles/${String(role.role_id)}`)).status, 204);
    assert.deepEqual((await call('GET', `/api/v3/saas/${id}/roles`)).body, []);
  });

  test('assign: false unassigns; roles for a user who is not a SaaS user are refused and create nothing', async () => {
    const id = await ensureApp('NinjaOne unassign');
    const grace = await uidOf('grace');
    await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: grace, assign: true }]);
    const off = (await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: grace, assign: false }])).body as Row[];
    assert.equal(off[0]?.error, null);
    assert.deepEqual((await call('GET', `/api/v3/saas/${id}/users`)).body, []);
    const res = await call('PATCH', `/api/v3/saas/${id}/roles/users`, { users: grace, roles: [{ role_external_id: 'ghost' }] });
    assert.match(String((res.body as { errors: string[] }).errors[0]), /not a user of SaaS/);
    assert.deepEqual((await call('GET', `/api/v3/saas/${id}/roles`)).body, []);
  });

  test('SaaS validation: unknown field, wrong type, missing name, unknown ident', async () => {
    const unknown = await call('POST', '/api/v3/saas', { saas_name: 'X', colour: 'red' });
    assert.equal(unknown.status, 400);
    assert.match((unknown.body as { error: { message: string } }).error.message, /^colour:/);
    const wrong = await call('POST', '/api/v3/saas', { saas_name: 'X', total_licenses: 'many' });
    assert.equal(wrong.status, 400);
    assert.match((wrong.body as { error: { message: string } }).error.message, /^total_licenses:/);
    assert.equal((await call('POST', '/api/v3/saas', { category: 'x' })).status, 400);
    assert.equal((await call('GET', '/api/v3/saas/424242')).status, 404);
    assert.equal((await call('GET', '/api/v3/saas/424242/users')).status, 404);
  });

  test('deleting a user removes its SaaS users; deleting a SaaS removes its roles and users', async () => {
    const id = await ensureApp('NinjaOne cleanup');
    const temp = (await call('POST', '/api/v3/users', { username: 'temp-saas', email: 'temp-saas@example.com' })).body as Row;
    await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: String(temp.uid), assign: true }]);
    assert.equal(((await call('GET', `/api/v3/saas/${id}/users`)).body as Row[]).length, 1);
    await call('DELETE', `/api/v3/users/${String(temp.uid)}`);
    assert.deepEqual((await call('GET', `/api/v3/saas/${id}/users`)).body, []);
    assert.equal((await call('DELETE', `/api/v3/saas/${id}`)).status, 200);
    assert.equal((await call('GET', `/api/v3/saas/${id}`)).status, 404);
  });

  test('GET /api/v3/saas_users filters across applications and searches text', async () => {
    const res = await call('GET', `/api/v3/saas_users?${filterQuery("saas_name eq 'slack'")}`);
    assert.equal(res.status, 200);
    assert.ok((res.body as Row[]).length > 0);
    assert.ok((res.body as Row[]).every((r) => r.saas_name === 'Slack'));
    const admins = (await call('GET', '/api/v3/saas_users?roles=admin')).body as Row[];
    assert.equal(admins.length, 1);
    const text = (await call('GET', '/api/v3/saas_users?text=USER000')).body as Row[];
    assert.ok(text.length > 0 && text.every((r) => String(r.username).includes('user000')));
    assert.equal((await call('GET', `/api/v3/saas_users?${filterQuery("colour eq 'x'")}`)).status, 400);
    const picked = (await call('GET', '/api/v3/saas_users?roles=admin&fields=username,roles')).body as Row[];
    assert.deepEqual(Object.keys(picked[0]!).sort(), ['roles', 'username']);
    assert.equal((picked[0]?.roles as Row).role_external_id, 'admin');
  });
});
