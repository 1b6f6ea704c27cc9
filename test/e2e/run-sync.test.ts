import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { demoM2mClient, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { runSync } from '../../src/sync/run-sync.ts';
import { collectingReporter, syncParts } from './run-sync-setup.ts';

import type { NinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const writesIn = (oomnitza: OomnitzaEmulator) => oomnitza.knobs.log.filter((e) => writeMethods.has(e.method) && e.path.startsWith('/api/'));

/** The NinjaOne users the sync can create: a unique email after trim + lower case. */
function creatable(ninja: NinjaOneEmulator): Set<string> {
  const seen = new Map<string, number>();
  for (const user of ninja.world.users) {
    const email = user.email?.trim().toLowerCase() ?? '';
    if (email !== '') seen.set(email, (seen.get(email) ?? 0) + 1);
  }
  return new Set([...seen].filter(([, n]) => n === 1).map(([email]) => email));
}

function oomnitzaEmails(oomnitza: OomnitzaEmulator): string[] {
  return [...oomnitza.store.users.values()]
    .map((u) => (typeof u['email'] === 'string' ? u['email'].toLowerCase() : ''))
    .filter((e) => e !== '');
}

describe('runSync over HTTP, NinjaOne emulator to Oomnitza emulator', () => {
  let ninja: NinjaOneEmulator;
  before(async () => {
    ninja = await startNinjaOneEmulator({ seed: 11, users: 60 });
  });
  after(() => ninja.close());

  function parts(oomnitza: OomnitzaEmulator, recordType: 'user' | 'user_and_saas_user' = 'user') {
    return syncParts({ ninjaOneUrl: ninja.url, oomnitzaUrl: oomnitza.url, apiToken: oomnitza.apiToken, ...demoM2mClient, recordType });
  }

  test('initial sync writes every user it can; the resync writes nothing', async (t) => {
    const oomnitza = await startOomnitzaEmulator({ seed: 11, users: 10 });
    t.after(() => oomnitza.close());
    const expected = creatable(ninja);

    const reporter = collectingReporter();
    const first = await runSync({ ...parts(oomnitza, 'user_and_saas_user'), reporter });
    assert.ok(first.state === 'succeeded' || first.state === 'completed_with_errors', `${first.state}: ${first.error ?? ''}`);
    assert.equal(first.counts.created, expected.size);
    const failed = reporter.outcomes.filter((o) => o.kind === 'user' && o.outcome === 'failed');
    assert.ok(
      failed.every((o) => /same email/.test(o.reason ?? '')),
      'only the duplicated emails fail',
    );
    assert.equal(first.state, failed.length > 0 || (first.saasCounts?.failed ?? 0) > 0 ? 'completed_with_errors' : 'succeeded');
    const emails = oomnitzaEmails(oomnitza);
    for (const email of expected) assert.ok(emails.includes(email), `${email} is in Oomnitza`);
    assert.equal(
      first.saasCounts?.failed,
      0,
      JSON.stringify(reporter.outcomes.filter((o) => o.kind === 'saas' && o.outcome === 'failed').slice(0, 3)),
    );
    assert.equal(reporter.outcomes.filter((o) => o.kind === 'user').length, ninja.world.users.length, 'one user outcome per NinjaOne user');

    oomnitza.knobs.clearLog();
    const again = await runSync({ ...parts(oomnitza, 'user_and_saas_user'), reporter: collectingReporter() });
    assert.equal(again.counts.created, 0);
    assert.equal(again.counts.updated, 0);
    assert.equal(again.counts.unchanged, expected.size);
    assert.equal(again.saasCounts?.created, 0, 'the application exists and every assignment holds');
    assert.equal(again.saasCounts?.updated, 0);
    assert.deepEqual(writesIn(oomnitza), [], 'the resync makes no write');
  });

  test('a rerun after the process was killed mid-run creates no duplicates', async (t) => {
    const oomnitza = await startOomnitzaEmulator({ seed: 12, users: 10, knobs: { latencyMs: 25 } });
    t.after(() => oomnitza.close());
    const before = oomnitza.store.users.size;
    const expected = creatable(ninja);

    // The same sync in a child process, killed with SIGKILL once some users are written.
    const support = new URL('./run-sync-setup.ts', import.meta.url).href;
    const runner = new URL('../../src/sync/run-sync.ts', import.meta.url).href;
    const code = `
      import { syncParts, collectingReporter } from ${JSON.stringify(support)};
      import { runSync } from ${JSON.stringify(runner)};
      const parts = syncParts(JSON.parse(process.env.E2E_PARTS));
      await runSync({ ...parts, reporter: collectingReporter(), concurrency: 2 });`;
    const env = {
      ...process.env,
      E2E_PARTS: JSON.stringify({ ninjaOneUrl: ninja.url, oomnitzaUrl: oomnitza.url, apiToken: oomnitza.apiToken, ...demoM2mClient }),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    const deadline = Date.now() + 30_000;
    while (oomnitza.store.users.size < before + 8) {
      assert.ok(child.exitCode === null, `the child ended before the kill: ${stderr}`);
      assert.ok(Date.now() < deadline, 'the child did not start writing in time');
      await sleep(5);
    }
    child.kill('SIGKILL');
    await exited;
    const written = oomnitza.store.users.size - before;
    assert.ok(written < expected.size, `the kill came mid-run (${written} of ${expected.size} written)`);

    oomnitza.knobs.reset();
    const rerun = await runSync({ ...parts(oomnitza), reporter: collectingReporter() });
    assert.ok(rerun.state === 'succeeded' || rerun.state === 'completed_with_errors', `${rerun.state}: ${rerun.error ?? ''}`);
    assert.equal(rerun.counts.created + rerun.counts.unchanged, expected.size);
    assert.ok(rerun.counts.unchanged >= written, 'what the killed run wrote is found, not created again');
    const emails = oomnitzaEmails(oomnitza);
    assert.equal(new Set(emails).size, emails.length, 'no email is in Oomnitza twice');
    assert.equal(oomnitza.store.users.size, before + expected.size);
  });
});
