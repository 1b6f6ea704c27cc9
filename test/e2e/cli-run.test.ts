/**
 * `ninja-sync run` end to end: the CLI as a child process, both emulators over real HTTP, the
 * SQLite store in a temporary folder. The Oomnitza emulator's request log is the witness of what
 * was written.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { awkwardUserIds } from '../../emulators/common/world.ts';
import {
  integrationYaml,
  oomnitzaWrites,
  parseJsonOutput,
  runCli,
  type RunJson,
  runJson,
  startWorld,
  syncable,
  writeIntegration,
} from './helpers.ts';

describe('ninja-sync run over the emulators', () => {
  test('initial sync, then a resync that writes nothing; awkward records reported; runs readable afterwards', async (t) => {
    const world = await startWorld(t, { users: 30 });
    const file = await writeIntegration(world);
    const awkward = awkwardUserIds(world.ninjaone.world);
    const before = world.oomnitza.store.users.size;

    const first = await runJson(world, file);
    assert.equal(first.code, 2, first.stderr);
    assert.equal(first.json.state, 'completed_with_errors');
    assert.equal(first.json.counts.created, syncable(world));
    assert.equal(world.oomnitza.store.users.size, before + syncable(world));
    // No email: skipped and shown with the reason.
    const noEmail = first.json.problems.filter((p) => p.outcome === 'skipped' && awkward.noEmail.map(String).includes(p.sourceId ?? ''));
    assert.equal(noEmail.length, awkward.noEmail.length);
    assert.match(noEmail[0]?.reason ?? '', /email/);
    // The same email (in any case) on several users: every one of them failed, none written.
    const duplicates = new Set([...awkward.duplicateEmail, ...awkward.duplicateEmailOtherCase].map(String));
    const failed = first.json.problems.filter((p) => p.outcome === 'failed');
    assert.deepEqual(new Set(failed.map((p) => p.sourceId)), duplicates);
    assert.equal(first.json.counts.failed, duplicates.size);
    for (const p of failed) assert.match(p.reason, /same email/);

    world.oomnitza.knobs.clearLog();
    const second = await runJson(world, file);
    assert.equal(second.code, 2, second.stderr);
    assert.equal(second.json.counts.created, 0);
    assert.equal(second.json.counts.updated, 0);
    assert.equal(second.json.counts.unchanged, syncable(world));
    assert.equal(oomnitzaWrites(world), 0, JSON.stringify(world.oomnitza.knobs.countBy()));
    const reads = world.oomnitza.knobs.log.filter((e) => e.method === 'GET').length;
    assert.ok(
      reads <= 3,
      `a resync of ${syncable(world)} users should need a few reads, made ${reads}: ${JSON.stringify(world.oomnitza.knobs.countBy())}`,
    );

    const list = await runCli(['runs', 'list', '--json', '--data-dir', world.dataDir], { env: world.env });
    assert.equal(list.code, 0, list.stderr);
    const runs = (JSON.parse(list.stdout) as { runs: { id: string; state: string }[] }).runs;
    assert.deepEqual(
      runs.map((r) => r.id),
      [second.json.runId, first.json.runId],
    );

    const show = await runCli(['runs', 'show', first.json.runId.slice(0, 8), '--outcome', 'failed', '--data-dir', world.dataDir], {
      env: world.env,
    });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /completed_with_errors/);
    assert.equal(show.stdout.split('\n').filter((line) => /^\s+failed\s/.test(line)).length, duplicates.size, show.stdout);
  });

  test('the summary table on a non-terminal: log lines on stderr, table and reasons on stdout', async (t) => {
    const world = await startWorld(t, { users: 20 });
    const file = await writeIntegration(world);
    const result = await runCli(['run', '--config', file, '--data-dir', world.dataDir], { env: world.env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Fetching NinjaOne users/);
    assert.match(result.stderr, /Writing to Oomnitza \d+\/\d+/);
    assert.ok(!result.stderr.includes('\r'), 'no carriage returns off a terminal');
    assert.match(result.stdout, /^Run [0-9a-f-]+ of "e2e users" completed with errors in /);
    assert.match(result.stdout, /created +\d+/);
    assert.match(result.stdout, /Records that were not synced/);
    assert.match(result.stdout, /skipped +\S.* +no value in the sync key email/);
  });

  test('a dry run plans every change with old and new values and writes nothing', async (t) => {
    const world = await startWorld(t, { users: 20 });
    const file = await writeIntegration(world);
    const { code, json } = await runJson(world, file, ['--dry-run']);
    assert.equal(code, 2);
    assert.equal(json.dryRun, true);
    assert.equal(json.counts.created, syncable(world));
    assert.equal(oomnitzaWrites(world), 0);
    const planned = json.plan?.find((p) => p.outcome === 'created');
    assert.ok(planned, 'the plan lists the records to create');
    assert.ok(
      planned.changes.some((c) => c.field === 'email' && c.old === null && typeof c.new === 'string'),
      JSON.stringify(planned),
    );
  });

  test('exit 0 when every record succeeds (awkward users filtered out)', async (t) => {
    const world = await startWorld(t, { users: 20 });
    const awkward = awkwardUserIds(world.ninjaone.world);
    const excluded = [...awkward.duplicateEmail, ...awkward.duplicateEmailOtherCase];
    const file = await writeIntegration(
      world,
      integrationYaml(`filters:\n  - { field: email, op: exists }\n  - { field: id, op: nin, value: [${excluded.join(', ')}] }\n`),
    );
    const { code, json } = await runJson(world, file);
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.state, 'succeeded');
    assert.equal(json.ok, true);
    assert.equal(json.counts.failed, 0);
  });

  test('examples/ninjaone-users.yaml runs against the emulators with the variables `emulate` prints', async (t) => {
    const world = await startWorld(t, { users: 20 });
    const env = { ...world.env, NINJA_SYNC_ALLOW_INSECURE_HTTP: 'true' };
    const result = await runCli(['run', '--config', 'examples/ninjaone-users.yaml', '--dry-run', '--json', '--data-dir', world.dataDir], {
      env,
    });
    const json = parseJsonOutput(result) as unknown as RunJson;
    assert.equal(json.dryRun, true, result.stderr);
    assert.notEqual(json.state, 'failed', json.error ?? '');
    assert.ok(json.counts.created > 0);
    assert.ok(json.counts.filtered > 0, 'the example filters disabled users out, counted as filtered');
    assert.ok(!json.problems.some((p) => /filtered out/.test(p.reason)), 'a record dropped on purpose is not listed as a problem');
    assert.equal(oomnitzaWrites(world), 0);
  });

  test('user plus SaaS user: the SaaS application NinjaOne is created and synced users assigned with their roles', async (t) => {
    const world = await startWorld(t, { users: 20 });
    const file = await writeIntegration(world, integrationYaml('recordType: user_and_saas_user\n'));
    // One ordinary technician gets three NinjaOne roles: three SaaS role assignments in Oomnitza.
    const { noEmail, duplicateEmail, duplicateEmailOtherCase, disabled } = awkwardUserIds(world.ninjaone.world);
    const unsynced = new Set([...noEmail, ...duplicateEmail, ...duplicateEmailOtherCase, ...disabled]);
    const tech = world.ninjaone.world.users.find((u) => u.userType === 'TECHNICIAN' && !unsynced.has(u.id));
    assert.ok(tech);
    const techRoles = world.ninjaone.world.roles.filter((r) => r.type === 'TECHNICIAN').slice(0, 3);
    assert.equal(techRoles.length, 3);
    tech.roleIds = techRoles.map((r) => r.id);
    const rolesOfTech = (): string[] => {
      const user = [...world.oomnitza.store.users.values()].find((u) => u.email === tech.email);
      const app = [...world.oomnitza.store.saas.values()].find((a) => a.saas_name === 'NinjaOne');
      const su = [...world.oomnitza.store.saasUsers.values()].find((u) => u.uid === user?.uid && u.saas_id === app?.saas_id);
      return (su?.role_ids ?? []).map((id) => world.oomnitza.store.saasRoles.get(id)?.role_external_id ?? '?').sort();
    };

    const first = await runJson(world, file);
    const saasCounts = (first.json as unknown as { saasCounts?: Record<string, number> }).saasCounts;
    assert.ok(saasCounts, JSON.stringify(first.json));
    const synced = first.json.counts.created + first.json.counts.updated + first.json.counts.unchanged;
    const apps = [...world.oomnitza.store.saas.values()].filter((app) => app.saas_name === 'NinjaOne');
    assert.equal(apps.length, 1);
    const assigned = [...world.oomnitza.store.saasUsers.values()].filter((u) => u.saas_id === apps[0]?.saas_id && u.is_active);
    assert.equal(assigned.length, synced, `${JSON.stringify(saasCounts)} ${JSON.stringify(first.json.counts)}`);
    assert.ok(
      assigned.some((u) => u.role_ids.length > 0),
      'roles from the Roles List are assigned',
    );

    assert.deepEqual(rolesOfTech(), techRoles.map((r) => r.name).sort());

    const table = await runCli(['run', '--config', file, '--data-dir', world.dataDir], { env: world.env });
    assert.match(table.stdout, /users +SaaS users/);
    assert.match(table.stdout, /unchanged +\d+ +\d+/);

    // A role removed in NinjaOne is removed in Oomnitza on the next run, and only that user is rewritten.
    tech.roleIds = [techRoles[0]!.id, techRoles[2]!.id];
    const third = await runJson(world, file);
    assert.deepEqual(rolesOfTech(), [techRoles[0]!.name, techRoles[2]!.name].sort());
    assert.equal((third.json as unknown as { saasCounts: Record<string, number> }).saasCounts['updated'], 1);
    assert.equal(
      [...world.oomnitza.store.saas.values()].filter((app) => app.saas_name === 'NinjaOne').length,
      1,
      'the application is not created twice',
    );
  });
});
