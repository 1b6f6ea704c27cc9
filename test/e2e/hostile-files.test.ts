/**
 * Hostile integration files and bodies: a 200 KB YAML nested 100,000 deep, a "billion laughs"
 * alias bomb, an indentation staircase and a 100,000-deep JSON body. The server answers 400 naming
 * the line, stays up and stores nothing; the CLI (`validate` and `run`, as real child processes)
 * prints FILE:LINE:COL and exits 1 instead of crashing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { exitCodes } from '../../src/cli/exit-codes.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../../src/cli/test-io.test-support.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import { runCli } from './helpers.ts';

/** `name: x` then 100,000 nested flow sequences on line 2: 200 KB. */
const deepFlow = `name: x\nmapping: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
/** 100,000 nested block sequences on one line (the form that took the server down). */
const deepBlock = `name: x\nmapping:\n  ${'- '.repeat(100_000)}x\n`;
/** Each line one level deeper: 300 levels of indentation. */
const staircase = `name: x\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`;
/** Nine levels of nine aliases each: 387,420,489 strings once expanded. */
const aliasBomb = [
  'name: x',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, index) => {
    const previous = 'abcdefghi'[index]!;
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`;
  }),
  '',
].join('\n');

const hostile: readonly { name: string; text: string; line: number; message: RegExp }[] = [
  { name: 'nested 100,000 deep (flow)', text: deepFlow, line: 2, message: /nests deeper than 64 levels/ },
  { name: 'nested 100,000 deep (block)', text: deepBlock, line: 3, message: /nests deeper than 64 levels/ },
  { name: 'an indentation staircase', text: staircase, line: 65, message: /nests deeper than 64 levels/ },
  { name: 'a billion laughs', text: aliasBomb, line: 3, message: /aliases .* expand into too many values/ },
];

forEachDialect('hostile bodies', (target) => {
  test('server: deep YAML, alias bombs and deep JSON answer 400 with the line; the server stays up and stores nothing', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);

    for (const { name, text, line, message } of hostile) {
      const answer = await admin.fetchRaw(`${server.url}/api/integrations/import`, {
        method: 'POST',
        body: text,
        headers: { 'content-type': 'application/yaml', 'x-csrf-token': admin.csrfToken! },
      });
      const body = (await answer.json()) as { error: { code: string; message: string; details: { fields: { line?: number }[] } } };
      assert.equal(answer.status, 400, `${name}: ${JSON.stringify(body)}`);
      assert.match(body.error.message, message, name);
      assert.match(body.error.message, new RegExp(`^the YAML file has 1 problem\\(s\\): line ${line}: `), name);
      assert.equal(body.error.details.fields[0]?.line, line, name);
      assert.equal((await admin.get('/healthz')).status, 200, `alive after ${name}`);
    }

    const deepJson = `{"name":"x","syncKeys":["email"],\n"mapping":{"email":{"value":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`;
    const json = await admin.put('/api/integrations/none', deepJson);
    assert.equal(json.status, 400, json.text);
    assert.equal(json.body.error.code, 'bad_request');
    assert.match(json.body.error.message, /nests deeper than 64 levels at line 2, column 90/);
    const preview = await admin.post('/api/integrations/preview', deepJson);
    assert.equal(preview.status, 400, preview.text);

    assert.equal((await admin.get('/healthz')).status, 200);
    assert.deepEqual((await admin.get('/api/integrations')).body.integrations, [], 'nothing was stored');
  });
});

describe('CLI with hostile files', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ninja-sync-hostile-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('validate and run print FILE:LINE:COL and exit 1 for deep YAML and alias bombs', async () => {
    for (const [index, { name, text, line, message }] of hostile.entries()) {
      const file = join(dir, `hostile-${index}.yaml`);
      await writeFile(file, text);
      const validate = captureIo({ env: {} });
      assert.equal(await main(['validate', file], validate), exitCodes.failed, name);
      assert.match(validate.stdout(), new RegExp(`^${file.replaceAll('.', '\\.')}:${line}:\\d+  \\(file\\)  YAML: `), name);
      assert.match(validate.stdout(), message, name);
      const run = captureIo({ env: {} });
      assert.equal(await main(['run', '--config', file, '--data-dir', join(dir, 'data')], run), exitCodes.failed, name);
      assert.match(run.stderr(), message, name);
    }
  });

  test('as child processes, too: the process ends with exit 1 and a clear message, never a crash', async () => {
    const deep = join(dir, 'deep.yaml');
    await writeFile(deep, deepBlock);
    const validate = await runCli(['validate', deep], { timeoutMs: 60_000 });
    assert.equal(validate.code, 1, validate.stderr);
    assert.match(validate.stdout, /deep\.yaml:3:\d+ +\(file\) +YAML: the file nests deeper than 64 levels/);
    const bomb = join(dir, 'bomb.yaml');
    await writeFile(bomb, aliasBomb);
    const run = await runCli(['run', '--config', bomb, '--data-dir', join(dir, 'data')], { timeoutMs: 60_000 });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /bomb\.yaml:3:\d+ .*aliases .* expand into too many values/);
    assert.doesNotMatch(run.stderr, /RangeError|FATAL|at .*\.ts:\d+/, 'a clear error, no stack');
  });
});
