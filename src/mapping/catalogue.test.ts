import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { catalogue, catalogueByKey } from './catalogue.ts';

describe('catalogue', () => {
  test('holds exactly the 19 labels of the NinjaOne doc, in its order', () => {
    assert.deepEqual(
      catalogue.map((f) => f.label),
      [
        'Administrator',
        'Assigned Device Ids List',
        'Connector Sync Time',
        'Device Ids List',
        'Email',
        'Enabled',
        'First Name',
        'Id',
        'Invitation Status',
        'Last Name',
        'Mfa Configured',
        'Must Change Pw',
        'Notify All Clients',
        'Organization Id',
        'Permit All Clients',
        'Phone',
        'Roles List',
        'Uid',
        'User Type',
      ],
    );
  });

  test('keys are the JSON keys of GET /v2/users, plus connectorSyncTime', () => {
    assert.deepEqual(
      catalogue.map((f) => f.key),
      [
        'administrator',
        'assignedDeviceIds',
        'connectorSyncTime',
        'deviceIds',
        'email',
        'enabled',
        'firstName',
        'id',
        'invitationStatus',
        'lastName',
        'mfaConfigured',
        'mustChangePw',
        'notifyAllClients',
        'organizationId',
        'permitAllClients',
        'phone',
        'roles',
        'uid',
        'userType',
      ],
    );
    assert.equal(catalogueByKey.size, 19);
  });

  test('types follow the API: lists, booleans, enums with their values', () => {
    assert.equal(catalogueByKey.get('roles')?.type, 'string[]');
    assert.equal(catalogueByKey.get('deviceIds')?.type, 'integer[]');
    assert.equal(catalogueByKey.get('enabled')?.type, 'boolean');
    assert.equal(catalogueByKey.get('connectorSyncTime')?.type, 'datetime');
    assert.deepEqual(catalogueByKey.get('userType')?.values, ['TECHNICIAN', 'END_USER']);
    assert.deepEqual(catalogueByKey.get('invitationStatus')?.values, ['REGISTERED', 'PENDING', 'EXPIRED']);
    for (const field of catalogue) assert.ok(field.description.length > 0, field.key);
  });

  test('every catalogue key exists in the User schema of the NinjaOne spec, except connectorSyncTime', async () => {
    const { readFile } = await import('node:fs/promises');
    const spec = JSON.parse(await readFile(new URL('../../../shared/ninjaone/NinjaRMM-API-v2.json', import.meta.url), 'utf8')) as {
      components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
    };
    const properties = Object.keys(spec.components?.schemas?.User?.properties ?? {});
    for (const field of catalogue) if (field.key !== 'connectorSyncTime') assert.ok(properties.includes(field.key), field.key);
  });
});
