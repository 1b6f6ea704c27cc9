/**
 * A Local integration as a YAML file, imported into the server over real HTTP: its `${VAR}`
 * references under source and destination are its agent's business, so the server stores the names
 * as written (it neither looks them up nor refuses them as unset), hands them to the agent as
 * written, and exports them so that the file reads back the same. A secret written as a value is
 * still refused without being echoed, and a Cloud file's references are still the server's to
 * refuse (a server reads no variable of its own). On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

import type { ApiClient } from '../support/api-client.ts';

const password = 'correct horse battery staple';

const localFile = `
name: Site A users
installation: local
agent: site-a
source:
  url: \${SITE_A_NINJAONE_URL}
  clientId: demo-m2m
  clientSecret: \${NINJAONE_CLIENT_SECRET}
destination:
  url: https://acme.oomnitza.com
  apiToken: \${OOMNITZA_TOKEN_SITE_A}
syncKeys: [username]
mapping:
  username: { expr: "'ninja-' & $string(id)" }
  position: { value: "costs $\${AMOUNT}" }
`;

async function importYaml(admin: ApiClient, baseUrl: string, text: string, replace = false) {
  const answer = await admin.fetchRaw(`${baseUrl}/api/integrations/import${replace ? '?replace=true' : ''}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/yaml', 'x-csrf-token': admin.csrfToken! },
  });
  const body = (await answer.json()) as any;
  return { status: answer.status, body, text: JSON.stringify(body) };
}

forEachDialect('server: importing a Local integration file', (target) => {
  test('the agent resolves its ${VAR} references: the server stores the names, exports them, and refuses only a value', async (t) => {
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password })).status, 201);
    const enrolled = await admin.post('/api/agents', { name: 'site-a' });
    assert.equal(enrolled.status, 201, enrolled.text);

    const imported = await importYaml(admin, server.url, localFile);
    assert.equal(imported.status, 201, imported.text);
    const document = imported.body.document;
    assert.deepEqual(document.source, {
      url: '${SITE_A_NINJAONE_URL}',
      clientId: 'demo-m2m',
      clientSecret: '${NINJAONE_CLIENT_SECRET}',
      scopes: 'monitoring management',
    });
    assert.deepEqual(document.destination, { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_TOKEN_SITE_A}' });
    assert.deepEqual(document.mapping.position, { value: 'costs ${AMOUNT}' }, 'outside the connection settings, $${ is still an escape');

    // The agent receives the names as written, to resolve on its own machine.
    const agent = apiClient(server.url, { bearer: enrolled.body.token });
    const definitions = (await agent.get('/api/agent/integrations')).body.integrations;
    assert.equal(definitions[0].document.source.clientSecret, '${NINJAONE_CLIENT_SECRET}');
    assert.equal(definitions[0].document.source.url, '${SITE_A_NINJAONE_URL}');

    // Export, then import again: the same document.
    const exported = await admin.get(`/api/integrations/${imported.body.id}/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.text, /clientSecret: \$\{NINJAONE_CLIENT_SECRET\}/);
    assert.match(exported.text, /url: \$\{SITE_A_NINJAONE_URL\}/);
    const again = await importYaml(admin, server.url, exported.text, true);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.document, document);

    // A value where a name belongs is refused, and not echoed.
    const literal = await importYaml(
      admin,
      server.url,
      localFile.replace('${OOMNITZA_TOKEN_SITE_A}', 'tok-3f9a-secret-value').replace('Site A users', 'Leaky'),
    );
    assert.equal(literal.status, 400, literal.text);
    assert.deepEqual(
      literal.body.error.details.fields.map((f: { path: string }) => f.path),
      ['destination.apiToken'],
    );
    assert.ok(!literal.text.includes('tok-3f9a-secret-value'), 'a refused secret is not echoed');

    // An unknown agent is named as the problem, not the variables.
    const stranger = await importYaml(admin, server.url, localFile.replace('agent: site-a', 'agent: site-z').replace('Site A', 'Z'));
    assert.equal(stranger.status, 400, stranger.text);
    assert.deepEqual(
      stranger.body.error.details.fields.map((f: { path: string }) => f.path),
      ['agent'],
    );

    // A Cloud file's references are not the agent's: the server, which reads no variable, refuses them.
    const cloud = await importYaml(
      admin,
      server.url,
      'name: Cloud\nsource:\n  credential: ${NINJAONE_CREDENTIAL}\ndestination: { connection: oomnitza }\nsyncKeys: [email]\nmapping: { email: email }\n',
    );
    assert.equal(cloud.status, 400, cloud.text);
    assert.match(cloud.text, /environment variable NINJAONE_CREDENTIAL is not set/);
  });
});
