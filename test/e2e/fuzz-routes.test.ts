/**
 * Every route of the API, fuzzed from the server's own OpenAPI document (property-based, with
 * fast-check): shaped, bent and garbage bodies, junk and repeated query parameters, real and junk
 * ids, with and without credentials. Whatever comes in, the answer is never a 5xx, the process
 * stays up, and an answer that refuses (4xx) has written nothing to the store.
 *
 * A failure prints fast-check's seed and the shrunk request: `FUZZ_SEED=<seed>` replays it (with the same `FUZZ_RUNS`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { oauthRedirectPath } from '../../src/server/routes/oauth-redirect.ts';
import { apiClient } from '../support/api-client.ts';
import { forEachDialect } from '../support/databases.ts';
import { type FuzzRequest, operationsOf, requestFor } from '../support/fuzz-requests.ts';
import { startTestServer } from '../support/server.ts';
import { addClientCredential, addOomnitzaConnection } from '../support/vendor-setup.ts';

import type { AppDb } from '../../src/db/app-database.ts';

/** What a refused request must leave alone. Columns that record access itself are left out. */
const watched: Record<string, readonly string[]> = {
  integrations: [],
  credentials: [],
  oomnitza_connections: [],
  runs: [],
  run_records: [],
  schedule_state: [],
  app_users: [],
  api_tokens: ['last_used_at'],
  agents: ['last_seen_at'],
  alerts: [],
  notifications: [],
  email_outbox: [],
};

async function snapshot(db: AppDb): Promise<string> {
  const parts: string[] = [];
  for (const [table, ignored] of Object.entries(watched)) {
    const rows = (await db
      .selectFrom(table as 'runs')
      .selectAll()
      .execute()) as Record<string, unknown>[];
    const kept = rows.map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !ignored.includes(column)))).sort();
    parts.push(`${table}: ${kept.join('\n')}`);
  }
  return parts.join('\n\n');
}

/** Runs per operation: enough to reach past validation on every route, small enough for CI. `FUZZ_RUNS=<n>` digs deeper by hand. */
const deeper = process.env['FUZZ_RUNS'] === undefined ? undefined : Number(process.env['FUZZ_RUNS']);
const runsPerOperation = { sqlite: deeper ?? 30, postgres: deeper ?? 12 } as const;

forEachDialect('every route fuzzed from the OpenAPI document', (target) => {
  test('no input gives a 5xx, the server stays up, and a refused request writes nothing', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 5, users: 6 });
    t.after(() => ninja.close());
    const oomnitza = await startOomnitzaEmulator({ seed: 5, users: 0 });
    t.after(() => oomnitza.close());
    // No worker and no scheduler: nothing writes in the background between two requests.
    const server = await startTestServer(target, { worker: false, maintenance: false });
    t.after(() => server.close());
    const db = server.context.db;

    const admin = apiClient(server.url);
    assert.equal((await admin.post('/api/setup', { email: 'it@acme.example', password: 'correct horse battery staple' })).status, 201);
    const token = await admin.post('/api/tokens', { name: 'fuzz', role: 'admin' });
    assert.equal(token.status, 201, token.text);
    const credential = await addClientCredential(admin, ninja);
    const connection = await addOomnitzaConnection(admin, oomnitza);
    const integration = await admin.post('/api/integrations', {
      name: 'Staff',
      source: { credential: 'ninjaone' },
      destination: { connection: 'oomnitza' },
      syncKeys: ['email'],
      mapping: { email: 'email', first_name: 'firstName' },
    });
    assert.equal(integration.status, 201, integration.text);
    const run = await admin.post(`/api/integrations/${integration.body.id}/runs`, {});
    assert.ok(run.status < 300, run.text);
    const users = await admin.get('/api/users');
    const realIds = [
      credential.body.id,
      connection.body.id,
      integration.body.id,
      run.body.id ?? run.body.run?.id,
      ...(users.body.users ?? []).map((u: { id: string }) => u.id),
    ].filter((id): id is string => typeof id === 'string');

    const docs = await admin.get('/api/docs');
    assert.equal(docs.status, 200);
    const text = { type: 'string' };
    const operations = [
      ...operationsOf(docs.body),
      // Not an API route (it answers the browser coming back from NinjaOne), so not in the document.
      {
        method: 'GET',
        path: oauthRedirectPath,
        pathParameters: [],
        queryParameters: ['state', 'code', 'error', 'error_description', 'iss'].map((name) => ({ name, schema: text })),
        body: null,
        access: 'public',
      },
    ];
    assert.ok(operations.length > 30, `the document lists every route (${operations.length})`);
    // Signing out or revoking the token would only make the rest 401s: those stay in, fuzzed with junk ids.
    const idsFor = (name: string) => (name.toLowerCase().endsWith('id') ? realIds : []);

    const bearer = token.body.token as string;
    const send = async (request: FuzzRequest) => {
      const headers: Record<string, string> = {};
      if (request.authenticated) headers['authorization'] = `Bearer ${bearer}`;
      if (request.contentType !== null) headers['content-type'] = request.contentType;
      const response = await fetch(server.url + request.url, {
        method: request.method,
        headers,
        redirect: 'manual',
        ...(request.body === null ? {} : { body: request.body }),
      });
      return { status: response.status, text: await response.text() };
    };

    let before = await snapshot(db);
    const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
    const statuses = new Map<number, number>();
    for (const operation of operations) {
      const ids = Object.fromEntries(operation.pathParameters.map((name) => [name, idsFor(name)]));
      await fc.assert(
        fc.asyncProperty(requestFor(operation, ids), async (request) => {
          const answer = await send(request);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          // 502/504 say a vendor (here a URL the fuzz typed) could not be reached: an answer, not a fault.
          const vendorDown = (answer.status === 502 || answer.status === 504) && !/"code":"internal"/.test(answer.text);
          assert.ok(
            answer.status < 500 || vendorDown,
            `${request.method} ${request.url.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`,
          );
          const after = await snapshot(db);
          if (answer.status >= 400)
            assert.equal(after, before, `${request.method} ${request.url.slice(0, 200)} answered ${answer.status} but changed the store`);
          before = after;
        }),
        { numRuns: runsPerOperation[target.dialect], ...(seed === undefined ? {} : { seed }) },
      );
    }
    // Found by this fuzz: PostgreSQL refuses a NUL in text, which was a 500 from deep in a query.
    const nul = await send({ method: 'DELETE', url: '/api/integrations/%00', contentType: null, body: null, authenticated: true });
    assert.equal(nul.status, 400, nul.text);
    assert.match(nul.text, /NUL character/);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, 'the server is still up');
    // The fuzz reached past validation: some requests were accepted, most refused, none failed.
    assert.ok(
      [...statuses.keys()].some((s) => s >= 200 && s < 300),
      JSON.stringify([...statuses]),
    );
    assert.ok(
      [...statuses.keys()].some((s) => s === 400),
      JSON.stringify([...statuses]),
    );
  });
});
