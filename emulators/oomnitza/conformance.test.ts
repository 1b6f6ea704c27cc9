/**
 * Conformance: every answer the emulator gives for an operation in Oomnitza's OpenAPI export
 * (`../shared/oomnitza/oomnitza-external-api-v3.json`) validates against that operation's response
 * schema. The spec is read from `../shared`, never copied. Two spec quirks are handled openly:
 * OpenAPI's `nullable` becomes a JSON-schema null type, and `required: true` on a property (invalid
 * JSON schema, used by "SaaS roles") becomes the parent's `required` list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

import { client, filterQuery } from './client.test-support.ts';
import { startOomnitzaEmulator } from './index.ts';

import type { Answer, Call } from './client.test-support.ts';
import type { OomnitzaEmulator } from './index.ts';

type Json = Record<string, unknown>;
const specUrl = new URL('../../../shared/oomnitza/oomnitza-external-api-v3.json', import.meta.url);
const spec = JSON.parse(readFileSync(specUrl, 'utf8')) as Json;

/** OpenAPI 3.0 schema → JSON schema (draft 7) for ajv. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value
        .split('/')
        .map((part) => encodeURIComponent(part))
        .join('/')
        .replace(/^%23/, '#');
    else out[key] = toJsonSchema(value);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (typeof out.properties === 'object' && out.properties !== null) {
    const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
    for (const [name, prop] of Object.entries(out.properties as Record<string, Json>)) {
      if (prop.required === true) required.add(name);
      if (typeof prop.required === 'boolean') delete prop.required;
    }
    if (required.size > 0) out.required = [...required];
  }
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...(toJsonSchema(spec) as Json), $id: 'oomnitza' });

function resolve(pointer: string): Json {
  let node: unknown = spec;
  for (const part of pointer.replace(/^#\//, '').split('/')) node = (node as Json)[part];
  return node as Json;
}

/** The JSON-schema pointer of an operation's response body for a status, or null if it has none. */
function responseSchemaRef(path: string, method: string, status: number): string | null {
  const operation = (resolve('#/paths') as Record<string, Json>)[path]?.[method] as Json | undefined;
  assert.ok(operation, `the spec has no ${method.toUpperCase()} ${path}`);
  let response = (operation.responses as Json)[String(status)] as Json | undefined;
  assert.ok(response, `the spec declares no ${status} for ${method.toUpperCase()} ${path}`);
  let pointer = `#/paths/${encodeURIComponent(path)}/${method}/responses/${status}`;
  if (typeof response.$ref === 'string') {
    pointer = response.$ref
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/')
      .replace(/^%23/, '#');
    response = resolve(response.$ref);
  }
  if (!(response.content as Json | undefined)?.['application/json']) return null;
  return `oomnitza${pointer}/content/application~1json/schema`;
}

function assertConforms(path: string, method: string, answer: Answer, override?: (schema: Json) => Json): void {
  const ref = responseSchemaRef(path, method, answer.status);
  if (ref === null) {
    assert.ok(
      answer.body === null || answer.body === '' || Array.isArray(answer.body),
      `${method} ${path}: no schema, so only an empty or list body is expected`,
    );
    return;
  }
  const validate = override ? ajv.compile(override(ajv.getSchema(ref)?.schema as Json)) : ajv.getSchema(ref);
  assert.ok(validate, `no compiled schema at ${ref}`);
  const ok = validate(answer.body);
  assert.ok(
    ok,
    `${method.toUpperCase()} ${path} (${answer.status}) does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body).slice(0, 500)}`,
  );
}

describe('conformance with the Oomnitza v3 OpenAPI export', () => {
  let emulator: OomnitzaEmulator;
  let call: Call;
  before(async () => {
    emulator = await startOomnitzaEmulator({
      users: 30,
      customFields: [{ externalId: 'ninja_uid', label: 'NinjaOne UID', dataType: 'string', unique: true }],
      seedUsers: [{ username: 'ada', email: 'ada@example.com', first_name: 'Ada', ninja_uid: 'n-1' }],
    });
    call = client(emulator);
  });
  after(() => emulator.close());

  test('users: list (all shapes of the seed), create, read, edit, delete', async () => {
    assertConforms('/api/v3/users', 'get', await call('GET', '/api/v3/users?limit=1000'));
    assertConforms(
      '/api/v3/users',
      'get',
      await call('GET', `/api/v3/users?${filterQuery("email LIKE '%corp%'")}&fields=uid,email&sortby=email desc`),
    );
    const created = await call('POST', '/api/v3/users', {
      username: 'conf',
      email: 'conf@example.com',
      role: 30,
      suspended: false,
      email_subscription: true,
      phone_number: '+1 555',
    });
    assertConforms('/api/v3/users', 'post', created);
    const uid = String((created.body as Json).uid);
    assertConforms('/api/v3/users/{ident}', 'get', await call('GET', `/api/v3/users/${uid}`));
    assertConforms('/api/v3/users/{ident}', 'patch', await call('PATCH', `/api/v3/users/${uid}`, { position: 'Tester', address: null }));
    assertConforms('/api/v3/users/{ident}', 'delete', await call('DELETE', `/api/v3/users/${uid}`));
  });

  test('users meta: every field matches the spec\'s "Metadata field" schema', async () => {
    const res = await call('GET', '/api/v3/users/meta');
    const validate = ajv.getSchema('oomnitza#/components/schemas/Metadata%20field');
    assert.ok(validate);
    for (const [name, field] of Object.entries(res.body as Json)) assert.ok(validate(field), `${name}: ${ajv.errorsText(validate.errors)}`);
  });

  test('SaaS: list, create, read, edit; roles; SaaS users; activate/deactivate; external id; delete', async () => {
    assertConforms('/api/v3/saas', 'get', await call('GET', '/api/v3/saas'));
    const created = await call('POST', '/api/v3/saas', {
      saas_name: 'NinjaOne',
      source: 'API',
      linked: 'false',
      link_key: '',
      ignored: 'false',
      hash: false,
      url: 'https://app.ninjarmm.com',
      total_licenses: 10,
      annual_spend: 1200.5,
      is_inf: false,
    });
    assertConforms('/api/v3/saas', 'post', created);
    const id = (created.body as { saas_id: string }).saas_id;
    assertConforms('/api/v3/saas/{ident}', 'get', await call('GET', `/api/v3/saas/${id}`));
    assertConforms('/api/v3/saas/{ident}', 'patch', await call('PATCH', `/api/v3/saas/${id}`, { category: 'RMM' }));

    const ada = String(((await call('GET', '/api/v3/users/ada')).body as Json).uid);
    const assigned = await call('POST', `/api/v3/saas/${id}/users`, [{ user_id: ada, assign: true }]);
    assertConforms('/api/v3/saas/{ident}/users', 'post', assigned);
    const saasUserId = String((assigned.body as Json[])[0]?.saas_user_id);

    const role = await call('POST', `/api/v3/saas/${id}/roles`, { role_external_label: 'Technician' });
    assertConforms('/api/v3/saas/{ident}/roles', 'post', role);
    const roleId = String((role.body as Json).role_id);
    assertConforms('/api/v3/saas/{ident}/roles', 'get', await call('GET', `/api/v3/saas/${id}/roles`));
    assertConforms(
      '/api/v3/saas/{ident}/roles/{saas_role_id}',
      'patch',
      await call('PATCH', `/api/v3/saas/${id}/roles/${roleId}`, { role_external_label: 'Tech' }),
    );
    assertConforms(
      '/api/v3/saas/{ident}/roles/users',
      'post',
      await call('POST', `/api/v3/saas/${id}/roles/users`, { users: [ada], roles: [roleId] }),
    );
    assertConforms(
      '/api/v3/saas/{ident}/roles/users',
      'patch',
      await call('PATCH', `/api/v3/saas/${id}/roles/users`, {
        users: ada,
        roles: [{ role_external_id: 'admin', role_external_label: 'Admin' }],
      }),
    );
    assertConforms(
      '/api/v3/saas/{ident}/users/{user_id}',
      'post',
      await call('POST', `/api/v3/saas/${id}/users/${ada}`, { user_external_id: 'ninja-42' }),
    );

    assertConforms('/api/v3/saas/{ident}/users', 'get', await call('GET', `/api/v3/saas/${id}/users`));
    assertConforms('/api/v3/saas_users', 'get', await call('GET', '/api/v3/saas_users'));

    // The spec's own example answers `"error": null`, while its schema types `error` as a plain
    // string; the example is taken as the truth, so `error` may be null here.
    const nullableError = (schema: Json): Json => {
      const copy = structuredClone(schema);
      ((copy.items as Json).properties as Record<string, Json>).error!.type = ['string', 'null'];
      return copy;
    };
    assertConforms(
      '/api/v3/saas_users/deactivate',
      'patch',
      await call('PATCH', '/api/v3/saas_users/deactivate', { saas_user_ids: [saasUserId, 'missing'] }),
      nullableError,
    );
    assertConforms(
      '/api/v3/saas_users/activate',
      'patch',
      await call('PATCH', '/api/v3/saas_users/activate', { saas_user_ids: [saasUserId] }),
      nullableError,
    );

    const removed = await call('DELETE', `/api/v3/saas/${id}/roles/users`, { users: [ada], roles: [roleId] });
    assert.equal(removed.status, 204);
    assertConforms('/api/v3/saas/{ident}/roles/users', 'delete', removed);
    const deletedRole = await call('DELETE', `/api/v3/saas/${id}/roles/${roleId}`);
    assertConforms('/api/v3/saas/{ident}/roles/{saas_role_id}', 'delete', deletedRole);
    assertConforms('/api/v3/saas/{ident}', 'delete', await call('DELETE', `/api/v3/saas/${id}`));
  });

  test('the validator does reject a wrong shape (it is not vacuous)', () => {
    const validate = ajv.getSchema('oomnitza#/components/schemas/User');
    assert.ok(validate);
    assert.equal(validate({ uid: 'not-a-number' }), false);
    assert.equal(validate({ uid: 1, email: null }), false);
    const assignedUser = ajv.getSchema('oomnitza#/components/schemas/SaaS%20assigned%20User');
    assert.ok(assignedUser);
    assert.equal(assignedUser({ email: 'x' }), false);
    const fake = (body: unknown): Answer => ({ status: 200, headers: new Headers(), body });
    assert.throws(() => assertConforms('/api/v3/users', 'get', fake([{ uid: 'x' }])), /does not match the spec/);
    assert.throws(() => assertConforms('/api/v3/saas/{ident}/users', 'get', fake([{ email: 'x' }])), /does not match the spec/);
    assert.throws(() => assertConforms('/api/v3/saas', 'post', fake({ saas_id: 5 })), /does not match the spec/);
    assert.throws(() => assertConforms('/api/v3/saas/{ident}/roles', 'get', fake([{ role_id: 'r' }])), /does not match the spec/);
  });
});
