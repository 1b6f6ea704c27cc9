/**
 * Loads the destination users a plan needs, with as few requests as the data allows.
 *
 * Two ways, chosen per run from one `countUsers()` request:
 * - scan: every user, page by page, with only the mapped and key fields —
 *   ceil(destination users / page size) requests;
 * - find: only the users holding the records' key values, key by key in priority order, each key
 *   asked only for the records that no earlier key found — at most
 *   Σ ceil(distinct values of key k / values per request) requests.
 * The cheaper estimate wins (a tie goes to the scan, whose cost is exact). A full resync of
 * 10,000 users against 10,000 is a scan of a few dozen pages; 200 NinjaOne users against an
 * Oomnitza of 50,000 people is a handful of finds; an empty destination costs the count alone.
 * Both load exactly the users the planner can match, so the plan is the same either way.
 *
 * @example
 * const { index, destinationCount } = await loadDestination(oomnitza, { records, syncKeys: ['email'], fields: ['email', 'first_name'] });
 */
import { buildDestinationIndex } from './destination-index.ts';
import { keyText } from './values.ts';

import type { DestinationIndex } from './destination-index.ts';
import type { MappedRecord } from './plan.ts';
import type { DestinationUser, UserDestination } from './ports.ts';

export const defaultListPageSize = 100;
export const defaultFindBatchSize = 50;

export interface LoadedDestination {
  readonly index: DestinationIndex;
  /** How many users the destination holds (what the fuse's share is measured against). */
  readonly destinationCount: number;
  readonly strategy: 'scan' | 'find' | 'empty';
}

export interface LoadOptions {
  readonly records: readonly MappedRecord[];
  readonly syncKeys: readonly string[];
  /** The fields the plan compares: every mapped target field and every sync key. */
  readonly fields: readonly string[];
  readonly signal?: AbortSignal;
}

export async function loadDestination(destination: UserDestination, options: LoadOptions): Promise<LoadedDestination> {
  const { records, syncKeys, signal } = options;
  const fields = [...new Set([...options.fields, ...syncKeys])];
  const destinationCount = await destination.countUsers(signal === undefined ? {} : { signal });
  if (destinationCount === 0) return { index: buildDestinationIndex([], syncKeys), destinationCount, strategy: 'empty' };

  const scanRequests = Math.max(1, Math.ceil(destinationCount / (destination.listPageSize ?? defaultListPageSize)));
  const findRequests = syncKeys.reduce(
    (sum, key) => sum + Math.ceil(distinctKeyValues(records, key).length / (destination.findBatchSize ?? defaultFindBatchSize)),
    0,
  );

  if (findRequests < scanRequests) {
    const index = await findByKeys(destination, records, syncKeys, fields, signal);
    return { index, destinationCount, strategy: 'find' };
  }
  const users: DestinationUser[] = [];
  for await (const page of destination.listUsers(fields, signal === undefined ? {} : { signal })) users.push(...page);
  return { index: buildDestinationIndex(users, syncKeys), destinationCount, strategy: 'scan' };
}

/** Key by key: the next key is asked only for records that earlier keys found nobody for. */
async function findByKeys(
  destination: UserDestination,
  records: readonly MappedRecord[],
  syncKeys: readonly string[],
  fields: readonly string[],
  signal: AbortSignal | undefined,
): Promise<DestinationIndex> {
  const found: DestinationUser[] = [];
  let index = buildDestinationIndex(found, syncKeys);
  let pending = records;
  for (const [k, key] of syncKeys.entries()) {
    if (k > 0) {
      const earlier = syncKeys.slice(0, k);
      pending = pending.filter((record) => earlier.every((e) => index.lookup(e, record.fields[e]).length === 0));
    }
    const values = distinctKeyValues(pending, key);
    if (values.length === 0) continue;
    found.push(...(await destination.findUsers(key, values, fields, signal === undefined ? {} : { signal })));
    index = buildDestinationIndex(found, syncKeys);
  }
  return index;
}

function distinctKeyValues(records: readonly MappedRecord[], key: string): string[] {
  const values = new Set<string>();
  for (const record of records) {
    const text = keyText(record.fields[key]);
    if (text !== null) values.add(text);
  }
  return [...values];
}
