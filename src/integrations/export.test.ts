import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { exportIntegrationYaml } from './export.ts';
import { loadIntegrationText } from './load.ts';
import { integrationSchema } from './schema.ts';

const integration = integrationSchema.parse({
  name: 'Export me',
  source: { url: 'https://acme.rmmservice.com', clientId: 'id-1', clientSecret: 'the-client-secret', refreshToken: 'the-refresh-token' },
  destination: { url: 'https://acme.oomnitza.com', apiToken: 'the-api-token' },
  syncKeys: ['email'],
  customFields: { label: "'cost ${x}: ' & firstName" },
  mapping: { email: { field: 'email', transform: ['trim', 'lower'] }, username: 'email', position: { value: 'price ${AMOUNT}' } },
});

describe('exportIntegrationYaml', () => {
  test('inline secrets become ${VAR} placeholders and never appear in the text', () => {
    const text = exportIntegrationYaml(integration);
    for (const secret of ['the-client-secret', 'the-refresh-token', 'the-api-token']) assert.ok(!text.includes(secret), secret);
    assert.match(text, /clientSecret: \$\{NINJAONE_CLIENT_SECRET\}/);
    assert.match(text, /refreshToken: \$\{NINJAONE_REFRESH_TOKEN\}/);
    assert.match(text, /apiToken: \$\{OOMNITZA_API_TOKEN\}/);
  });

  test('the export loads back to the same integration, with the secrets from the environment', () => {
    const text = exportIntegrationYaml(integration);
    const env = {
      NINJAONE_CLIENT_SECRET: 'the-client-secret',
      NINJAONE_REFRESH_TOKEN: 'the-refresh-token',
      OOMNITZA_API_TOKEN: 'the-api-token',
    };
    const loaded = loadIntegrationText(text, { env });
    assert.equal(loaded.ok, true, JSON.stringify(loaded.problems));
    assert.deepEqual(loaded.integration, integration);
  });
});

test('a secret already named by reference keeps its name (a Local integration)', () => {
  const text = exportIntegrationYaml({
    name: 'Site B',
    installation: 'local',
    agent: 'site-b',
    source: { url: 'https://eu.ninjarmm.com', clientId: 'abc', clientSecret: '${SITE_B_SECRET}' },
    destination: { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_TOKEN_B}' },
    syncKeys: ['email'],
    mapping: { email: 'email' },
  });
  assert.match(text, /clientSecret: \$\{SITE_B_SECRET\}/);
  assert.match(text, /apiToken: \$\{OOMNITZA_TOKEN_B\}/);
});
