/**
 * The list parameters Oomnitza's v3 API shares across objects: `filter`, `sortby` (`<field> asc|desc`),
 * `skip` (from 0), `limit` and `fields` (a comma list of the fields to return), and the
 * `x-total-count` header with the number of matches before skip and limit (reference §2.4).
 *
 * Page size: Oomnitza documents neither a default nor a maximum. Here a missing `limit` gives
 * 100 records and a larger one is cut to 1000, silently, as servers with a cap tend to do; a client
 * must page with `skip` and `x-total-count` rather than trust one big `limit`. [INFERRED]
 *
 * @example
 * const page = runListQuery(users, request.query, { schema, objectName: 'users', tieBreaker: 'uid' });
 * reply.header('x-total-count', page.total).send(page.items);
 */
import { display, OomnitzaApiError } from './errors.ts';
import { filterFromQuery } from './filter-eval.ts';

import type { FilterSchema } from './filter-eval.ts';

export const defaultPageSize = 100;
export const maxPageSize = 1000;

export interface ListQuery {
  readonly filter?: string;
  readonly sortby?: string;
  readonly skip?: string;
  readonly limit?: string;
  readonly fields?: string;
}

export interface ListOptions {
  /** Fields that filter, sortby and fields may name, with their types. */
  readonly schema: FilterSchema;
  readonly objectName: string;
  /** Field that orders records with equal sort values (and all records when no sortby). */
  readonly tieBreaker: string;
  /** Fields `fields=` may name, when more than the schema's (fields that cannot be filtered on). */
  readonly selectable?: readonly string[];
  /** Filters applied before the query's own (e.g. one SaaS's users). */
  readonly extraFilter?: (record: Readonly<Record<string, unknown>>) => boolean;
}

export interface ListPage<T> {
  readonly total: number;
  readonly items: T[];
}

export function runListQuery<T extends Readonly<Record<string, unknown>>>(
  records: Iterable<T>,
  query: ListQuery,
  options: ListOptions,
): ListPage<Record<string, unknown>> {
  const match = filterFromQuery(query.filter, options.schema, options.objectName);
  const sort = parseSortBy(query.sortby, options);
  const skip = parseCount('skip', query.skip, 0, 0);
  const limit = Math.min(parseCount('limit', query.limit, defaultPageSize, 1), maxPageSize);
  const fields = parseFields(query.fields, options);

  const matching: T[] = [];
  for (const record of records) if ((options.extraFilter?.(record) ?? true) && match(record)) matching.push(record);
  matching.sort(sort);
  const items = matching.slice(skip, skip + limit).map((record) => (fields ? pick(record, fields) : { ...record }));
  return { total: matching.length, items };
}

function parseCount(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new OomnitzaApiError(
      400,
      'invalid_parameter',
      `${name}: expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${raw}"`,
      { parameter: name },
    );
  }
  return Number(raw);
}

type Comparator = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) => number;

/**
 * `sortby=<field> [asc|desc]`, several joined by commas. Missing values sort last when ascending and
 * first when descending, as PostgreSQL does; text compares case-insensitively. [INFERRED]
 */
function parseSortBy(raw: string | undefined, options: ListOptions): Comparator {
  const keys: Array<{ field: string; direction: 1 | -1 }> = [];
  for (const part of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m)
      throw new OomnitzaApiError(400, 'invalid_parameter', `sortby: expected "<field> asc" or "<field> desc", got "${part}"`, {
        parameter: 'sortby',
      });
    const field = m[1]!;
    if (!Object.hasOwn(options.schema, field)) {
      throw new OomnitzaApiError(400, 'invalid_parameter', `sortby: unknown ${options.objectName} field "${field}"`, {
        parameter: 'sortby',
        field,
      });
    }
    keys.push({ field, direction: m[2]?.toLowerCase() === 'desc' ? -1 : 1 });
  }
  keys.push({ field: options.tieBreaker, direction: 1 });
  return (a, b) => {
    for (const { field, direction } of keys) {
      const c = compareValues(a[field], b[field], direction);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function compareValues(a: unknown, b: unknown, direction: 1 | -1): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : (aMissing ? 1 : -1) * direction;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * direction;
  if (typeof a === 'boolean' && typeof b === 'boolean') return (Number(a) - Number(b)) * direction;
  const x = display(a).toLowerCase();
  const y = display(b).toLowerCase();
  return (x < y ? -1 : x > y ? 1 : 0) * direction;
}

function parseFields(raw: string | undefined, options: ListOptions): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const field of fields) {
    if (!Object.hasOwn(options.schema, field) && !options.selectable?.includes(field)) {
      throw new OomnitzaApiError(400, 'invalid_parameter', `fields: unknown ${options.objectName} field "${field}"`, {
        parameter: 'fields',
        field,
      });
    }
  }
  return fields;
}

function pick(record: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (record[field] !== undefined) out[field] = record[field];
  return out;
}
