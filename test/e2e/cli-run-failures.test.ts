/**
 * `ninja-sync run` end to end when things go wrong: refused credentials, injected faults, SIGINT
 * and SIGKILL mid-run. The CLI runs as a child process against both emulators over real HTTP; the
 * Oomnitza emulator's request log and store are the witnesses of what was written.
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
  type World,
  writeIntegration,
} from './helpers.ts';

function oomnitzaEmails(world: World): string[] {
  return [...world.oomnitza.store.users.values()]
    .map((u) => (typeof u['email'] === 'string' ? u['email'].toLowerCase() : ''))
    .filter(Boolean);
}

describe('ninja-sync run over the emulators, when things go wrong', () => {
  test('exit 1 when a service refuses the credentials, with no secret in the output', async (t) => {
    const world = await startWorld(t, { users: 10 });
    const file = await writeIntegration(world);
    const badToken = await runJson(world, file, [], { OOMNITZA_API_TOKEN: 'wrong-token-0123456789' });
    assert.equal(badToken.code, 1);
    assert.equal(badToken.json.state, 'failed');
    assert.match(badToken.json.error ?? '', /Oomnitza/);
    assert.ok(!JSON.stringify(badToken).includes('wrong-token-0123456789'));

    const badSecret = await runJson(world, file, [], { NINJAONE_CLIENT_SECRET: 'wrong-secret-9876543210' });
    assert.equal(badSecret.code, 1);
    assert.match(badSecret.json.error ?? '', /NinjaOne/);
    assert.ok(!JSON.stringify(badSecret).includes('wrong-secret-9876543210'));
    assert.equal(oomnitzaWrites(world), 0);
  });

  test('a mapping to a field this Oomnitza does not have is refused before any request that writes, with its line', async (t) => {
    const world = await startWorld(t, { users: 10 });
    const file = await writeIntegration(world, integrationYaml('  ninja_department: firstName\n'));
    const result = await runCli(['run', '--config', file, '--data-dir', world.dataDir], { env: world.env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /integration\.yaml:\d+:\d+ +mapping\.ninja_department +.*ninja_department/);
    assert.match(result.stderr, /not run; the mapping does not fit the users fields/);
    assert.equal(oomnitzaWrites(world), 0);
    assert.equal(world.ninjaone.knobs.log.filter((e) => e.path.startsWith('/v2/')).length, 0, 'NinjaOne was not read either');
  });

  test('an Oomnitza that cannot be reached: the skipped field check is said, the run fails saying so, and no retry is called answered', async (t) => {
    const world = await startWorld(t, { users: 5 });
    const file = await writeIntegration(world);
    // Port 9 (discard) has no listener here: every connection is refused.
    const result = await runCli(['run', '--dry-run', '--config', file, '--data-dir', world.dataDir], {
      env: { ...world.env, OOMNITZA_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /note: the users fields of http:\/\/127\.0\.0\.1:9 could not be read to check the mapping first \(.*connection refused/,
    );
    assert.match(result.stdout, /FAILED/);
    assert.match(result.stdout, /Could not read users from Oomnitza: .*connection refused/);
    assert.match(result.stdout, /Retried requests \(the run may have given up on some\): Oomnitza network ×\d+/);
    assert.doesNotMatch(result.stdout, /nothing lost/);
  });

  test('injected faults (429 storm, 500s, HTML pages, malformed JSON) still complete, with only the real failures', async (t) => {
    const world = await startWorld(t, { users: 40 });
    const file = await writeIntegration(world);
    world.oomnitza.knobs.settings.maxConcurrent = 3;
    world.oomnitza.knobs.settings.retryAfterSeconds = 0;
    world.oomnitza.knobs.settings.faults.push(
      { kind: 'status429', method: 'POST', probability: 0.3, retryAfterSeconds: 0 },
      { kind: 'status500', method: 'GET', probability: 0.2 },
      { kind: 'html', method: 'PATCH', probability: 0.2 },
      { kind: 'status500', method: 'POST', times: 3 },
    );
    world.ninjaone.knobs.settings.faults.push(
      { kind: 'status500', path: '/v2/users', times: 1 },
      { kind: 'html', path: '/v2/users', times: 1 },
      { kind: 'malformedJson', path: '/v2/users', times: 1 },
    );
    const awkward = awkwardUserIds(world.ninjaone.world);
    const { code, json, stderr } = await runJson(world, file, ['--concurrency', '8']);
    assert.equal(code, 2, stderr);
    assert.equal(json.state, 'completed_with_errors');
    assert.equal(json.counts.created, syncable(world));
    assert.equal(
      json.counts.failed,
      new Set([...awkward.duplicateEmail, ...awkward.duplicateEmailOtherCase]).size,
      JSON.stringify(json.problems),
    );
    const injected =
      world.oomnitza.knobs.log.filter((e) => e.injected !== null).length +
      world.ninjaone.knobs.log.filter((e) => e.injected !== null).length;
    assert.ok(injected >= 5, `faults were injected (${injected})`);
    assert.ok(world.ninjaone.knobs.log.some((e) => e.injected === 'malformedJson'));
    // The run says what it retried, by vendor and cause.
    const retries = (json as unknown as { retries: Record<string, number> }).retries;
    assert.ok((retries['NinjaOne 500'] ?? 0) >= 1, JSON.stringify(retries));
    assert.ok((retries['NinjaOne html'] ?? 0) >= 1, JSON.stringify(retries));
    assert.ok((retries['Oomnitza 500'] ?? 0) >= 1, JSON.stringify(retries));
    const emails = oomnitzaEmails(world);
    assert.equal(new Set(emails).size, emails.length, 'no user created twice');
  });

  test('exit 3 on SIGINT: canceled, stored as canceled, and a rerun finishes the job', async (t) => {
    const world = await startWorld(t, { users: 60 });
    const file = await writeIntegration(world);
    world.oomnitza.knobs.settings.latencyMs = 100;
    const result = await runCli(['run', '--config', file, '--json', '--concurrency', '2', '--data-dir', world.dataDir], {
      env: world.env,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (oomnitzaWrites(world) >= 4) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 10);
        child.on('exit', () => clearInterval(poll));
      },
    });
    assert.equal(result.code, 3, result.stderr);
    const json = parseJsonOutput(result) as unknown as RunJson;
    assert.equal(json.state, 'canceled');
    assert.ok(json.counts.created < syncable(world));
    const stored = await runCli(['runs', 'show', json.runId, '--json', '--data-dir', world.dataDir], { env: world.env });
    const storedRun = (JSON.parse(stored.stdout) as { run: { state: string; counts: { created: number } } }).run;
    assert.equal(storedRun.state, 'canceled');
    assert.equal(storedRun.counts.created, json.counts.created);

    world.oomnitza.knobs.settings.latencyMs = 0;
    const rerun = await runJson(world, file);
    assert.equal(rerun.json.counts.created + json.counts.created, syncable(world));
  });

  test('SIGKILL mid-run, then a rerun: every user in Oomnitza once, nothing duplicated', async (t) => {
    const world = await startWorld(t, { users: 60 });
    const file = await writeIntegration(world);
    const before = world.oomnitza.store.users.size;
    world.oomnitza.knobs.settings.latencyMs = 100;
    const killed = await runCli(['run', '--config', file, '--json', '--concurrency', '4', '--data-dir', world.dataDir], {
      env: world.env,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (oomnitzaWrites(world) >= 8) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 5);
        child.on('exit', () => clearInterval(poll));
      },
    });
    assert.equal(killed.signal, 'SIGKILL');
    const createdBeforeKill = world.oomnitza.store.users.size - before;

    world.oomnitza.knobs.settings.latencyMs = 0;
    const rerun = await runJson(world, file);
    assert.equal(rerun.code, 2, rerun.stderr);
    const awkward = awkwardUserIds(world.ninjaone.world);
    // Only the duplicate-email users fail: no "already exists" for users the killed run created.
    assert.equal(
      rerun.json.counts.failed,
      new Set([...awkward.duplicateEmail, ...awkward.duplicateEmailOtherCase]).size,
      JSON.stringify(rerun.json.problems),
    );
    const emails = oomnitzaEmails(world);
    assert.equal(new Set(emails).size, emails.length, 'no email twice in Oomnitza');
    assert.ok(
      createdBeforeKill >= 4 && createdBeforeKill < syncable(world),
      `the kill happened mid-run (${createdBeforeKill} created before it)`,
    );
    assert.equal(rerun.json.counts.created, syncable(world) - createdBeforeKill);
    const third = await runJson(world, file);
    assert.equal(third.json.counts.created + third.json.counts.updated, 0);
    // The killed run does not stay "running" for ever: the next run closed it as failed, saying why.
    const list = await runCli(['runs', 'list', '--json', '--data-dir', world.dataDir], { env: world.env });
    const runs = (JSON.parse(list.stdout) as { runs: { id: string; state: string; error: string | null }[] }).runs;
    assert.equal(runs.length, 3);
    const orphan = runs[2];
    assert.equal(orphan?.state, 'failed');
    assert.match(orphan.error ?? '', /stopped before it finished/);
  });
});
