/**
 * Conformance: every answer of the emulator's API validates against the response schema of the
 * same operation in NinjaOne's OpenAPI spec (`../shared/ninjaone/NinjaRMM-API-v2.json`, read from
 * there, never copied). OpenAPI 3.0's `nullable` becomes a JSON-schema type array; objects also get
 * `additionalProperties: false`, so a key the spec does not know fails the test.
 *
 * One documented deviation: the spec types `User.organizationId` as a plain integer, but live
 * technician records carry `"organizationId": null` (reference §4.1), so null is allowed there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

import { type NinjaOneEmulator, startNinjaOneEmulator } from './index.ts';
import { apiGet, clientToken } from './oauth-flow.test-support.ts';

type Schema = Record<string, unknown>;
interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

const spec = JSON.parse(readFileSync(new URL('../../../shared/ninjaone/NinjaRMM-API-v2.json', import.meta.url), 'utf8')) as OpenApi;
// ajv-formats is CommonJS; its default export arrives wrapped under tsx/NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** OpenAPI 3.0 schema → JSON schema: `$ref` inlined, `nullable` as a type array, closed objects. */
function toJsonSchema(node: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, seen));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  if (typeof source.$ref === 'string') {
    const name = source.$ref.replace('#/components/schemas/', '');
    if (seen.includes(name)) return {};
    return toJsonSchema(spec.components.schemas[name], [...seen, name]);
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' || key === 'example' || key === 'xml' || key === 'discriminator') continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Schema).map(([name, child]) => [name, toJsonSchema(child, seen)]))
        : toJsonSchema(value, seen);
  }
  if (source.nullable === true && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  if (out.type === 'object' && out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function responseSchema(path: string): Schema {
  const responses = spec.paths[path]?.get?.responses ?? assert.fail(`no GET ${path} in the spec`);
  const response = responses['200'] ?? responses.default ?? assert.fail(`no 200/default response for GET ${path}`);
  return toJsonSchema(response.content?.['application/json']?.schema) as Schema;
}

function allowNullOrganization(schema: Schema): Schema {
  const properties = (schema.items as Schema).properties as Record<string, Schema>;
  properties.organizationId = { ...properties.organizationId, type: ['integer', 'null'] };
  return schema;
}

const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const validators: Record<string, ValidateFunction> = {
  '/v2/users': ajv.compile(allowNullOrganization(responseSchema('/v2/users'))),
  '/v2/organization/{id}/end-users': ajv.compile(allowNullOrganization(responseSchema('/v2/organization/{id}/end-users'))),
  '/v2/user/roles': ajv.compile(responseSchema('/v2/user/roles')),
  '/v2/organizations': ajv.compile(responseSchema('/v2/organizations')),
  '/v2/locations': ajv.compile(responseSchema('/v2/locations')),
  '/v2/devices': ajv.compile(responseSchema('/v2/devices')),
  '/v2/organization/{id}/devices': ajv.compile(responseSchema('/v2/organization/{id}/devices')),
};

describe('conformance with the NinjaOne OpenAPI spec', () => {
  let emulator: NinjaOneEmulator;
  let token: string;
  before(async () => {
    emulator = await startNinjaOneEmulator({ seed: 3, users: 120 });
    token = await clientToken(emulator.url);
  });
  after(() => emulator.close());

  const calls: Array<[operation: string, path: string]> = [
    ['/v2/users', '/v2/users'],
    ['/v2/users', '/v2/users?includeRoles=true'],
    ['/v2/users', '/v2/users?userType=TECHNICIAN&includeRoles=true'],
    ['/v2/users', '/api/v2/users?userType=END_USER'],
    ['/v2/organization/{id}/end-users', '/v2/organization/1/end-users'],
    ['/v2/organization/{id}/end-users', '/v2/organization/2/end-users?includeRoles=true'],
    ['/v2/user/roles', '/v2/user/roles'],
    ['/v2/user/roles', '/v2/user/roles?roleType=END_USER'],
    ['/v2/organizations', '/v2/organizations'],
    ['/v2/organizations', '/v2/organizations?pageSize=2&after=1'],
    ['/v2/locations', '/v2/locations?pageSize=2'],
    ['/v2/devices', '/v2/devices'],
    ['/v2/devices', '/api/v2/devices?pageSize=10&after=5'],
    ['/v2/organization/{id}/devices', '/v2/organization/1/devices'],
    ['/v2/organization/{id}/devices', '/v2/organization/3/devices?pageSize=3'],
  ];

  for (const [operation, path] of calls) {
    test(`GET ${path} matches ${operation}`, async () => {
      const response = await apiGet(emulator.url, path, token);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      const body = (await response.json()) as unknown[];
      assert.ok(Array.isArray(body) && body.length > 0, 'a non-empty array');
      const validate = validators[operation]!;
      assert.ok(validate(body), ajv.errorsText(validate.errors));
    });
  }

  test('the closed schemas do catch a key the spec lacks', () => {
    assert.equal(validators['/v2/users']!([{ id: 1, tags: [] }]), false);
    assert.equal(validators['/v2/users']!([{ id: 1, organizationId: 'x' }]), false);
  });
});
