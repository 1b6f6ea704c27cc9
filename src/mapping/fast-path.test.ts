import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsonata from 'jsonata';

import { bail, compileFastPath, type Lookups } from './fast-path.ts';

const organizations = new Map<number, unknown>([
  [5, { id: 5, name: 'Acme GmbH', tags: ['a'] }],
  [6, { id: 6, name: null }],
]);
const devices = new Map<number, unknown>([[9, { id: 9, displayName: 'LAPTOP-9', nested: { deep: 'x' } }]]);
const lookup =
  (map: Map<number, unknown>) =>
  (id: unknown): unknown =>
    typeof id === 'number' ? map.get(id) : undefined;
const lookups: Lookups = { organization: lookup(organizations), device: lookup(devices) };

const inputs: Record<string, unknown>[] = [
  { firstName: 'Ada', lastName: 'Lovelace', enabled: true, organizationId: 5, id: 1 },
  { firstName: 'Ada', enabled: false, id: 2 },
  { lastName: '山田', organizationId: 6, id: 3, deviceId: 9 },
  { firstName: '', lastName: '', enabled: true, organizationId: 404, id: 4 },
  { firstName: 'Zoë', roles: ['Admin'], organizationId: 5, id: 2 ** 53, big: 1e21, fraction: 0.1 },
  { firstName: 7, lastName: true, id: 0 },
  {},
];

const expressions = [
  "firstName & ' ' & lastName",
  'firstName',
  'lastName & firstName & id',
  "roles & 'x'",
  "big & ''",
  "fraction & ''",
  '$organization(organizationId).name',
  '$organization(organizationId).tags',
  "$organization(organizationId).name & ' / ' & firstName",
  '$device(deviceId).displayName',
  '$device(deviceId).nested.deep',
  "enabled = true and firstName != 'Bob'",
  'enabled or firstName',
  "firstName = 'Ada' ? 'yes' : 'no'",
  'enabled ? firstName',
  'id = 1',
  'missing = missing',
  'missing != 1',
  "'lit' & 1 & true",
  'firstName.length',
  "$join([firstName, lastName], ' ')",
  '$join([firstName, lastName])',
  "$join([missing], '-')",
  "$join([firstName, id], ' ')",
  '$lowercase(firstName)',
  "$uppercase(firstName & ' ' & $organization(organizationId).name)",
  "$trim('  a \t\n b  ' & firstName & ' ')",
  '$string(id)',
  '$string(enabled)',
  '$string(missing)',
  "$contains(firstName, 'd')",
  "$contains(lastName, '山')",
  '$contains(missing, firstName)',
  '$device(deviceId)',
];

describe('compileFastPath', () => {
  test('gives the same result as JSONata, or bails', async () => {
    let fastAnswers = 0;
    for (const source of expressions) {
      const expression = jsonata(source);
      const fast = compileFastPath(expression.ast());
      assert.ok(fast, `"${source}" is in the subset`);
      for (const input of inputs) {
        const got = fast({ read: (name) => input[name] }, lookups);
        let expected: unknown;
        try {
          expected = await expression.evaluate(input, { organization: lookups.organization, device: lookups.device });
        } catch (error) {
          assert.equal(
            got,
            bail,
            `${source} on ${JSON.stringify(input)}: JSONata fails (${(error as Error).message}), so the shortcut must bail`,
          );
          continue;
        }
        if (got === bail) continue;
        fastAnswers++;
        assert.deepEqual(got, expected, `${source} on ${JSON.stringify(input)}`);
      }
    }
    assert.ok(fastAnswers > 150, `the shortcut answered ${String(fastAnswers)} times`);
  });

  test('bails on values outside the subset instead of guessing', () => {
    const concat = compileFastPath(jsonata("roles & ''").ast());
    assert.equal(concat?.({ read: (name) => ({ roles: ['a'] })[name] }, lookups), bail);
    const orgName = compileFastPath(jsonata('$organization(organizationId).name').ast());
    assert.equal(orgName?.({ read: (name) => ({ organizationId: 6 })[name] }, lookups), bail, 'a null name goes to JSONata');
    assert.equal(orgName?.({ read: (name) => ({ organizationId: 5 })[name] }, lookups), 'Acme GmbH');
    assert.equal(orgName?.({ read: () => undefined }, lookups), undefined);
  });

  test('leaves everything else to JSONata', () => {
    for (const source of [
      "$join(roles, ' ')",
      '$join([firstName], sep)',
      '$substring(firstName, 1)',
      '$lowercase()',
      'roles[0]',
      "(firstName & ' ')",
      '$lowercase(roles[0])',
      'a.b[c = 1]',
      '{ "a": 1 }',
      '1 + 2',
      'null',
      '$x',
    ]) {
      assert.equal(compileFastPath(jsonata(source).ast()), undefined, source);
    }
  });
});
