import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { loadIntegrationFile, loadIntegrationText } from './load.ts';

const env = {
  NINJAONE_CLIENT_ID: 'client-id-1',
  NINJAONE_CLIENT_SECRET: 'super-secret-value-123',
  OOMNITZA_API_TOKEN: 'oomnitza-token-456',
};

const valid = `name: NinjaOne users
source:
  url: https://acme.rmmservice.com
  clientId: \${NINJAONE_CLIENT_ID}
  clientSecret: \${NINJAONE_CLIENT_SECRET}
destination:
  url: https://acme.oomnitza.com
  apiToken: \${OOMNITZA_API_TOKEN}
syncKeys: [email]
mapping:
  email: { field: email, transform: [trim, lower] }
  username: email
  first_name: firstName
  last_name: lastName
`;

describe('loadIntegrationText', () => {
  test('a valid file loads with variables substituted and defaults applied', () => {
    const result = loadIntegrationText(valid, { env });
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.ok(result.integration);
    assert.equal(result.integration.source.clientSecret, 'super-secret-value-123');
    assert.equal(result.integration.destination.apiToken, 'oomnitza-token-456');
    assert.equal(result.integration.preference, 'create_and_update');
    assert.deepEqual(result.integration.syncKeys, ['email']);
  });

  test('${VAR:-default} falls back, $${ is a literal, and a whole unquoted reference keeps its YAML type', () => {
    const text = valid
      .replace('name: NinjaOne users', () => 'name: "cost $${AMOUNT} ${TEAM:-IT}"')
      .replace('syncKeys: [email]', 'allowInsecureHttp: ${INSECURE}\nsyncKeys: [email]');
    const result = loadIntegrationText(text, { env: { ...env, INSECURE: 'true' } });
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.equal(result.integration?.name, 'cost ${AMOUNT} IT');
    assert.equal(result.integration?.allowInsecureHttp, true);
  });

  test('a missing variable is a problem naming the variable, the path and the line', () => {
    const result = loadIntegrationText(valid, { env: { ...env, NINJAONE_CLIENT_SECRET: undefined } });
    assert.equal(result.ok, false);
    assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
    const [problem] = result.problems;
    assert.equal(problem?.path, 'source.clientSecret');
    assert.equal(problem?.line, 5);
    assert.equal(problem?.column, 17);
    assert.match(problem?.message ?? '', /NINJAONE_CLIENT_SECRET is not set/);
  });

  test('an unknown key gets a "did you mean" with its own line', () => {
    const text = valid.replace('  clientId:', '  clientID:').replace('syncKeys:', 'synckeys:');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    const byPath = new Map(result.problems.map((p) => [p.path, p]));
    const clientId = byPath.get('source.clientID');
    assert.ok(clientId, JSON.stringify(result.problems));
    assert.equal(clientId.line, 4);
    assert.equal(clientId.column, 3);
    assert.equal(clientId.message, "unknown key 'clientID' — did you mean 'clientId'?");
    const syncKeys = byPath.get('synckeys');
    assert.equal(syncKeys?.message, "unknown key 'synckeys' — did you mean 'syncKeys'?");
    assert.equal(syncKeys.line, 9);
  });

  test('a misspelt key inside a mapping target points at that key', () => {
    const text = valid.replace('{ field: email, transform: [trim, lower] }', '{ field: email, transfrom: [trim] }');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    const problem = result.problems.find((p) => p.path === 'mapping.email.transfrom');
    assert.ok(problem, JSON.stringify(result.problems));
    assert.equal(problem.line, 11);
    assert.match(problem.message, /did you mean 'transform'/);
  });

  test('every problem is reported at once, each with its line', () => {
    const text = valid.replace('syncKeys: [email]', 'syncKeys: []\npreference: sometimes');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    const paths = result.problems.map((p) => `${p.path}@${p.line}`).sort();
    assert.deepEqual(paths, ['preference@10', 'syncKeys@9']);
    assert.match(result.problems.find((p) => p.path === 'preference')?.message ?? '', /create_and_update/);
  });

  test('a secret of the wrong type shows its path, never its value', () => {
    const text = valid
      .replace('clientSecret: ${NINJAONE_CLIENT_SECRET}', 'clientSecret: 918273645546372819')
      .replace('apiToken: ${OOMNITZA_API_TOKEN}', 'apiToken: [tok-98765-abcde]');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    const all = JSON.stringify(result.problems);
    assert.ok(!all.includes('918273645546372819'), all);
    assert.ok(!all.includes('tok-98765-abcde'), all);
    assert.ok(result.problems.some((p) => p.path === 'source.clientSecret' && p.line === 5));
    assert.ok(result.problems.some((p) => p.path === 'destination.apiToken' && p.line === 8));
  });

  test('a value of the wrong type says what it found, not that the key is missing', () => {
    const result = loadIntegrationText(valid.replace('syncKeys: [email]', 'syncKeys: email').replace('name: NinjaOne users', 'name: [a]'), {
      env,
    });
    assert.equal(result.ok, false);
    const syncKeys = result.problems.find((p) => p.path === 'syncKeys');
    assert.equal(syncKeys?.message, 'expected a list, found a string', JSON.stringify(result.problems));
    assert.equal(syncKeys.line, 9);
    assert.equal(result.problems.find((p) => p.path === 'name')?.message, 'expected a string, found a list');
    const missing = loadIntegrationText(valid.replace('syncKeys: [email]\n', ''), { env });
    assert.equal(missing.problems.find((p) => p.path === 'syncKeys')?.message, 'required: expected a list');
  });

  test('a YAML syntax error is reported with its line, without the text around it', () => {
    const text = valid.replace('  clientSecret: ${NINJAONE_CLIENT_SECRET}', '  clientSecret: hunter2-secret: oops');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    assert.equal(result.problems[0]?.line, 5);
    assert.match(result.problems[0]?.message ?? '', /^YAML: /);
    assert.ok(!JSON.stringify(result.problems).includes('hunter2'));
  });

  test('a value from the environment cannot change the structure of the document', () => {
    const result = loadIntegrationText(valid, { env: { ...env, NINJAONE_CLIENT_ID: 'x\nrecordType: user_and_saas_user' } });
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.equal(result.integration?.recordType, 'user');
    assert.equal(result.integration?.source.clientId, 'x\nrecordType: user_and_saas_user');
  });

  test('mapping rules are checked after the schema: a sync key that is not mapped', () => {
    const text = valid.replace('syncKeys: [email]', 'syncKeys: [employee_number]');
    const result = loadIntegrationText(text, { env });
    assert.equal(result.ok, false);
    const problem = result.problems.find((p) => p.path.startsWith('syncKeys'));
    assert.ok(problem, JSON.stringify(result.problems));
    assert.equal(problem.line, 9);
  });

  test('an empty file says what it should hold', () => {
    const result = loadIntegrationText('', { env });
    assert.equal(result.ok, false);
    assert.match(result.problems[0]?.message ?? '', /mapping with name, source/);
  });
});

describe('loadIntegrationFile', () => {
  test('reads a file, and names a missing one without crashing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-load-'));
    try {
      const file = join(dir, 'i.yaml');
      await writeFile(file, valid);
      assert.equal((await loadIntegrationFile(file, { env })).ok, true);
      const missing = await loadIntegrationFile(join(dir, 'nope.yaml'), { env });
      assert.equal(missing.ok, false);
      assert.match(missing.problems[0]?.message ?? '', /no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
