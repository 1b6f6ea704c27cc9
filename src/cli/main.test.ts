import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { openDatabase } from '../db/open-database.ts';
import { createRun } from '../runs/run-store.ts';
import { exitCodes } from './exit-codes.ts';
import { main } from './main.ts';
import { captureIo } from './test-io.test-support.ts';

const env = { NINJAONE_CLIENT_ID: 'id', NINJAONE_CLIENT_SECRET: 'very-secret-value', OOMNITZA_API_TOKEN: 'token-value-1' };

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ninja-sync-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ninja-sync (in-process)', () => {
  test('--help lists the commands and the exit codes, and exits 0', async () => {
    const io = captureIo();
    assert.equal(await main(['--help'], io), exitCodes.ok);
    for (const word of ['validate', 'run', 'runs', 'emulate', 'demo', 'Exit codes', '64']) assert.ok(io.stdout().includes(word), word);
  });

  test('--version prints the version of the package, and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const io = captureIo();
      assert.equal(await main([flag], io), exitCodes.ok);
      assert.equal(io.stdout(), `${version}\n`);
    }
  });

  test('run --help documents the exit codes', async () => {
    const io = captureIo();
    assert.equal(await main(['run', '--help'], io), exitCodes.ok);
    assert.match(io.stdout(), /--dry-run/);
    assert.match(io.stdout(), /2 +completed with errors/);
    assert.match(io.stdout(), /3 +canceled/);
  });

  test('usage errors exit 64: no command, unknown command, unknown option, missing --config, bad number, bad fault', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['run', '--config', 'x.yaml', '--bogus'],
      ['run'],
      ['run', '--config', 'x', '--concurrency', 'lots'],
      ['run', '--config', 'x', '--concurrency', '65'],
      ['emulate', '--fault', 'meteor:0.5'],
      ['emulate', '--fault', 'html:2'],
    ]) {
      const io = captureIo();
      assert.equal(await main(argv, io), exitCodes.usage, argv.join(' '));
      assert.ok(io.stderr().length > 0, `explains ${argv.join(' ')}`);
    }
  });

  test('validate prints FILE:LINE:COL  path  message for every problem and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: Bad',
        'source:',
        '  url: https://acme.rmmservice.com',
        '  clientId: ${NINJAONE_CLIENT_ID}',
        '  clientSecrt: x',
        'destination:',
        '  url: https://acme.oomnitza.com',
        '  apiToken: ${MISSING_TOKEN}',
        'syncKeys: [email]',
        'preference: often',
        'mapping:',
        '  email: email',
        '',
      ].join('\n'),
    );
    const io = captureIo({ env });
    assert.equal(await main(['validate', file], io), exitCodes.failed);
    const lines = io.stdout().trim().split('\n');
    assert.deepEqual(
      lines.sort(),
      [
        `${file}:10:13  preference  must be one of "create_and_update", "create_only", "update_only"`,
        `${file}:5:3  source.clientSecrt  unknown key 'clientSecrt' — did you mean 'clientSecret'?`,
        `${file}:8:13  destination.apiToken  environment variable MISSING_TOKEN is not set; set it, or give a default as \${MISSING_TOKEN:-value}`,
      ].sort(),
    );
    assert.match(io.stderr(), /3 problems/);
  });

  test('validate accepts the example file when its variables are set', async () => {
    const io = captureIo({ env });
    assert.equal(await main(['validate', 'examples/ninjaone-users.yaml'], io), exitCodes.ok, io.stdout());
    assert.match(io.stdout(), /OK — "NinjaOne users"/);
  });

  test("validate checks a Local file as the server imports it: the variables are its agent's, listed, not required here", async () => {
    const file = join(dir, 'local.yaml');
    const lines = [
      'name: Site A users',
      'installation: local',
      'agent: site-a',
      'source:',
      '  url: https://acme.rmmservice.com',
      '  clientId: demo-m2m',
      '  clientSecret: ${NINJAONE_CLIENT_SECRET}',
      'destination:',
      '  url: https://acme.oomnitza.com',
      '  apiToken: ${OOMNITZA_TOKEN_SITE_A}',
      'syncKeys: [username]',
      'mapping:',
      '  username: { expr: "\'ninja-\' & $string(id)" }',
      '',
    ];
    await writeFile(file, lines.join('\n'));
    const io = captureIo({ env: {} });
    assert.equal(await main(['validate', file], io), exitCodes.ok, io.stdout() + io.stderr());
    assert.match(io.stdout(), /Local: run by agent "site-a", which must hold NINJAONE_CLIENT_SECRET, OOMNITZA_TOKEN_SITE_A/);
    // The same references in a Cloud file are this machine's to set.
    await writeFile(file, lines.filter((l) => !l.startsWith('installation') && !l.startsWith('agent')).join('\n'));
    const cloud = captureIo({ env: {} });
    assert.equal(await main(['validate', file], cloud), exitCodes.failed);
    assert.match(cloud.stdout(), /environment variable NINJAONE_CLIENT_SECRET is not set/);
  });

  test('validate --json prints one object', async () => {
    const io = captureIo({ env: {} });
    assert.equal(await main(['validate', 'examples/ninjaone-users.yaml', '--json'], io), exitCodes.failed);
    const parsed = JSON.parse(io.stdout()) as { ok: boolean; problems: { path: string; line: number }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.problems.map((p) => p.path).sort(), ['destination.apiToken', 'source.clientId', 'source.clientSecret']);
  });

  test('run with a bad setting in the environment stops before anything, naming it, with --json on stdout', async () => {
    const file = join(dir, 'never-read.yaml');
    const io = captureIo({ env: { ...env, NINJA_SYNC_RUN_EXPRESSION_MS: 'soon' } });
    assert.equal(await main(['run', '--config', file, '--json', '--data-dir', join(dir, 'bad-setting')], io), exitCodes.usage);
    const json = JSON.parse(io.stdout()) as { ok: boolean; error: string };
    assert.equal(json.ok, false);
    assert.match(json.error, /NINJA_SYNC_RUN_EXPRESSION_MS: use a whole number of milliseconds, e\.g\. 60000/);
    assert.equal(existsSync(join(dir, 'bad-setting')), false, 'no store was opened');
    const yes = captureIo({ env: { ...env, NINJA_SYNC_ALLOW_PRIVATE_HOSTS: 'yes' } });
    assert.equal(await main(['run', '--config', file, '--data-dir', join(dir, 'bad-setting')], yes), exitCodes.usage);
    assert.match(yes.stderr(), /NINJA_SYNC_ALLOW_PRIVATE_HOSTS: use true or false/);
  });

  test('agent with a bad setting in the environment stops at start naming each, before it calls the server', async () => {
    const io = captureIo({ env: { LOG_LEVEL: 'loud', NINJA_SYNC_EXPRESSION_MEMORY_MB: '8' } });
    const args = ['agent', '--server', 'https://sync.example.com', '--token', 'nsa_x', '--data-dir', join(dir, 'agent-bad-setting')];
    assert.equal(await main(args, io), exitCodes.usage);
    assert.match(
      io.stderr(),
      /^ninja-sync agent: the configuration is not valid:\n {2}- LOG_LEVEL: .*\n {2}- NINJA_SYNC_EXPRESSION_MEMORY_MB: at least 16\n$/,
    );
  });

  test('run with a broken file lists its problems, never a secret, and exits 1 without running', async () => {
    const file = join(dir, 'secret.yaml');
    await writeFile(
      file,
      [
        'name: S',
        'source:',
        '  clientSecret: [very-secret-value]',
        'destination: {}',
        'syncKeys: [email]',
        'mapping: { email: email }',
        '',
      ].join('\n'),
    );
    const io = captureIo({ env });
    assert.equal(await main(['run', '--config', file, '--data-dir', join(dir, 'data')], io), exitCodes.failed);
    assert.match(io.stderr(), /source\.clientSecret/);
    assert.ok(!io.stderr().includes('very-secret-value'));
    assert.ok(!io.stdout().includes('very-secret-value'));
  });

  test('run with a stored-credential reference says what to write instead', async () => {
    const file = join(dir, 'credential.yaml');
    await writeFile(
      file,
      [
        'name: C',
        'source: { credential: ninjaone-prod }',
        'destination: { url: "https://acme.oomnitza.com", apiToken: t }',
        'syncKeys: [email]',
        'mapping: { email: email, username: email }',
        '',
      ].join('\n'),
    );
    const io = captureIo({ env });
    assert.equal(await main(['run', '--config', file, '--json', '--data-dir', join(dir, 'data')], io), exitCodes.failed);
    const parsed = JSON.parse(io.stdout()) as { ok: boolean; problems: { path: string; line: number; message: string }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(
      parsed.problems.map((p) => [p.path, p.line]),
      [['source.credential', 2]],
    );
    assert.match(
      parsed.problems[0]?.message ?? '',
      /"ninjaone-prod" names a NinjaOne credential stored on a server.*replace line 2 with .*clientSecret/,
    );
    // validate says the same, so its OK is never followed by run's refusal.
    const validate = captureIo({ env });
    assert.equal(await main(['validate', file], validate), exitCodes.failed);
    assert.match(validate.stdout(), /credential\.yaml:2:\d+ {2}source\.credential {2}"ninjaone-prod" names a NinjaOne credential/);
    assert.equal(await main(['validate', '--server', file], captureIo({ env })), exitCodes.ok, 'as a server import, the name is fine');
  });

  test('runs show with a prefix of two runs names both, and a longer prefix shows the one', async () => {
    const dataDir = join(dir, 'two-runs');
    const store = await openDatabase({ dataDir });
    for (const id of ['abcd1111-0000-4000-8000-000000000001', 'abcd2222-0000-4000-8000-000000000002']) {
      const run = await createRun(store.db, { integrationId: null, integrationName: 'Twins', trigger: 'manual' });
      await store.db.updateTable('runs').set({ id }).where('id', '=', run.id).execute();
    }
    await store.close();
    const both = captureIo();
    assert.equal(await main(['runs', 'show', 'abcd', '--data-dir', dataDir], both), exitCodes.failed);
    assert.match(both.stderr(), /abcd is the start of abcd1111-\S+, abcd2222-\S+; give more of the id/);
    const one = captureIo();
    assert.equal(await main(['runs', 'show', 'abcd2', '--data-dir', dataDir], one), exitCodes.ok, one.stderr());
    assert.match(one.stdout(), /^Run abcd2222-0000-4000-8000-000000000002: queued/);
  });

  test('runs list on an empty store says how to start', async () => {
    const io = captureIo();
    assert.equal(await main(['runs', 'list', '--data-dir', join(dir, 'empty-data')], io), exitCodes.ok);
    assert.match(io.stdout(), /No runs yet/);
    const show = captureIo();
    assert.equal(await main(['runs', 'show', 'abcdef12', '--data-dir', join(dir, 'empty-data')], show), exitCodes.failed);
    assert.match(show.stderr(), /no run abcdef12: there is no store at .*empty-data/);
    // Reading makes nothing: a mistyped --data-dir leaves no empty store behind.
    assert.equal(existsSync(join(dir, 'empty-data')), false);
    const json = captureIo();
    assert.equal(await main(['runs', 'list', '--json', '--data-dir', join(dir, 'empty-data')], json), exitCodes.ok);
    assert.deepEqual(JSON.parse(json.stdout()), { runs: [] });
  });
});
