/**
 * The mapping meets Oomnitza's data model, end to end over HTTP (NinjaOne emulator → runSync →
 * Oomnitza emulator): all 19 NinjaOne fields onto fields of fitting types write without a failure
 * and the resync writes nothing (Connector Sync Time included); values that do not fit their field
 * fail per record, naming field, value and type, and the dry run fails exactly the records the run
 * fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { demoM2mClient, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { defaultCustomFields, startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { integrationSchema } from '../../src/integrations/schema.ts';
import { compileMapping } from '../../src/mapping/compile.ts';
import { runSync } from '../../src/sync/run-sync.ts';
import { integrationYaml, runCli, startWorld, writeIntegration } from './helpers.ts';
import { collectingReporter, syncParts } from './run-sync-setup.ts';

import type { NinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import type { FieldDefinition, OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import type { IntegrationInput } from '../../src/integrations/schema.ts';

const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const writesIn = (oomnitza: OomnitzaEmulator) => oomnitza.knobs.log.filter((e) => writeMethods.has(e.method) && e.path.startsWith('/api/'));

/** Custom fields for the NinjaOne fields the default model has no field for. */
const moreFields: FieldDefinition[] = [
  { externalId: 'ninja_email', label: 'NinjaOne Email', dataType: 'email' },
  { externalId: 'ninja_device_ids', label: 'NinjaOne Devices', dataType: 'string', length: 1024 },
  { externalId: 'ninja_assigned_device_ids', label: 'NinjaOne Assigned Devices', dataType: 'string', length: 1024 },
  { externalId: 'ninja_mfa', label: 'NinjaOne MFA', dataType: 'boolean' },
  { externalId: 'ninja_must_change_pw', label: 'NinjaOne Must Change Password', dataType: 'boolean' },
  { externalId: 'ninja_notify_all', label: 'NinjaOne Notify All Clients', dataType: 'boolean' },
  { externalId: 'ninja_permit_all', label: 'NinjaOne Permit All Clients', dataType: 'boolean' },
  { externalId: 'ninja_short', label: 'Short text', dataType: 'string', length: 12 },
];

/** All 19 catalogue fields, each onto a field of a fitting type. Keyed by ninja_uid (unique), so duplicate emails are no clash. */
const everyField: IntegrationInput['mapping'] = {
  username: { expr: "'ninja-' & uid" },
  ninja_uid: 'uid',
  ninja_email: { field: 'email', transform: ['trim', 'lower'] },
  first_name: { field: 'firstName', transform: ['trim'] },
  last_name: { field: 'lastName', transform: ['trim'] },
  phone_number: 'phone',
  ninja_id: 'id',
  ninja_organization_id: 'organizationId',
  ninja_user_type: 'userType',
  ninja_invitation_status: 'invitationStatus',
  ninja_roles: 'roles',
  ninja_administrator: 'administrator',
  ninja_enabled: 'enabled',
  ninja_last_sync: 'connectorSyncTime',
  ninja_device_ids: 'deviceIds',
  ninja_assigned_device_ids: 'assignedDeviceIds',
  ninja_mfa: 'mfaConfigured',
  ninja_must_change_pw: 'mustChangePw',
  ninja_notify_all: 'notifyAllClients',
  ninja_permit_all: 'permitAllClients',
};

describe('the mapping and the data model, over HTTP', () => {
  let ninja: NinjaOneEmulator;
  before(async () => {
    ninja = await startNinjaOneEmulator({ seed: 5, users: 40 });
  });
  after(() => ninja.close());

  function parts(oomnitza: OomnitzaEmulator, mapping: IntegrationInput['mapping'], extra: Partial<IntegrationInput> = {}) {
    const base = syncParts({ ninjaOneUrl: ninja.url, oomnitzaUrl: oomnitza.url, apiToken: oomnitza.apiToken, ...demoM2mClient });
    const integration = integrationSchema.parse({ ...base.integration, syncKeys: ['ninja_uid'], mapping, ...extra });
    return { ...base, integration, compiled: compileMapping(integration) };
  }

  test('all 19 NinjaOne fields onto fitting types: 0 failed; the resync writes nothing, Connector Sync Time included', async (t) => {
    const oomnitza = await startOomnitzaEmulator({ users: 0, customFields: [...defaultCustomFields, ...moreFields] });
    t.after(() => oomnitza.close());
    const first = await runSync({ ...parts(oomnitza, everyField), reporter: collectingReporter() });
    assert.equal(first.state, 'succeeded', first.error ?? '');
    assert.equal(first.counts.failed, 0);
    assert.equal(first.counts.created, ninja.world.users.length);

    const several = ninja.world.users.find((u) => u.roleIds.length > 1);
    assert.ok(several);
    const stored = [...oomnitza.store.users.values()].find((u) => u['ninja_uid'] === several.uid);
    const roleNames = several.roleIds.map((id) => ninja.world.roles.find((r) => r.id === id)?.name);
    assert.equal(stored?.['ninja_roles'], roleNames.join(', '), 'a list into text is joined with ", "');
    assert.equal(typeof stored?.['ninja_last_sync'], 'number', 'a datetime is stored as epoch seconds');
    assert.equal(typeof stored?.['ninja_administrator'], 'boolean');
    assert.equal(stored?.['ninja_id'], several.id);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // the next run's Connector Sync Time is another second
    oomnitza.knobs.clearLog();
    const again = await runSync({ ...parts(oomnitza, everyField), reporter: collectingReporter() });
    assert.equal(again.state, 'succeeded', again.error ?? '');
    assert.deepEqual(
      { created: again.counts.created, updated: again.counts.updated, failed: again.counts.failed },
      { created: 0, updated: 0, failed: 0 },
    );
    assert.deepEqual(writesIn(oomnitza), [], 'an unchanged user costs no write, though Connector Sync Time moved');

    // Asked for a heartbeat, every user gets the new sync time.
    const heartbeat = await runSync({ ...parts(oomnitza, everyField, { writeSyncTimeEveryRun: true }), reporter: collectingReporter() });
    assert.equal(heartbeat.counts.updated, ninja.world.users.length);
  });

  test('values that do not fit fail per record, naming field, value and type; the dry run fails exactly those records', async (t) => {
    const oomnitza = await startOomnitzaEmulator({ users: 0, customFields: [...defaultCustomFields, ...moreFields] });
    t.after(() => oomnitza.close());
    const bad: IntegrationInput['mapping'] = {
      username: { expr: "'ninja-' & uid" },
      ninja_uid: 'uid',
      // A boolean into a number: only administrators have true here.
      ninja_id: { expr: 'administrator = true ? true : id' },
      // A value outside the dropdown for end users.
      department: { expr: "userType = 'TECHNICIAN' ? 'IT' : 'Helpdesk'" },
      // A list into a short text: too long for users with long role names.
      ninja_short: 'roles',
    };
    const dry = collectingReporter();
    const planned = await runSync({ ...parts(oomnitza, bad), reporter: dry, dryRun: true });
    assert.deepEqual(writesIn(oomnitza), []);
    const real = collectingReporter();
    const ran = await runSync({ ...parts(oomnitza, bad), reporter: real });
    const failedIn = (r: ReturnType<typeof collectingReporter>) =>
      new Map(r.outcomes.filter((o) => o.kind === 'user' && o.outcome === 'failed').map((o) => [o.sourceId, o.reason]));
    const dryFailed = failedIn(dry);
    assert.ok(dryFailed.size > 0 && dryFailed.size < ninja.world.users.length, `${dryFailed.size} failed`);
    assert.deepEqual(new Set(failedIn(real).keys()), new Set(dryFailed.keys()));
    assert.equal(planned.counts.failed, ran.counts.failed);

    const reasons = [...dryFailed.values()].join('\n');
    assert.match(reasons, /ninja_id \(integer\) cannot take true: it is not a number/);
    assert.match(reasons, /department \(dropdown\) cannot take "Helpdesk": it is not one of the dropdown's values \(IT, Finance/);
    assert.match(reasons, /ninja_short \(string\) cannot take the list \[.*\]: the field takes at most 12 characters/);
    const admin = ninja.world.users.find((u) => u.administrator);
    assert.ok(admin && dryFailed.has(String(admin.id)));
  });

  test('validate --online names every problem against the tenant in one pass; offline it cannot know them', async (t) => {
    const world = await startWorld(t, { users: 5 });
    const file = await writeIntegration(
      world,
      integrationYaml(`  ninja_id: administrator
  ninja_organization_id: deviceIds
  department: userType
  ninja_nope: firstName
  ninja_roles: roles
`),
    );
    const offline = await runCli(['validate', file], { env: world.env });
    assert.equal(offline.code, 0, offline.stdout + offline.stderr);
    const online = await runCli(['validate', '--online', file], { env: world.env });
    assert.equal(online.code, 1, online.stdout + online.stderr);
    const lines = online.stdout.trim().split('\n');
    assert.equal(lines.length, 4, online.stdout);
    assert.match(
      online.stdout,
      /:\d+:\d+ {2}mapping\.ninja_id {2}administrator is true\/false and Oomnitza field ninja_id \(integer\) takes a number/,
    );
    assert.match(
      online.stdout,
      /mapping\.ninja_organization_id {2}deviceIds is a list and Oomnitza field ninja_organization_id \(number\) takes one value/,
    );
    assert.match(
      online.stdout,
      /mapping\.department {2}userType takes "TECHNICIAN", "END_USER", which Oomnitza field department \(dropdown\) does not list/,
    );
    assert.match(
      online.stdout,
      /mapping\.ninja_nope {2}Oomnitza has no user field 'ninja_nope'\..* Create the field in Oomnitza's data model, then refresh the fields/,
    );

    // The run checks the same before reading anything, and writes nothing.
    world.oomnitza.knobs.clearLog();
    const dry = await runCli(['run', '--config', file, '--dry-run', '--data-dir', world.dataDir], { env: world.env });
    assert.equal(dry.code, 1, dry.stdout + dry.stderr);
    for (const field of ['ninja_id', 'ninja_organization_id', 'department', 'ninja_nope'])
      assert.match(dry.stderr, new RegExp(`mapping\\.${field}  `));
  });
});
