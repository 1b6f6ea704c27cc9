import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { type IntegrationInput, integrationSchema } from '../integrations/schema.ts';
import { type MappingProblem, validateMapping } from './validate.ts';

function integration(parts: Partial<IntegrationInput>) {
  return integrationSchema.parse({
    name: 'test',
    source: { url: 'https://acme.rmmservice.com' },
    destination: { url: 'https://acme.oomnitza.com' },
    syncKeys: ['email'],
    mapping: { email: 'email' },
    ...parts,
  });
}

/** The one problem found, checked for its path. */
function only(problems: MappingProblem[], path: (string | number)[]): MappingProblem {
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
  const [first] = problems;
  assert.ok(first);
  assert.deepEqual(first.path, path);
  return first;
}

describe('validateMapping', () => {
  test('the DESIGN.md example has no problem', () => {
    assert.deepEqual(
      validateMapping(
        integration({
          customFields: { fullName: "firstName & ' ' & lastName" },
          filters: [{ field: 'enabled', op: 'eq', value: true }],
          mapping: {
            email: { field: 'email', transform: ['trim', 'lower'] },
            username: 'email',
            first_name: 'firstName',
            last_name: 'lastName',
            phone_number: 'phone',
            full_name: 'fullName',
            position: { value: 'NinjaOne user' },
          },
        }),
      ),
      [],
    );
  });

  describe('unknown source field, with the closest name', () => {
    test('in a mapping (plain and { field })', () => {
      const plain = only(validateMapping(integration({ mapping: { email: 'email', first_name: 'firstname' } })), ['mapping', 'first_name']);
      assert.match(plain.message, /unknown source field 'firstname'\. Did you mean 'firstName'\?/);
      const field = only(validateMapping(integration({ mapping: { email: { field: 'emial' } } })), ['mapping', 'email', 'field']);
      assert.match(field.message, /Did you mean 'email'\?/);
    });

    test('in a filter', () => {
      const p = only(
        validateMapping(
          integration({
            filters: [
              { field: 'enabled', op: 'exists' },
              { field: 'usertype', op: 'exists' },
            ],
          }),
        ),
        ['filters', 1, 'field'],
      );
      assert.match(p.message, /Did you mean 'userType'\?/);
    });

    test('in an expression, with its position', () => {
      const source = "firstName & ' ' & lastname";
      const p = only(validateMapping(integration({ customFields: { fullName: source } })), ['customFields', 'fullName']);
      assert.match(p.message, /unknown source field 'lastname'\. Did you mean 'lastName'\?/);
      assert.equal(p.position, source.indexOf('lastname'));
    });

    test('names inside predicates and after a dot are not record fields', () => {
      assert.deepEqual(
        validateMapping(
          integration({
            customFields: {
              org: '$organization(organizationId).name',
              admin: "roles[$ = 'Admin']",
              d: '$device(deviceIds[0]).displayName',
            },
          }),
        ),
        [],
      );
    });

    test('a custom field is a source field for filters and targets', () => {
      assert.deepEqual(
        validateMapping(
          integration({
            customFields: { orgName: '$organization(organizationId).name' },
            filters: [{ field: 'orgName', op: 'exists' }, { expr: "orgName != 'x'" }],
            mapping: { email: 'email', company: 'orgName' },
          }),
        ),
        [],
      );
    });
  });

  describe('expressions', () => {
    test('one that does not parse, with JSONata position', () => {
      const p = only(validateMapping(integration({ mapping: { email: 'email', full_name: { expr: "firstName & (' ' " } } })), [
        'mapping',
        'full_name',
        'expr',
      ]);
      assert.match(p.message, /does not parse: Expected "\)"/);
      assert.equal(p.position, "firstName & (' ' ".length);
    });

    test('an unknown function, with the closest one', () => {
      const source = '$lowercse(email)';
      const p = only(validateMapping(integration({ filters: [{ expr: source }] })), ['filters', 0, 'expr']);
      assert.match(p.message, /unknown function \$lowercse\. Did you mean \$lowercase\?/);
      assert.equal(p.position, 0);
    });

    test('a field written as a variable', () => {
      const p = only(validateMapping(integration({ customFields: { n: "'x' & $firstName" } })), ['customFields', 'n']);
      assert.match(p.message, /unknown variable \$firstName: record fields are written without \$\. Did you mean 'firstName'\?/);
      assert.equal(p.position, 6);
    });

    test('variables assigned in the expression and lambda parameters are fine', () => {
      assert.deepEqual(
        validateMapping(integration({ customFields: { x: '($n := firstName; $map(roles, function($r) { $r & $n }))' } })),
        [],
      );
      assert.deepEqual(validateMapping(integration({ customFields: { first: 'roles#$i[$i < 1]', ids: 'deviceIds@$d.($d)' } })), []);
    });
  });

  describe('custom fields', () => {
    test('a forward reference', () => {
      const p = only(
        validateMapping(integration({ customFields: { display: "fullName & '!'", fullName: "firstName & ' ' & lastName" } })),
        ['customFields', 'display'],
      );
      assert.match(p.message, /custom field fullName is declared after display; .* move fullName above it/);
      assert.equal(p.position, 0);
    });

    test('a cycle, reported where it closes', () => {
      const problems = validateMapping(integration({ customFields: { a: 'b', b: 'a' } }));
      const p = only(problems, ['customFields', 'a']);
      assert.match(p.message, /custom fields a and b refer to each other \(a cycle\)/);
    });

    test('a field that refers to itself', () => {
      const p = only(validateMapping(integration({ customFields: { a: "a & 'x'" } })), ['customFields', 'a']);
      assert.match(p.message, /refers to itself/);
    });

    test('a name that hides a catalogue field, even by case', () => {
      assert.match(
        only(validateMapping(integration({ customFields: { email: "'x'" } })), ['customFields', 'email']).message,
        /has the name of the catalogue field email \(Email\) and would hide it/,
      );
      assert.match(
        only(validateMapping(integration({ customFields: { FirstName: "'x'" } })), ['customFields', 'FirstName']).message,
        /catalogue field firstName/,
      );
    });

    test('two custom fields that differ only by case', () => {
      assert.match(
        only(validateMapping(integration({ customFields: { fullName: "'a'", fullname: "'b'" } })), ['customFields', 'fullname']).message,
        /differ only by case/,
      );
    });
  });

  describe('targets and sync keys', () => {
    test('a target mapped twice by case', () => {
      // The schema allows only lower case; a document checked elsewhere (the UI) may not be.
      const doc = integration({});
      const twice = { ...doc, mapping: { email: 'email', Email: 'email' } };
      assert.match(only(validateMapping(twice), ['mapping', 'Email']).message, /Oomnitza field Email is mapped twice \(also as email\)/);
    });

    test('a sync key that is not mapped', () => {
      assert.match(
        only(validateMapping(integration({ syncKeys: ['email', 'username'] })), ['syncKeys', 1]).message,
        /sync key username is not mapped; add it under mapping/,
      );
    });

    test('a sync key listed twice', () => {
      assert.match(only(validateMapping(integration({ syncKeys: ['email', 'email'] })), ['syncKeys', 1]).message, /listed twice/);
    });

    test('a sync key with a fixed value', () => {
      assert.match(
        only(validateMapping(integration({ mapping: { email: { value: 'x@example.com' } } })), ['syncKeys', 0]).message,
        /fixed value, so every record would match the same Oomnitza user/,
      );
    });

    test('a transform invalid for the field type, at its index', () => {
      const p = only(
        validateMapping(
          integration({ mapping: { email: 'email', active: { field: 'enabled', transform: ['string', 'trim', { join: ',' }] } } }),
        ),
        ['mapping', 'active', 'transform', 2],
      );
      assert.match(p.message, /'join: ","' works on a list, but the value is text/);
      assert.deepEqual(
        validateMapping(
          integration({ mapping: { email: 'email', roles: { field: 'roles', transform: ['lower', { join: ', ' }, 'upper'] } } }),
        ),
        [],
      );
    });

    test('a filter value of the wrong type', () => {
      assert.match(
        only(validateMapping(integration({ filters: [{ field: 'enabled', op: 'eq', value: 'yes' }] })), ['filters', 0, 'value']).message,
        /enabled is a boolean/,
      );
      assert.match(
        only(validateMapping(integration({ filters: [{ field: 'roles', op: 'eq', value: 'Admin' }] })), ['filters', 0, 'op']).message,
        /use 'contains'/,
      );
    });
  });

  describe('Oomnitza fields, when known', () => {
    const oomnitzaFields = [
      { name: 'email', unique: true },
      { name: 'username', unique: true },
      { name: 'first_name' },
      { name: 'phone_number', unique: false },
    ];

    test('a mapped field Oomnitza does not have', () => {
      const p = only(validateMapping(integration({ mapping: { email: 'email', firstname: 'firstName' } }), { oomnitzaFields }), [
        'mapping',
        'firstname',
      ]);
      assert.match(p.message, /Oomnitza has no user field 'firstname'\. Did you mean 'first_name'\?/);
    });

    test('a sync key that is not unique', () => {
      const p = only(validateMapping(integration({ syncKeys: ['phone_number'], mapping: { phone_number: 'phone' } }), { oomnitzaFields }), [
        'syncKeys',
        0,
      ]);
      assert.match(p.message, /not marked Unique/);
    });

    test('nothing is checked against Oomnitza without the list', () => {
      assert.deepEqual(validateMapping(integration({ mapping: { email: 'email', anything_at_all: 'phone' } })), []);
    });
  });

  test('every problem at once', () => {
    const problems = validateMapping(
      integration({
        syncKeys: ['uid'],
        customFields: { a: 'b', b: 'firstName &' },
        filters: [{ field: 'nope', op: 'exists' }],
        mapping: { email: { field: 'email', transform: [{ date: 'iso' }] } },
      }),
    );
    assert.deepEqual(
      problems.map((p) => p.path.join('.')),
      ['customFields.a', 'customFields.b', 'filters.0.field', 'mapping.email.transform.0', 'syncKeys.0'],
    );
  });
});
