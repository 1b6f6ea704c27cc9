import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from './helpers.ts';

describe('ninja-sync demo', () => {
  test('runs two real syncs, writes only the changes the second time, stores the runs, and exits 0', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-demo-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const result = await runCli(['demo'], { cwd: dir });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const out = result.stdout;
    assert.match(out, /1\. NinjaOne emulator at http:\/\/127\.0\.0\.1:\d+ with 40 users/);
    assert.match(out, /3\. First sync/);
    assert.match(out, /5\. Second sync/);
    // The second sync wrote exactly the three changes made in NinjaOne: one rename, one phone, one new hire.
    const second = out.slice(out.indexOf('5. Second sync'));
    assert.match(second, /created +1\n/);
    assert.match(second, /updated +2\n/);
    assert.match(second, /Oomnitza received 3 write requests in the second sync/);
    assert.match(second, /updated +\S+ +last_name: "[^"]+" → "Fontaine"/);
    assert.match(second, /created +noor\.haddad@example\.com/);
    assert.match(out, /ninja-sync runs show [0-9a-f]{8}/);

    const list = await runCli(['runs', 'list', '--json'], { cwd: dir });
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { runs: unknown[] }).runs.length, 2);
  });

  test('Ctrl-C cancels the sync in hand: exit 3, and every stored run finished, none left running', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-demo-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const result = await runCli(['demo', '--users', '400'], {
      cwd: dir,
      onSpawn: (child) => {
        let seen = '';
        let pressed = false;
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += String(chunk);
          if (pressed || !seen.includes('3. First sync')) return;
          pressed = true; // once, as a person presses Ctrl-C
          child.kill('SIGINT');
        });
      },
    });
    assert.equal(result.code, 3, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /SIGINT: canceling at the next safe point/);
    const list = await runCli(['runs', 'list', '--json'], { cwd: dir });
    const states = (JSON.parse(list.stdout) as { runs: { state: string }[] }).runs.map((run) => run.state);
    assert.ok(states.length > 0 && !states.includes('running'), states.join(', '));
    assert.equal(states[0], 'canceled', states.join(', '));
  });
});
