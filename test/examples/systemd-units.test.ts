/**
 * The example systemd units in examples/systemd: `systemd-analyze verify` accepts them without a
 * single warning (an unknown or misspelt directive is only a warning there, so the test reads its
 * output), and each carries the hardening the README promises: its own user, a read-only system, one
 * writable state directory, restart on failure, and an environment file shipped beside it. The
 * command each starts is one the CLI knows, with options its help lists.
 *
 * `systemd-analyze` comes with Debian's systemd package (on every machine this project runs on;
 * `.ci/run` installs it where missing). Units name `/usr/local/bin/ninja-sync`, where
 * `npm install -g` puts it; the check points them at this checkout's `bin/ninja-sync.js` instead,
 * because verify refuses a command that is not there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { main } from '../../src/cli/main.ts';
import { captureIo } from '../../src/cli/test-io.test-support.ts';
import { binPath, repoRoot } from '../e2e/helpers.ts';

const run = promisify(execFile);
const unitsDir = join(repoRoot, 'examples', 'systemd');
const installedBin = '/usr/local/bin/ninja-sync';

type Unit = Map<string, Map<string, string[]>>;

/** A unit file as sections of directives (a directive may repeat). */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1] ?? '', section);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `a directive inside a section: ${line}`);
    const key = line.slice(0, eq);
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

function one(unit: Unit, section: string, key: string): string {
  const values = unit.get(section)?.get(key) ?? [];
  assert.equal(values.length, 1, `[${section}] ${key}= appears once`);
  return values[0] ?? '';
}

const units = readdirSync(unitsDir).filter((name) => name.endsWith('.service'));

describe('example systemd units', () => {
  test('there is a unit for the server, the worker and the agent', () => {
    assert.deepEqual(units.sort(), ['ninja-sync-agent.service', 'ninja-sync-worker@.service', 'ninja-sync.service']);
  });

  for (const name of units) {
    test(`${name}: own user, read-only system, a writable state directory, restart on failure, its environment file`, async () => {
      const unit = parseUnit(readFileSync(join(unitsDir, name), 'utf8'));
      const user = one(unit, 'Service', 'User');
      assert.match(user, /^ninja-sync/);
      assert.equal(one(unit, 'Service', 'Group'), user);
      assert.equal(one(unit, 'Service', 'Restart'), 'on-failure');
      assert.equal(one(unit, 'Service', 'ProtectSystem'), 'strict');
      assert.equal(one(unit, 'Service', 'ProtectHome'), 'yes');
      assert.equal(one(unit, 'Service', 'PrivateTmp'), 'yes');
      assert.equal(one(unit, 'Service', 'NoNewPrivileges'), 'yes');
      assert.equal(one(unit, 'Service', 'CapabilityBoundingSet'), '');
      const state = one(unit, 'Service', 'StateDirectory');
      assert.equal(one(unit, 'Service', 'StateDirectoryMode'), '0700');
      assert.equal(one(unit, 'Service', 'WorkingDirectory'), `/var/lib/${state}`);
      assert.equal(unit.get('Service')?.has('ReadWritePaths'), false, 'nothing writable beyond the state directory');
      const envFile = one(unit, 'Service', 'EnvironmentFile');
      assert.match(envFile, /^\/etc\/ninja-sync\/[a-z]+\.env$/);
      assert.ok(existsSync(join(unitsDir, basename(envFile))), `${basename(envFile)} is shipped beside the unit`);
      assert.equal(one(unit, 'Install', 'WantedBy'), 'multi-user.target');

      const exec = one(unit, 'Service', 'ExecStart').split(/\s+/);
      assert.equal(exec[0], installedBin);
      const command = exec[1];
      if (command === 'agent') {
        // The agent command is built beside this; its unit follows the interface it was given.
        assert.deepEqual(
          exec.filter((word) => word.startsWith('--')),
          ['--server', '--token', '--data-dir'],
        );
        assert.equal(exec[exec.indexOf('--data-dir') + 1], `/var/lib/${state}`);
      } else {
        // The command exists and lists every option the unit (or its environment file) gives it.
        const io = captureIo();
        assert.equal(await main([command ?? '', '--help'], io), 0, io.stderr());
        const envText = readFileSync(join(unitsDir, basename(envFile)), 'utf8');
        const flags = [...exec.slice(2), ...(/^#? ?NINJA_SYNC_SERVE_FLAGS=(.+)$/m.exec(envText)?.[1] ?? '').split(/\s+/)];
        for (const flag of flags.filter((word) => word.startsWith('--')))
          assert.match(io.stdout(), new RegExp(` ${flag}\\b`), `${command} ${flag}`);
      }
    });
  }

  test('systemd-analyze verify accepts every unit without a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ninja-sync-units-'));
    try {
      for (const name of units) {
        const text = readFileSync(join(unitsDir, name), 'utf8').replaceAll(installedBin, binPath);
        writeFileSync(join(dir, name), text);
      }
      // A template is checked as itself and as an instance.
      const paths = [...units, 'ninja-sync-worker@1.service'].map((name) => join(dir, name));
      const result = await run('systemd-analyze', ['verify', '--man=no', ...paths]).catch(
        (error: { code?: unknown; stdout?: string; stderr?: string }) => {
          if (error.code === 'ENOENT') throw new Error('systemd-analyze is not installed: apt-get install systemd (.ci/run does)');
          return { stdout: error.stdout ?? '', stderr: `${error.stderr ?? ''} (exit ${String(error.code)})` };
        },
      );
      assert.equal(`${result.stdout}${result.stderr}`, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the check notices a misspelt directive (it is only a warning to systemd-analyze)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ninja-sync-units-'));
    try {
      const text = readFileSync(join(unitsDir, 'ninja-sync.service'), 'utf8')
        .replaceAll(installedBin, binPath)
        .replace('ProtectHome=yes', 'ProtectHomes=yes');
      writeFileSync(join(dir, 'ninja-sync.service'), text);
      const result = await run('systemd-analyze', ['verify', '--man=no', join(dir, 'ninja-sync.service')]);
      assert.match(result.stderr, /Unknown key 'ProtectHomes'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
