/**
 * Builds the `filter` expressions of Oomnitza's v3 API (reference §2.4: `email eq 'x'`,
 * `barcode IN ["1","2"]`). Values are double-quoted with `\` before a `"` or `\` inside them, so a
 * name like `O"Brien` or `C:\users` stays one value; every other character, non-Latin included, is
 * written as is (URLSearchParams percent-encodes it on the wire).
 *
 * Lookups are case-insensitive: Oomnitza compares text under a case-insensitive collation as far as
 * we know [INFERRED, not documented]. In case an instance does not, each value is sent both as given
 * and in lower case, so `John@Acme.com` still finds a stored `john@acme.com`.
 *
 * Long lists are cut into batches whose whole request URL stays under a budget (6 KB by default):
 * proxies in front of web apps commonly refuse URLs past 8 KB.
 *
 * @example
 * inFilter('email', ['a@b.c', 'O"Brien@x.y']); // email IN ["a@b.c","O\"Brien@x.y"]
 * batchInFilters('email', emails, { budget: 6000, fixedLength: url.href.length });
 */

const fieldNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A filter string literal: double quotes, backslash before `"` and `\`. */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

export function checkFieldName(field: string): string {
  if (!fieldNamePattern.test(field)) {
    throw new RangeError(
      `"${field}" is not an Oomnitza field name; use its external id (letters, digits and underscores, e.g. email or ninja_uid)`,
    );
  }
  return field;
}

export function eqFilter(field: string, value: string): string {
  return `${checkFieldName(field)} eq ${quoteFilterValue(value)}`;
}

export function inFilter(field: string, values: readonly string[]): string {
  return `${checkFieldName(field)} IN [${values.map(quoteFilterValue).join(',')}]`;
}

/** The values to ask for: each as given plus its lower-case form, once each. */
export function lookupVariants(values: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    seen.add(value);
    seen.add(value.toLowerCase());
  }
  return [...seen];
}

/** Most values in one IN list, whatever their length. */
export const maxValuesPerFilter = 200;

export interface BatchOptions {
  /** Longest whole URL allowed, in characters. */
  readonly budget?: number;
  /** Characters of the URL that are not the filter (origin, path, other parameters). */
  readonly fixedLength: number;
  /** Most values in one IN list, whatever their length. */
  readonly maxValues?: number;
}

/**
 * `IN` filters covering all `values` (lookup variants included), each short enough for the URL
 * budget once percent-encoded. A single value too long for the budget on its own gets a filter of
 * its own anyway, since leaving it out would silently miss a record.
 */
export function batchInFilters(field: string, values: readonly string[], options: BatchOptions): string[] {
  checkFieldName(field);
  const budget = (options.budget ?? 6000) - options.fixedLength - '&filter='.length;
  const maxValues = options.maxValues ?? maxValuesPerFilter;
  const prefix = encodedLength(`${field} IN [`) + encodedLength(']');
  const batches: string[] = [];
  let current: string[] = [];
  let length = prefix;
  for (const value of lookupVariants(values)) {
    const cost = encodedLength(quoteFilterValue(value)) + (current.length > 0 ? encodedLength(',') : 0);
    if (current.length > 0 && (length + cost > budget || current.length >= maxValues)) {
      batches.push(inFilter(field, current));
      current = [];
      length = prefix;
    }
    length += current.length > 0 ? cost : encodedLength(quoteFilterValue(value));
    current.push(value);
  }
  if (current.length > 0) batches.push(inFilter(field, current));
  return batches;
}

/** Length of a query-parameter value once URLSearchParams has encoded it. */
function encodedLength(text: string): number {
  return new URLSearchParams({ f: text }).toString().length - 2;
}
