/**
 * An MSP's many integrations in one store, for the scale-out bench and its test: one NinjaOne
 * credential, one Oomnitza connection and one integration per emulator tenant (so no two
 * integrations share a token or write the same people), runs queued for all of them, and the
 * check that every run was executed exactly once.
 *
 * @example
 * const ids = await seedMsp(db, vault, tenants, (i) => ({ syncKeys: ['email'], mapping: { email: 'email', username: 'email' } }));
 * await queueRuns(db, ids);
 * // ... workers run them ...
 * assert.deepEqual(await exactlyOnceProblems(db, () => 1000), []);
 */
import { randomUUID } from 'node:crypto';

import { createOomnitzaConnection } from '../../src/credentials/oomnitza-connections.ts';
import { createCredential } from '../../src/credentials/store.ts';
import { createIntegration } from '../../src/integrations/integration-store.ts';
import { integrationSchema } from '../../src/integrations/schema.ts';
import { isoNow } from '../../src/runs/run.ts';

import type { Vault } from '../../src/credentials/vault.ts';
import type { AppDb } from '../../src/db/app-database.ts';

/** One tenant as `ninja-sync emulate --json` lists it. */
export interface TenantEndpoints {
  readonly ninjaone: { readonly url: string; readonly clientId: string; readonly clientSecret: string };
  readonly oomnitza: { readonly url: string; readonly apiToken: string };
}

/**
 * Stores a credential, a connection and an integration per tenant and returns the integrations'
 * ids, in tenant order. `document(i)` gives what the integration syncs (keys, mapping, filters).
 */
export async function seedMsp(
  db: AppDb,
  vault: Vault,
  tenants: readonly TenantEndpoints[],
  document: (index: number) => Record<string, unknown>,
  now: Date = new Date(),
): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, tenant] of tenants.entries()) {
    await createCredential(
      db,
      vault,
      {
        name: `ninjaone-t${index}`,
        url: tenant.ninjaone.url,
        clientId: tenant.ninjaone.clientId,
        clientSecret: tenant.ninjaone.clientSecret,
        scopes: 'monitoring',
        grantType: 'client_credentials',
        allowInsecureHttp: true,
      },
      now,
    );
    await createOomnitzaConnection(
      db,
      vault,
      { name: `oomnitza-t${index}`, url: tenant.oomnitza.url, apiToken: tenant.oomnitza.apiToken, allowInsecureHttp: true },
      now,
    );
    const parsed = integrationSchema.parse({
      name: `tenant ${index}`,
      source: { credential: `ninjaone-t${index}` },
      destination: { connection: `oomnitza-t${index}` },
      ...document(index),
    });
    ids.push((await createIntegration(db, parsed, now)).id);
  }
  return ids;
}

/** Queues one manual run per integration, in one statement (all due at the same moment). */
export async function queueRuns(db: AppDb, integrationIds: readonly string[], now: Date = new Date()): Promise<void> {
  const names = await db
    .selectFrom('integrations')
    .select(['id', 'name'])
    .where('id', 'in', [...integrationIds])
    .execute();
  const nameOf = new Map(names.map((row) => [row.id, row.name]));
  const at = isoNow(now);
  await db
    .insertInto('runs')
    .values(
      integrationIds.map((id) => ({
        id: randomUUID(),
        integration_id: id,
        integration_name: nameOf.get(id) ?? id,
        state: 'queued',
        dry_run: 0,
        trigger: 'manual',
        queued_at: at,
      })),
    )
    .execute();
}

/**
 * What is wrong with the runs in the store, as sentences (none when all is well): every run
 * ended (succeeded, or completed with errors of single records: the emulators' awkward people), was taken by a worker, and reported each of its source records exactly once
 * (record numbers 1..n without gaps or repeats, n = `expectedRecords(integration name)`).
 */
export async function exactlyOnceProblems(db: AppDb, expectedRecords: (integrationName: string) => number): Promise<string[]> {
  const problems: string[] = [];
  const runs = await db.selectFrom('runs').select(['id', 'integration_name', 'state', 'error', 'worker_id']).execute();
  const counts = await db
    .selectFrom('run_records')
    .select((eb) => ['run_id', eb.fn.countAll<string>().as('n'), eb.fn.min<number>('seq').as('first'), eb.fn.max<number>('seq').as('last')])
    .groupBy('run_id')
    .execute();
  const byRun = new Map(counts.map((row) => [row.run_id, { n: Number(row.n), first: Number(row.first), last: Number(row.last) }]));
  const perIntegration = new Map<string, number>();
  for (const run of runs) {
    perIntegration.set(run.integration_name, (perIntegration.get(run.integration_name) ?? 0) + 1);
    if (run.state !== 'succeeded' && run.state !== 'completed_with_errors')
      problems.push(`${run.integration_name}: ${run.state}${run.error ? ` (${run.error})` : ''}`);
    if (!run.worker_id) problems.push(`${run.integration_name}: no worker took it`);
    const expected = expectedRecords(run.integration_name);
    const got = byRun.get(run.id) ?? { n: 0, first: 0, last: 0 };
    // The primary key (run_id, seq) forbids repeats; n = last = expected and first = 1 leave no gap.
    if (got.n !== expected || (expected > 0 && (got.first !== 1 || got.last !== expected))) {
      problems.push(`${run.integration_name}: ${got.n} records numbered ${got.first}..${got.last}, expected 1..${expected}`);
    }
  }
  for (const [name, n] of perIntegration) if (n !== 1) problems.push(`${name}: ${n} runs, expected 1`);
  return problems;
}
