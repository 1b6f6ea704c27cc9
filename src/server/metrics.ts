/**
 * Prometheus metrics: gauges read from the store at scrape time (runs by state, records by outcome,
 * credentials by status) and counters kept in this process (vendor calls by status, token
 * refreshes). Counters reset when the process restarts, as Prometheus expects of counters.
 *
 * @example
 * countVendorCall('NinjaOne', 200);
 * reply.send(await renderMetrics(db));
 */
import { recordOutcomes } from '../sync/ports.ts';

import type { AppDb } from '../db/app-database.ts';

const vendorCalls = new Map<string, number>();
const tokenRefreshes = new Map<string, number>();

export function countVendorCall(vendor: string, status: number | 'error'): void {
  const key = `vendor="${vendor}",status="${status}"`;
  vendorCalls.set(key, (vendorCalls.get(key) ?? 0) + 1);
}

export function countTokenRefresh(result: 'ok' | 'invalid_grant' | 'error'): void {
  const key = `result="${result}"`;
  tokenRefreshes.set(key, (tokenRefreshes.get(key) ?? 0) + 1);
}

function lines(name: string, help: string, type: 'gauge' | 'counter', samples: Iterable<[string, number]>): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) out.push(`${name}{${labels}} ${value}`);
  return out;
}

export async function renderMetrics(db: AppDb): Promise<string> {
  const runs = await db
    .selectFrom('runs')
    .select(['state'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy('state')
    .execute();
  const records = await db
    .selectFrom('runs')
    .select((eb) => [
      eb.fn.sum<number | string>('created').as('created'),
      eb.fn.sum<number | string>('updated').as('updated'),
      eb.fn.sum<number | string>('unchanged').as('unchanged'),
      eb.fn.sum<number | string>('skipped').as('skipped'),
      eb.fn.sum<number | string>('filtered').as('filtered'),
      eb.fn.sum<number | string>('failed').as('failed'),
      eb.fn.sum<number | string>('suspended').as('suspended'),
      eb.fn.sum<number | string>('unsuspended').as('unsuspended'),
    ])
    .executeTakeFirst();
  const credentials = await db
    .selectFrom('credentials')
    .select(['status'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy('status')
    .execute();
  return [
    ...lines(
      'ninja_sync_runs',
      'Runs in the store, by state',
      'gauge',
      runs.map((r) => [`state="${r.state}"`, Number(r.n)]),
    ),
    ...lines(
      'ninja_sync_records_total',
      'Records processed by all stored runs, by outcome',
      'counter',
      recordOutcomes.map((o) => [`outcome="${o}"`, Number(records?.[o] ?? 0)]),
    ),
    ...lines(
      'ninja_sync_credentials',
      'NinjaOne credentials, by status',
      'gauge',
      credentials.map((c) => [`status="${c.status}"`, Number(c.n)]),
    ),
    ...lines('ninja_sync_vendor_calls_total', 'Calls to NinjaOne and Oomnitza made by this process, by status', 'counter', vendorCalls),
    ...lines('ninja_sync_token_refreshes_total', 'NinjaOne token refreshes made by this process, by result', 'counter', tokenRefreshes),
    '',
  ].join('\n');
}
