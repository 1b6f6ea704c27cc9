/**
 * Reading Oomnitza users: counting (`x-total-count`), listing every user page by page with
 * `limit`/`skip`, and finding users by the values of one field with `IN` filters.
 *
 * Paging: the first page tells the total; the remaining pages are then fetched several at a time
 * (the client's limiter bounds how many) and handed out in order. Pages are sorted by `uid` so
 * they do not shift under us, and a user seen twice (a record created between two pages moves
 * the rest by one) is handed out once. Oomnitza documents no maximum page size; when a page comes
 * back shorter than asked while more records exist, the server has capped `limit`, and the rest is
 * paged in steps of what it gave.
 *
 * @example
 * for await (const page of listUsers(transport, ['email'], { pageSize: 500 })) console.log(page.length);
 */
import { batchInFilters } from './filter.ts';
import { unexpectedAnswer, withRecordContext } from './transport.ts';

import type { DestinationUser } from '../sync/ports.ts';
import type { OomnitzaTransport } from './transport.ts';

export type OomnitzaRecord = Readonly<Record<string, unknown>>;

export interface ReadOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface PageOptions extends ReadOptions {
  readonly pageSize: number;
  /** Told when the server turns out to cap `limit` below `pageSize`, so later calls ask for what it gives. */
  readonly onPageSizeCapped?: (served: number) => void;
}

interface Page {
  readonly records: readonly OomnitzaRecord[];
  readonly total: number | null;
}

const usersPath = '/api/v3/users';

/** One `GET /api/v3/users` page. */
export async function fetchUserPage(
  transport: OomnitzaTransport,
  query: Readonly<Record<string, string | number | undefined>>,
  options: ReadOptions = {},
): Promise<Page> {
  const url = transport.url(usersPath, query);
  const response = await transport.send<unknown>('GET', url, { signal: options.signal });
  if (!Array.isArray(response.body)) throw unexpectedAnswer('GET', url, response.status, 'a JSON array of users');
  const header = response.headers.get('x-total-count');
  const total = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : null;
  return { records: response.body as OomnitzaRecord[], total };
}

/** The number of users (`x-total-count` of a one-record page). */
export async function countUsers(transport: OomnitzaTransport, options: ReadOptions = {}): Promise<number> {
  const page = await fetchUserPage(transport, { limit: 1, fields: 'uid' }, options);
  if (page.total !== null) return page.total;
  // No header: count by paging; slow but right.
  let count = 0;
  for await (const users of listUsers(transport, [], { pageSize: 500, ...options })) count += users.length;
  return count;
}

/** A destination user: its `uid` as text, and only the requested fields (all when `fields` is empty). */
export function toDestinationUser(record: OomnitzaRecord, fields: readonly string[] | null): DestinationUser | null {
  const uid = record['uid'];
  if (typeof uid !== 'number' && typeof uid !== 'string') return null;
  if (fields === null) return { id: String(uid), fields: record };
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(record, field)) picked[field] = record[field];
  return { id: String(uid), fields: picked };
}

function fieldsParam(fields: readonly string[]): string {
  return [...new Set(['uid', ...fields])].join(',');
}

/** Every user, a page at a time, with `uid` plus `fields`. */
export async function* listUsers(
  transport: OomnitzaTransport,
  fields: readonly string[],
  options: PageOptions,
): AsyncGenerator<readonly DestinationUser[]> {
  const controller = new AbortController();
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  const base = { fields: fieldsParam(fields), sortby: 'uid asc' };
  const seen = new Set<string>();
  const convert = (records: readonly OomnitzaRecord[], url: URL): DestinationUser[] => {
    const out: DestinationUser[] = [];
    for (const record of records) {
      const user = toDestinationUser(record, fields);
      if (user === null) throw unexpectedAnswer('GET', url, 200, 'a uid on every user');
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      out.push(user);
    }
    return out;
  };
  try {
    const firstUrl = transport.url(usersPath, { ...base, skip: 0, limit: options.pageSize });
    const first = await fetchUserPage(transport, { ...base, skip: 0, limit: options.pageSize }, { signal });
    yield convert(first.records, firstUrl);
    const step =
      first.total !== null && first.records.length < options.pageSize && first.records.length < first.total
        ? first.records.length
        : options.pageSize;
    if (step < options.pageSize && step > 0) options.onPageSizeCapped?.(step);
    if (first.records.length === 0 || step === 0) return;
    if (first.total === null) {
      // Without a total, walk until a short page.
      let skip = first.records.length;
      for (;;) {
        const page = await fetchUserPage(transport, { ...base, skip, limit: step }, { signal });
        if (page.records.length > 0) yield convert(page.records, firstUrl);
        if (page.records.length < step) return;
        skip += page.records.length;
      }
    }
    yield* prefetchedPages(transport, base, step, first.records.length, first.total, signal, (records) => convert(records, firstUrl));
  } catch (error) {
    throw withRecordContext(error, 'listing users');
  } finally {
    // A consumer that stops early must not leave page requests running.
    controller.abort();
  }
}

/** Pages from `start` to `total`, at most `concurrency` requested ahead, yielded in order. */
async function* prefetchedPages(
  transport: OomnitzaTransport,
  base: Readonly<Record<string, string>>,
  step: number,
  start: number,
  total: number,
  signal: AbortSignal,
  convert: (records: readonly OomnitzaRecord[]) => DestinationUser[],
): AsyncGenerator<readonly DestinationUser[]> {
  const skips: number[] = [];
  for (let skip = start; skip < total; skip += step) skips.push(skip);
  const ahead = Math.max(1, transport.concurrency);
  const inFlight: Array<Promise<Page>> = [];
  let next = 0;
  const launch = (): void => {
    const promise = fetchUserPage(transport, { ...base, skip: skips[next++]!, limit: step }, { signal });
    // Handled when its turn comes; this stops an early failure from being reported as unhandled.
    promise.catch(() => undefined);
    inFlight.push(promise);
  };
  while (next < skips.length && inFlight.length < ahead) launch();
  while (inFlight.length > 0) {
    const page = await inFlight.shift()!;
    if (next < skips.length) launch();
    const users = convert(page.records);
    if (users.length > 0) yield users;
  }
}

/**
 * Users whose `field` equals one of `values` (case-insensitively for text, see filter.ts), with
 * `uid` plus `fields`. The values are batched into `IN` filters that keep each URL under ~6 KB;
 * each batch is paged in case it matches more users than one page holds.
 */
export async function findUsers(
  transport: OomnitzaTransport,
  field: string,
  values: readonly string[],
  fields: readonly string[],
  options: PageOptions,
): Promise<DestinationUser[]> {
  const wanted = values.filter((value) => value !== '');
  if (wanted.length === 0) return [];
  const base = { fields: fieldsParam([...fields, field]), sortby: 'uid asc' };
  const probe = transport.url(usersPath, { ...base, skip: 0, limit: options.pageSize });
  const filters = batchInFilters(field, wanted, { fixedLength: probe.href.length + 8 });
  let batches: OomnitzaRecord[][];
  try {
    batches = await Promise.all(filters.map((filter) => findAllMatching(transport, { ...base, filter }, options)));
  } catch (error) {
    throw withRecordContext(error, `looking up users by ${field} (${wanted.length} value${wanted.length === 1 ? '' : 's'})`);
  }
  const byId = new Map<string, DestinationUser>();
  for (const records of batches) {
    for (const record of records) {
      const user = toDestinationUser(record, fields);
      if (user === null) throw unexpectedAnswer('GET', probe, 200, 'a uid on every user');
      byId.set(user.id, user);
    }
  }
  return [...byId.values()];
}

async function findAllMatching(
  transport: OomnitzaTransport,
  query: Readonly<Record<string, string>>,
  options: PageOptions,
): Promise<OomnitzaRecord[]> {
  const out: OomnitzaRecord[] = [];
  for (let skip = 0; ;) {
    const page = await fetchUserPage(transport, { ...query, skip, limit: options.pageSize }, options);
    out.push(...page.records);
    skip += page.records.length;
    if (page.records.length === 0 || (page.total !== null ? skip >= page.total : page.records.length < options.pageSize)) return out;
  }
}
