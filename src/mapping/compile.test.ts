import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { type IntegrationInput, integrationSchema } from '../integrations/schema.ts';
import { compileMapping, type MapOutcome, type MappingContext, MappingValidationError } from './compile.ts';
import { type SourceUser, sourceUser } from './source-record.ts';

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

const context: MappingContext = {
  runStartedAt: new Date('2026-11-27T02:00:00Z'),
  organizations: new Map([
    [5, { id: 5, name: 'Acme GmbH' }],
    [6, { id: 6, name: 'Globex' }],
  ]),
  devices: new Map([
    [9, { id: 9, displayName: 'LAPTOP-9' }],
    [10, { id: 10, displayName: 'DESK-10' }],
  ]),
};

const ada: SourceUser = sourceUser({
  id: 1,
  uid: 'u-1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: ' Ada@Example.com ',
  enabled: true,
  organizationId: 5,
  userType: 'END_USER',
  roles: ['Admin', 'Ops'],
  deviceIds: [9, 10],
});
const tech: SourceUser = sourceUser({
  id: 2,
  firstName: '山田',
  lastName: null,
  email: null,
  enabled: true,
  organizationId: null,
  userType: 'TECHNICIAN',
});
const disabled: SourceUser = sourceUser({ id: 3, firstName: 'Bob', email: 'bob@example.com', enabled: false });

function fields(outcome: MapOutcome): Readonly<Record<string, unknown>> {
  assert.ok(outcome.kept, `kept, but: ${'reason' in outcome ? outcome.reason : ''}`);
  return outcome.record.fields;
}

const designExample = integration({
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
});

describe('compileMapping: the DESIGN.md example', () => {
  const compiled = compileMapping(designExample);

  test('maps a user to the Oomnitza fields, in the mapping order, with its roles for the SaaS phase', async () => {
    const outcome = await compiled.map(ada, context);
    assert.deepEqual(outcome, {
      kept: true,
      record: {
        sourceId: '1',
        label: 'Ada@Example.com',
        fields: {
          email: 'ada@example.com',
          username: ' Ada@Example.com ',
          first_name: 'Ada',
          last_name: 'Lovelace',
          phone_number: null,
          full_name: 'Ada Lovelace',
          position: 'NinjaOne user',
        },
        roles: ['Admin', 'Ops'],
      },
    });
    assert.deepEqual(compiled.targetFields, ['email', 'username', 'first_name', 'last_name', 'phone_number', 'full_name', 'position']);
    assert.deepEqual(compiled.needs, { organizations: false, devices: false });
  });

  test('a null in an expression is absent: no "null" in the text', async () => {
    const out = fields(await compiled.map(tech, context));
    assert.equal(out.full_name, '山田 ');
    assert.equal(out.email, null);
    assert.equal(out.last_name, null);
  });

  test('a dropped record names the rule', async () => {
    assert.deepEqual(await compiled.map(disabled, context), {
      kept: false,
      sourceId: '3',
      label: 'bob@example.com',
      reason: 'filtered out by rule 1: enabled eq true',
    });
  });

  test('mapAll keeps the order of the users', async () => {
    const outcomes = await compiled.mapAll([ada, disabled, tech], context);
    assert.deepEqual(
      outcomes.map((o) => (o.kept ? o.record.sourceId : o.sourceId)),
      ['1', '3', '2'],
    );
    assert.deepEqual(
      outcomes.map((o) => o.kept),
      [true, false, true],
    );
  });
});

describe('compileMapping: custom fields', () => {
  test('$organization(organizationId).name, and needs.organizations only then', async () => {
    const compiled = compileMapping(
      integration({ customFields: { orgName: '$organization(organizationId).name' }, mapping: { email: 'email', company: 'orgName' } }),
    );
    assert.deepEqual(compiled.needs, { organizations: true, devices: false });
    assert.equal(fields(await compiled.map(ada, context)).company, 'Acme GmbH');
    assert.equal(fields(await compiled.map(tech, context)).company, null, 'a technician has no organisation');
    assert.equal(fields(await compiled.map({ ...ada, organizationId: 404 }, context)).company, null, 'an unknown id gives nothing');
  });

  test('$organization and $device inside larger JSONata expressions', async () => {
    const compiled = compileMapping(
      integration({
        customFields: {
          orgUpper: '$uppercase($organization(organizationId).name)',
          deviceNames: '$join($device(deviceIds).displayName, ", ")',
        },
        mapping: { email: 'email', company: 'orgUpper', devices: 'deviceNames' },
      }),
    );
    assert.deepEqual(compiled.needs, { organizations: true, devices: true });
    const out = fields(await compiled.map(ada, context));
    assert.equal(out.company, 'ACME GMBH');
    assert.equal(out.devices, 'LAPTOP-9, DESK-10');
  });

  test('a custom field can use an earlier one', async () => {
    const compiled = compileMapping(
      integration({
        customFields: {
          fullName: "firstName & ' ' & lastName",
          display: "fullName & ' (' & $organization(organizationId).name & ')'",
          shout: '$uppercase(display)',
        },
        mapping: { email: 'email', full_name: 'display', note: 'shout' },
      }),
    );
    const out = fields(await compiled.map(ada, context));
    assert.equal(out.full_name, 'Ada Lovelace (Acme GmbH)');
    assert.equal(out.note, 'ADA LOVELACE (ACME GMBH)');
  });

  test('lists come out as plain arrays', async () => {
    const compiled = compileMapping(
      integration({
        customFields: { adminRoles: "roles[$contains($, 'Ad')]" },
        mapping: { email: 'email', roles: { field: 'adminRoles' }, all: 'roles' },
      }),
    );
    const out = fields(await compiled.map(ada, context));
    assert.deepEqual(out.all, ['Admin', 'Ops']);
    assert.equal(out.roles, 'Admin', 'a JSONata singleton stays a single value');
  });
});

describe('compileMapping: filters', () => {
  const users: SourceUser[] = [ada, tech, disabled];

  async function kept(filters: IntegrationInput['filters'], customFields: Record<string, string> = {}): Promise<string[]> {
    const compiled = compileMapping(integration({ filters, customFields }));
    return (await compiled.mapAll(users, context)).filter((o) => o.kept).map((o) => (o.kept ? o.record.sourceId : ''));
  }

  test('every rule must hold', async () => {
    assert.deepEqual(
      await kept([
        { field: 'enabled', op: 'eq', value: true },
        { field: 'userType', op: 'eq', value: 'END_USER' },
      ]),
      ['1'],
    );
    assert.deepEqual(await kept([{ field: 'roles', op: 'contains', value: 'admin' }]), ['1']);
    assert.deepEqual(await kept([{ field: 'email', op: 'exists' }]), ['1', '3']);
    assert.deepEqual(await kept([{ field: 'organizationId', op: 'in', value: [5, 6] }]), ['1']);
  });

  test('expression rules, and rules on custom fields', async () => {
    assert.deepEqual(await kept([{ expr: "userType = 'TECHNICIAN' or $contains(email, 'bob')" }]), ['2', '3']);
    assert.deepEqual(await kept([{ field: 'orgName', op: 'eq', value: 'acme gmbh' }], { orgName: '$organization(organizationId).name' }), [
      '1',
    ]);
    assert.deepEqual(await kept([{ expr: "orgName = 'Acme GmbH'" }], { orgName: '$organization(organizationId).name' }), ['1']);
  });

  test('field rules before any custom-field rule run first: a dropped record computes no custom field', async () => {
    const compiled = compileMapping(
      integration({
        customFields: { n: '$number(phone)' },
        filters: [
          { field: 'enabled', op: 'eq', value: true },
          { field: 'n', op: 'gt', value: 0 },
        ],
      }),
    );
    const [dropped, failed] = await compiled.mapAll(
      [
        { ...disabled, phone: 'x' },
        { ...ada, phone: 'x' },
      ],
      context,
    );
    assert.deepEqual(dropped, { kept: false, sourceId: '3', label: 'bob@example.com', reason: 'filtered out by rule 1: enabled eq true' });
    assert.ok(failed && !failed.kept && 'error' in failed, 'the enabled user reaches the custom field, which fails');
  });

  test('the reason names the first rule that failed, numbered from 1, with its text or description', async () => {
    const compiled = compileMapping(
      integration({
        customFields: { orgName: '$organization(organizationId).name' },
        filters: [
          { field: 'enabled', op: 'eq', value: true },
          { field: 'orgName', op: 'exists' },
          { expr: "userType = 'END_USER'", description: 'end users only' },
        ],
      }),
    );
    const [a, b, c] = await compiled.mapAll([{ ...ada, userType: 'TECHNICIAN' }, tech, disabled], context);
    assert.equal(a && !a.kept && a.reason, 'filtered out by rule 3: end users only');
    assert.equal(b && !b.kept && b.reason, 'filtered out by rule 2: orgName exists');
    assert.equal(c && !c.kept && c.reason, 'filtered out by rule 1: enabled eq true');
  });
});

describe('compileMapping: targets', () => {
  test('source field, field with transforms, expression with transforms, fixed value', async () => {
    const compiled = compileMapping(
      integration({
        mapping: {
          email: { field: 'email', transform: ['trim', 'lower'] },
          roles: { field: 'roles', transform: [{ join: '; ' }] },
          initials: { expr: '$substring(firstName, 0, 1) & $substring(lastName, 0, 1)', transform: ['lower'] },
          synced: { field: 'connectorSyncTime', transform: [{ date: 'epoch' }] },
          source: { value: 'NinjaOne' },
          nothing: { value: '' },
          active: { field: 'enabled', transform: ['string'] },
        },
      }),
    );
    assert.deepEqual(fields(await compiled.map(ada, context)), {
      email: 'ada@example.com',
      roles: 'Admin; Ops',
      initials: 'al',
      synced: Date.parse('2026-11-27T02:00:00Z') / 1000,
      source: 'NinjaOne',
      nothing: null,
      active: 'true',
    });
  });
});

describe('compileMapping: one bad record does not stop the others', () => {
  test('a failing expression makes that record an error outcome', async () => {
    const compiled = compileMapping(integration({ customFields: { n: '$number(phone)' }, mapping: { email: 'email', n: 'n' } }));
    const outcomes = await compiled.mapAll(
      [
        { ...ada, phone: 'not a number' },
        { ...ada, id: 5, phone: '42' },
      ],
      context,
    );
    const [bad, good] = outcomes;
    assert.ok(bad && !bad.kept && 'error' in bad, 'an error outcome');
    assert.equal(bad.sourceId, '1');
    assert.equal(bad.label, 'Ada@Example.com');
    assert.match(bad.reason, /^custom field n: Unable to cast value to a number: "not a number" \(at position \d+, D3030\)$/);
    assert.equal(good && fields(good).n, 42);
  });

  test('a failing transform makes that record an error outcome, naming the target', async () => {
    const compiled = compileMapping(integration({ mapping: { email: 'email', employee_no: { field: 'phone', transform: ['number'] } } }));
    const outcome = await compiled.map({ ...ada, phone: '+1 555' }, context);
    assert.ok(!outcome.kept && 'error' in outcome);
    assert.equal(outcome.reason, 'mapping employee_no: number: "+1 555" is not a number');
  });

  test('an expression giving a function is an error, not a value', async () => {
    const compiled = compileMapping(integration({ mapping: { email: 'email', f: { expr: '$uppercase' } } }));
    const outcome = await compiled.map(ada, context);
    assert.ok(!outcome.kept && 'error' in outcome);
    assert.match(outcome.reason, /mapping f: the expression gives a function/);
  });

  test('a non-terminating expression times out as an error for the record', async () => {
    const compiled = compileMapping(integration({ customFields: { loop: '($f := function($x) { $f($x) }; $f(1))' } }));
    const outcome = await compiled.map(ada, context);
    assert.ok(!outcome.kept && 'error' in outcome);
    assert.match(outcome.reason, /^custom field loop: Evaluation timeout after 1000 milliseconds/);
  });

  test('a failing expression filter is an error, not a drop', async () => {
    const compiled = compileMapping(integration({ filters: [{ expr: "$error('boom')" }] }));
    const outcome = await compiled.map(ada, context);
    assert.ok(!outcome.kept && 'error' in outcome);
    assert.match(outcome.reason, /^filter rule 1 \(\$error\('boom'\)\): boom/);
  });
});

describe('compileMapping refuses an invalid mapping', () => {
  test('throws MappingValidationError with every problem', () => {
    assert.throws(
      () => compileMapping(integration({ syncKeys: ['uid'], mapping: { email: 'emial' }, customFields: { x: 'firstName & (' } })),
      (error: unknown) => {
        assert.ok(error instanceof MappingValidationError);
        assert.deepEqual(
          error.problems.map((p) => p.path.join('.')),
          ['customFields.x', 'mapping.email', 'syncKeys.0'],
        );
        assert.match(error.message, /^the mapping has 3 problems: customFields\.x: /);
        return true;
      },
    );
  });
});
