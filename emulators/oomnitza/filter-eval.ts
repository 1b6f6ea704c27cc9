/**
 * Turns a parsed filter into a predicate over records, checking every field name and literal first.
 *
 * Semantics follow SQL, since Oomnitza's filter is SQL-like and backed by a database [INFERRED]:
 * - a comparison with a missing (null) value is false, so `email ne 'x'` skips users without email;
 * - text compares case-insensitively, as a case-insensitive database collation would [INFERRED from
 *   Oomnitza's lower-case-insensitive search in the UI; not documented];
 * - LIKE: `%` any run, `_` one character, `\%` `\_` `\\` literal; case-insensitive too; text fields only;
 * - a literal is converted to the field's type (`'25'` to 25 for a number field, an ISO date or unix
 *   seconds for a date field); one that does not convert is a 400 naming the field.
 *
 * @example
 * const match = compileFilter(parseFilter("email eq 'A@B.C'"), { email: 'text' }, 'users');
 * match({ email: 'a@b.c' }); // true
 */
import { display, OomnitzaApiError } from './errors.ts';
import { parseDateValue } from './fields.ts';
import { FilterSyntaxError, parseFilter } from './filter-parser.ts';

import type { FilterLiteral, FilterNode } from './filter-parser.ts';

export type FilterFieldType = 'text' | 'number' | 'boolean' | 'date';
export type FilterSchema = Readonly<Record<string, FilterFieldType>>;
export type RecordPredicate = (record: Readonly<Record<string, unknown>>) => boolean;

/** Parses and compiles a `filter` query value; every failure is a 400 with the position or field. */
export function filterFromQuery(source: string | undefined, schema: FilterSchema, objectName: string): RecordPredicate {
  if (source === undefined || source.trim() === '') return () => true;
  let tree: FilterNode;
  try {
    tree = parseFilter(source);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new OomnitzaApiError(400, 'invalid_filter', error.message, { position: error.position, filter: source }, { cause: error });
    }
    throw error;
  }
  return compileFilter(tree, schema, objectName);
}

export function compileFilter(node: FilterNode, schema: FilterSchema, objectName: string): RecordPredicate {
  if (node.kind === 'and' || node.kind === 'or') {
    const left = compileFilter(node.left, schema, objectName);
    const right = compileFilter(node.right, schema, objectName);
    return node.kind === 'and' ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
  }
  const { field } = node;
  const type = Object.hasOwn(schema, field) ? schema[field] : undefined;
  if (type === undefined) {
    throw new OomnitzaApiError(400, 'invalid_filter', `filter: unknown ${objectName} field "${field}" at position ${node.position}`, {
      field,
      position: node.position,
    });
  }
  const get = (r: Readonly<Record<string, unknown>>): string | number | null => normalize(r[field], type);
  switch (node.kind) {
    case 'null':
      return node.negated ? (r) => get(r) !== null : (r) => get(r) === null;
    case 'compare': {
      const want = literal(node.value, field, type);
      const test = comparators[node.op];
      return (r) => {
        const have = get(r);
        return have !== null && test(compare(have, want));
      };
    }
    case 'in': {
      // A set, so an IN of hundreds of values (how a sync looks up a batch) stays cheap per record.
      const wants = new Set(node.values.map((v) => literal(v, field, type)));
      return (r) => {
        const have = get(r);
        return have !== null && wants.has(have);
      };
    }
    case 'between': {
      const low = literal(node.low, field, type);
      const high = literal(node.high, field, type);
      return (r) => {
        const have = get(r);
        return have !== null && compare(have, low) >= 0 && compare(have, high) <= 0;
      };
    }
    case 'like': {
      if (type !== 'text') {
        throw new OomnitzaApiError(
          400,
          'invalid_filter',
          `filter: LIKE needs a text field; "${field}" is a ${type} field (position ${node.position})`,
          { field, position: node.position },
        );
      }
      const pattern = likeToRegExp(node.pattern);
      return (r) => {
        const have = get(r);
        return typeof have === 'string' && pattern.test(have);
      };
    }
  }
}

const comparators = {
  eq: (c: number) => c === 0,
  ne: (c: number) => c !== 0,
  gt: (c: number) => c > 0,
  gte: (c: number) => c >= 0,
  lt: (c: number) => c < 0,
  lte: (c: number) => c <= 0,
} as const;

/** A stored value in comparable form: lower-cased text, numbers, booleans as 0/1; null when missing. */
function normalize(value: unknown, type: FilterFieldType): string | number | null {
  if (value === undefined || value === null) return null;
  if (type === 'text') return display(value).toLowerCase();
  if (type === 'boolean') return value === true ? 1 : 0;
  return typeof value === 'number' ? value : Number(value);
}

function literal(value: FilterLiteral, field: string, type: FilterFieldType): string | number {
  const fail = (what: string): never => {
    throw new OomnitzaApiError(400, 'invalid_filter', `filter: "${field}" is a ${type} field; ${what} (position ${value.position})`, {
      field,
      position: value.position,
    });
  };
  switch (type) {
    case 'text':
      return String(value.value).toLowerCase();
    case 'number':
      if (value.type === 'number') return value.value;
      if (value.type === 'string' && /^-?\d+(?:\.\d+)?$/.test(value.value.trim())) return Number(value.value);
      return fail(`${JSON.stringify(value.value)} is not a number`);
    case 'boolean':
      if (value.type === 'boolean') return value.value ? 1 : 0;
      if (value.type === 'number' && (value.value === 0 || value.value === 1)) return value.value;
      if (value.type === 'string' && ['true', 'false'].includes(value.value.toLowerCase()))
        return value.value.toLowerCase() === 'true' ? 1 : 0;
      return fail(`${JSON.stringify(value.value)} is not true or false`);
    case 'date': {
      const epoch = parseDateValue(value.value);
      return epoch ?? fail(`${JSON.stringify(value.value)} is not an ISO 8601 date or unix seconds`);
    }
  }
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A LIKE pattern as an anchored, case-insensitive regular expression. */
export function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]!);
    } else if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 'iu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
