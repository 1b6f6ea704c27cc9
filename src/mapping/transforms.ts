/**
 * Transforms applied to a target field's value, in the order written, and what each does to a type
 * (so validation can refuse `join` on a boolean before a run does).
 *
 * Runtime rules, for every value a record can produce:
 * - null stays null through every transform.
 * - `trim`, `lower`, `upper` change text and each text item of a list; other values pass unchanged.
 * - `string`: numbers and booleans as text, a list as its items joined by ', ', an object as JSON.
 * - `number`: text that is a number (after trimming; blank becomes null), true/false as 1/0;
 *   anything else fails the record.
 * - `boolean`: true/yes/y/on/1 and false/no/n/off/0 in any case, numbers as non-zero; blank text is
 *   null; anything else fails the record.
 * - `{join: sep}`: a list's items (nulls dropped) joined by `sep`; a lone value is a one-item list.
 * - `{date: iso|epoch|date}`: reads ISO text or epoch numbers (below 1e11 read as seconds, as
 *   NinjaOne sends them, else milliseconds, as `$millis()` gives) and writes `iso`
 *   `2026-01-31T02:00:00Z` (the form Oomnitza documents), `epoch` seconds, or `date` `2026-01-31`,
 *   all in UTC.
 * After the transforms, an empty string becomes null, so a blank value never counts as a value.
 *
 * @example
 * applyTransforms('  Ada@Example.COM ', ['trim', 'lower']); // 'ada@example.com'
 * applyTransforms(['Admin', 'Ops'], [{ join: '; ' }]);     // 'Admin; Ops'
 */
import type { Transform } from '../integrations/schema.ts';
import type { FieldType } from './catalogue.ts';

/** A failed transform: the record fails with this message, the run goes on. */
export class TransformError extends Error {
  override readonly name = 'TransformError';
}

/** The transform as people write it: `lower`, `join: ', '`, `date: epoch`. */
export function transformText(transform: Transform): string {
  if (typeof transform === 'string') return transform;
  return 'join' in transform ? `join: ${JSON.stringify(transform.join)}` : `date: ${transform.date}`;
}

function show(value: unknown): string {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : Array.isArray(value)
        ? 'a list'
        : typeof value === 'object'
          ? 'an object'
          : itemText(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function mapText(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === 'string') return change(value);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? change(item) : item));
  return value;
}

function itemText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') return String(item);
  return JSON.stringify(item) ?? '';
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  throw new TransformError(`number: ${show(value)} is not a number`);
}

const truthy = new Set(['true', 'yes', 'y', 'on', '1']);
const falsy = new Set(['false', 'no', 'n', 'off', '0']);

function toBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === '') return null;
    if (truthy.has(text)) return true;
    if (falsy.has(text)) return false;
  }
  throw new TransformError(`boolean: ${show(value)} is not true or false (write true/false, yes/no or 1/0)`);
}

// Epoch values below this are seconds (until the year 5138); above, milliseconds.
const secondsLimit = 1e11;

function toTime(value: unknown): number {
  let ms = Number.NaN;
  if (typeof value === 'number') ms = Math.abs(value) < secondsLimit ? value * 1000 : value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = /^-?\d+(\.\d+)?$/.test(value.trim()) ? toTime(Number(value)) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TransformError(`date: ${show(value)} is not a date (expected ISO 8601 text or epoch seconds)`);
  return ms;
}

function toDate(value: unknown, format: 'iso' | 'epoch' | 'date'): string | number | null {
  if (value === '') return null;
  const ms = toTime(value);
  if (format === 'epoch') return Math.floor(ms / 1000);
  const iso = new Date(ms).toISOString();
  return format === 'date' ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** One transform; throws TransformError when the value cannot be converted. */
export function applyTransform(value: unknown, transform: Transform): unknown {
  if (value === null || value === undefined) return null;
  switch (transform) {
    case 'trim':
      return mapText(value, (t) => t.trim());
    case 'lower':
      return mapText(value, (t) => t.toLowerCase());
    case 'upper':
      return mapText(value, (t) => t.toUpperCase());
    case 'string':
      if (Array.isArray(value))
        return value
          .filter((item) => item !== null && item !== undefined)
          .map(itemText)
          .join(', ');
      return itemText(value);
    case 'number':
      return toNumber(value);
    case 'boolean':
      return toBoolean(value);
  }
  if ('join' in transform) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    return items
      .filter((item) => item !== null && item !== undefined)
      .map(itemText)
      .join(transform.join);
  }
  return toDate(value, transform.date);
}

/** Every transform in order, then '' → null; undefined (absent) is null too. */
export function applyTransforms(value: unknown, transforms: readonly Transform[]): unknown {
  let out: unknown = value === undefined ? null : value;
  for (const transform of transforms) out = applyTransform(out, transform);
  return out === '' ? null : out;
}

/** A field's type for validation; `unknown` for custom fields and expressions. */
export type ValueType = FieldType | 'unknown';

const typeWords: Record<ValueType, string> = {
  string: 'text',
  integer: 'a number',
  boolean: 'a boolean (true/false)',
  'string[]': 'a list of text',
  'integer[]': 'a list of numbers',
  datetime: 'a date-time',
  enum: 'one of a fixed set of values',
  unknown: 'of any type',
};

export function describeType(type: ValueType): string {
  return typeWords[type];
}

const textTypes: ReadonlySet<ValueType> = new Set(['string', 'enum', 'datetime', 'string[]', 'unknown']);

/**
 * The type a transform produces from `input`, or why it does not apply (with the fix).
 *
 * @example
 * transformResult('boolean', { join: ', ' }); // { ok: false, message: "join works on a list, …" }
 */
export function transformResult(input: ValueType, transform: Transform): { ok: true; type: ValueType } | { ok: false; message: string } {
  const name = transformText(transform);
  const refuse = (what: string, fix: string): { ok: false; message: string } => ({
    ok: false,
    message: `'${name}' works on ${what}, but the value is ${describeType(input)}; ${fix}`,
  });
  if (transform === 'trim' || transform === 'lower' || transform === 'upper') {
    return textTypes.has(input) ? { ok: true, type: input } : refuse('text', "remove it, or put 'string' before it");
  }
  if (transform === 'string') return { ok: true, type: input === 'unknown' ? 'unknown' : 'string' };
  if (transform === 'number') {
    if (['string', 'integer', 'boolean', 'unknown'].includes(input)) return { ok: true, type: input === 'unknown' ? 'unknown' : 'integer' };
    return refuse(
      'text, numbers and booleans',
      input === 'datetime'
        ? 'use { date: epoch } for epoch seconds'
        : input.endsWith('[]')
          ? 'join the list first, or map one item with an expression'
          : 'remove it',
    );
  }
  if (transform === 'boolean') {
    if (['string', 'integer', 'boolean', 'unknown'].includes(input)) return { ok: true, type: input === 'unknown' ? 'unknown' : 'boolean' };
    return refuse('text, numbers and booleans', input.endsWith('[]') ? 'use an expression such as $count(list) > 0' : 'remove it');
  }
  if ('join' in transform) {
    if (input === 'string[]' || input === 'integer[]' || input === 'unknown') return { ok: true, type: 'string' };
    return refuse('a list', 'remove it: the value is a single value already');
  }
  if (input === 'datetime' || input === 'unknown') return { ok: true, type: transform.date === 'epoch' ? 'integer' : 'string' };
  return refuse('dates', 'remove it, or compute a date with an expression');
}
