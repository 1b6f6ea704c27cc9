// The Oomnitza client's SaaS side ("User plus SaaS user"), over real HTTP against the Oomnitza emulator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { VendorError } from '../http/vendor-error.ts';
import { createOomnitzaClient } from './client.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import type { OomnitzaClientOptions } from './client.ts';

let emulator: OomnitzaEmulator;

before(async () => {
  emulator = await startOomnitzaEmulator({ users: 12 });
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

describe('Oomnitza client: SaaS', () => {
  test('ensureApplication creates NinjaOne once, then finds it', async () => {
    const oomnitza = client();
    assert.equal(await oomnitza.findApplication('NinjaOne'), null, 'finding does not create');
    const first = await oomnitza.ensureApplication('NinjaOne');
    assert.equal(first.created, true);
    assert.deepEqual(await oomnitza.findApplication('NinjaOne'), { id: first.id });
    const again = await oomnitza.ensureApplication('NinjaOne');
    assert.deepEqual(again, { id: first.id, created: false });
    assert.equal(
      await client()
        .ensureApplication('ninjaone')
        .then((app) => app.id),
      first.id,
      'found case-insensitively',
    );
    assert.equal([...emulator.store.saas.values()].filter((app) => app.saas_name === 'NinjaOne').length, 1);
  });

  test('an application create that failed is checked, then sent again, once', async () => {
    emulator.knobs.settings.faults.push({ kind: 'status500', times: 1, method: 'POST', path: '/api/v3/saas' });
    const app = await client().ensureApplication('Ninja "Quoted" One');
    assert.equal(app.created, true);
    assert.equal([...emulator.store.saas.values()].filter((a) => a.saas_name === 'Ninja "Quoted" One').length, 1);
  });

  test('assigns users with roles, lists them by uid, clears the roles and re-activates', async () => {
    const oomnitza = client();
    const { id: appId } = await oomnitza.ensureApplication('NinjaOne');
    const ada = await oomnitza.createUser({ username: 'ada.saas@acme.example', email: 'ada.saas@acme.example' });
    const bob = await oomnitza.createUser({ username: 'bob.saas@acme.example', email: 'bob.saas@acme.example' });
    await oomnitza.assignUser(appId, ada.id, ['Technician']);
    await oomnitza.assignUser(appId, bob.id, ['End user']);
    await oomnitza.assignUser(appId, bob.id, ['End user']);

    let assignments = await oomnitza.listAssignments(appId);
    assert.deepEqual(
      [...assignments].sort((a, b) => (a.email ?? '').localeCompare(b.email ?? '')),
      [
        { userId: ada.id, email: 'ada.saas@acme.example', roles: ['Technician'], active: true },
        { userId: bob.id, email: 'bob.saas@acme.example', roles: ['End user'], active: true },
      ],
    );

    await oomnitza.assignUser(appId, bob.id, []);
    assignments = await oomnitza.listAssignments(appId);
    assert.deepEqual(assignments.find((a) => a.userId === bob.id)?.roles, []);

    for (const su of emulator.store.saasUsers.values()) if (su.uid === Number(ada.id)) su.is_active = false;
    assert.equal((await oomnitza.listAssignments(appId)).find((a) => a.userId === ada.id)?.active, false);
    await oomnitza.assignUser(appId, ada.id, ['Technician']);
    assert.equal((await oomnitza.listAssignments(appId)).find((a) => a.userId === ada.id)?.active, true);
  });

  test('three roles are three SaaS role assignments; a role left out is removed', async () => {
    const oomnitza = client();
    const { id: appId } = await oomnitza.ensureApplication('NinjaOne three roles');
    const cy = await oomnitza.createUser({ username: 'cy.saas@acme.example', email: 'cy.saas@acme.example' });
    await oomnitza.assignUser(appId, cy.id, ['Field Technician', 'Help Desk', 'Network Engineer']);
    const su = [...emulator.store.saasUsers.values()].find((u) => u.uid === Number(cy.id) && u.saas_id === Number(appId));
    const names = (ids: readonly string[]): string[] => ids.map((id) => emulator.store.saasRoles.get(id)?.role_external_id ?? '?').sort();
    assert.deepEqual(names(su?.role_ids ?? []), ['Field Technician', 'Help Desk', 'Network Engineer']);
    assert.deepEqual((await oomnitza.listAssignments(appId)).find((a) => a.userId === cy.id)?.roles, [
      'Field Technician',
      'Help Desk',
      'Network Engineer',
    ]);

    await oomnitza.assignUser(appId, cy.id, ['Field Technician', 'Network Engineer']);
    assert.deepEqual(names(su?.role_ids ?? []), ['Field Technician', 'Network Engineer']);
    assert.deepEqual((await oomnitza.listAssignments(appId)).find((a) => a.userId === cy.id)?.roles, [
      'Field Technician',
      'Network Engineer',
    ]);
  });

  test('the application is created with every client-settable field the spec requires', async () => {
    const oomnitza = client();
    await oomnitza.ensureApplication('NinjaOne spec fields');
    const app = [...emulator.store.saas.values()].find((a) => a.saas_name === 'NinjaOne spec fields');
    assert.deepEqual(
      { source: app?.source, linked: app?.linked, link_key: app?.link_key, ignored: app?.ignored, hash: app?.hash },
      { source: 'API', linked: 'false', link_key: '', ignored: 'false', hash: false },
    );
  });

  test('an existing application lists its seeded SaaS users with their roles', async () => {
    const slack = await client().ensureApplication('Slack');
    assert.equal(slack.created, false);
    const assignments = await client().listAssignments(slack.id);
    assert.equal(assignments.length, 3);
    assert.ok(assignments.every((a) => emulator.store.users.has(Number(a.userId))));
    assert.deepEqual(assignments.map((a) => a.roles.join()).sort(), ['admin', 'member', 'member']);
  });

  test('assigning a user Oomnitza does not have names the user', async () => {
    const { id: appId } = await client().ensureApplication('NinjaOne');
    await assert.rejects(client().assignUser(appId, '424242', ['Technician']), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.code, 'saas_assignment_failed');
      assert.match(error.message, /assigning user 424242 to SaaS \d+ with roles "Technician"/);
      assert.match(error.message, /does not exist in Oomnitza/);
      return true;
    });
  });

  test('a suspended user cannot be assigned, and the error says why', async () => {
    const oomnitza = client();
    const { id: appId } = await oomnitza.ensureApplication('NinjaOne');
    const sus = await oomnitza.createUser({ username: 'sus@acme.example', suspended: true });
    await assert.rejects(oomnitza.assignUser(appId, sus.id, []), /not active in Oomnitza/);
  });

  test('an unknown application is a 404', async () => {
    await assert.rejects(client().listAssignments('99999'), (error: unknown) => error instanceof VendorError && error.status === 404);
  });
});
