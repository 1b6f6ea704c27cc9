/**
 * The vendor side of a test server set up through its API, as an admin would: a NinjaOne
 * credential (client credentials, or authorization code with the emulator's consent approved) and
 * an Oomnitza connection, both against the emulators on loopback.
 *
 * @example
 * await addAuthorizedCredential(admin, ninja);
 * await addOomnitzaConnection(admin, oomnitza);
 */
import assert from 'node:assert/strict';

import { answerConsent } from './consent.ts';

import type { ApiAnswer, ApiClient } from './api-client.ts';

interface Emulator {
  readonly url: string;
}

/** Credential "ninjaone" for the emulator's machine-to-machine app. */
export async function addClientCredential(admin: ApiClient, ninja: Emulator): Promise<ApiAnswer> {
  const credential = await admin.post('/api/credentials', {
    name: 'ninjaone',
    url: ninja.url,
    clientId: 'demo-m2m',
    clientSecret: 'demo-m2m-secret',
    grantType: 'client_credentials',
    allowInsecureHttp: true,
  });
  assert.equal(credential.status, 201, credential.text);
  return credential;
}

/** Credential "ninjaone" for the emulator's web app, authorized by approving its consent page. */
export async function addAuthorizedCredential(admin: ApiClient, ninja: Emulator): Promise<ApiAnswer> {
  const credential = await admin.post('/api/credentials', {
    name: 'ninjaone',
    url: ninja.url,
    clientId: 'demo-web',
    clientSecret: 'demo-web-secret',
    allowInsecureHttp: true,
  });
  const back = await answerConsent((await admin.post(`/api/credentials/${credential.body.id}/authorize`)).body.authorizeUrl, 'approve');
  assert.equal((await admin.fetchRaw(back)).status, 200);
  return credential;
}

/** Connection "oomnitza" to the emulator. */
export async function addOomnitzaConnection(admin: ApiClient, oomnitza: Emulator & { readonly apiToken: string }): Promise<ApiAnswer> {
  const connection = await admin.post('/api/oomnitza-connections', {
    name: 'oomnitza',
    url: oomnitza.url,
    apiToken: oomnitza.apiToken,
    allowInsecureHttp: true,
  });
  assert.equal(connection.status, 201, connection.text);
  return connection;
}
