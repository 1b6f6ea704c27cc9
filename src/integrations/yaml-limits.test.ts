import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { maxYamlDepth, yamlLimitProblem } from './yaml-limits.ts';

test('honest files pass: the example, block scalars and quoted text full of brackets, comments', () => {
  assert.equal(yamlLimitProblem(readFileSync('examples/ninjaone-users.yaml', 'utf8')), null);
  const brackets = '['.repeat(200);
  const text = [
    'name: x # [[[[',
    'customFields:',
    `  a: "${brackets}"`,
    `  b: '${brackets}'`,
    '  c: |',
    `    ${brackets}`,
    `    - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -`,
    `# ${brackets}`,
    'mapping: { a: { b: [ { c: [1, 2] } ] } }',
    '',
  ].join('\n');
  assert.equal(yamlLimitProblem(text), null);
});

test('the first place past the depth limit is found, in flow and in block style', () => {
  const flow = `a: ${'['.repeat(maxYamlDepth + 5)}${']'.repeat(maxYamlDepth + 5)}`;
  const problem = yamlLimitProblem(flow);
  assert.ok(problem);
  assert.equal(flow[problem.offset], '[');
  assert.equal(problem.offset, 3 + maxYamlDepth - 2, 'the bracket that opens level 65 (the line and its key "a:" count two)');
  assert.match(problem.message, /nests deeper than 64 levels/);
  assert.ok(yamlLimitProblem(`${'- '.repeat(maxYamlDepth + 1)}x`));
  assert.equal(yamlLimitProblem(`${'- '.repeat(maxYamlDepth - 1)}x`), null);
});

test('a file past the size limit is refused before it is read', () => {
  const problem = yamlLimitProblem('a: 1\n'.repeat(10), { maxChars: 20 });
  assert.match(problem?.message ?? '', /50 characters, more than the 20/);
});
