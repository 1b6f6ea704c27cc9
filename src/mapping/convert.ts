/**
 * Conversion by target type: the one table that turns a mapped value into what Oomnitza stores in a
 * field of the tenant's data model. Validate, the preview, the dry run and the run all convert
 * through it, so a dry run fails exactly the records a run fails.
 *
 * - text (string, email, …): a list is joined with ", " (items as text; a `join` transform in the
 *   mapping picks another separator first); a boolean is "true" or
 *   "false"; a number its digits; longer than the field's length fails; an email must look like one.
 * - integer, number: numbers, or text that is a number; a boolean or a list fails.
 * - boolean: true/false, or the text "true"/"false" (any case).
 * - date, datetime: ISO 8601 text or epoch seconds → epoch seconds, as Oomnitza stores dates (a
 *   date at its UTC midnight); the vendor notes say a time-zone suffix is ignored.
 * - dropdown: one of the field's values (any case; written as the model spells it); else it fails.
 * An empty value (null, "", an empty list) clears the field. A type the table does not know is
 * written as mapped. A failure names the field, the value and the target type.
 *
 * @example
 * convertValue(['Help Desk', 'Admin'], { name: 'ninja_roles', dataType: 'string' }); // { ok: true, value: 'Help Desk, Admin' }
 * convertValue(true, { name: 'ninja_id', dataType: 'integer' }).ok;                    // false
 */

export interface TargetField {
  /** The external id, e.g. ninja_roles. */
  readonly name: string;
  readonly label?: string;
  /** Oomnitza's data_type, e.g. string, integer, number, boolean, date, datetime, dropdown. */
  readonly dataType: string;
  readonly length?: number | null;
  readonly options?: readonly string[] | null;
}

export type Conversion = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

export const defaultListSeparator = ', ';

type Converter = (value: unknown, field: TargetField, separator: string) => Conversion;
const ok = (value: unknown): Conversion => ({ ok: true, value });
const no = (message: string): Conversion => ({ ok: false, message });

const emailPattern = /^[^\s@]+@[^\s@]+$/;
const numberText = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function toText(value: unknown, field: TargetField, separator: string): Conversion {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (value instanceof Date) text = value.toISOString();
  else if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      if (item === null || item === undefined) continue;
      if (typeof item === 'object') return no('a list of objects cannot be written as text; pick a field of them in an expression');
      items.push(String(item));
    }
    text = items.join(separator);
  } else return no('an object cannot be written as text; pick one of its fields in an expression');
  const max = field.length ?? null;
  if (max !== null && text.length > max) return no(`the field takes at most ${max} characters, this is ${text.length}`);
  if (field.dataType === 'email' && text !== '' && !emailPattern.test(text)) return no('it is not an email address');
  return ok(text);
}

function toNumber(value: unknown, field: TargetField): Conversion {
  let n: number | null = null;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && numberText.test(value)) n = Number(value);
  if (n === null || !Number.isFinite(n)) {
    const hint = typeof value === 'boolean' ? '; map a number, or an expression such as `administrator ? 1 : 0`' : '';
    return no(`it is not a number${hint}`);
  }
  if (field.dataType === 'integer' && !Number.isSafeInteger(n)) return no('it is not a whole number');
  return ok(n);
}

function toBoolean(value: unknown): Conversion {
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return ok(value.trim().toLowerCase() === 'true');
  return no('it is not true or false');
}

function toEpoch(value: unknown, field: TargetField): Conversion {
  let epoch: number | null = null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) epoch = value;
  else if (value instanceof Date && Number.isFinite(value.getTime())) epoch = Math.floor(value.getTime() / 1000);
  else if (typeof value === 'string') epoch = parseIso(value.trim());
  if (epoch === null) return no("it is not a date (ISO 8601 such as '2026-11-27T09:00:00Z', or epoch seconds)");
  return ok(field.dataType === 'date' ? epoch - (((epoch % 86400) + 86400) % 86400) : epoch);
}

function toOption(value: unknown, field: TargetField): Conversion {
  if (typeof value !== 'string' && typeof value !== 'number') return no('a dropdown takes one value');
  const text = String(value);
  if (!field.options || field.options.length === 0) return ok(text);
  const option = field.options.find((o) => o.toLowerCase() === text.trim().toLowerCase());
  if (option === undefined) return no(`it is not one of the dropdown's values (${field.options.join(', ')})`);
  return ok(option);
}

/** Oomnitza data type → converter: the one table. */
const conversions: Readonly<Record<string, Converter>> = {
  string: toText,
  text: toText,
  textarea: toText,
  email: toText,
  url: toText,
  integer: toNumber,
  number: toNumber,
  decimal: toNumber,
  currency: toNumber,
  boolean: toBoolean,
  checkbox: toBoolean,
  date: toEpoch,
  datetime: toEpoch,
  timestamp: toEpoch,
  dropdown: toOption,
};

/** Whether this table converts values for the type (the others are written as mapped). */
export function convertsType(dataType: string): boolean {
  return Object.hasOwn(conversions, dataType.toLowerCase());
}

export function convertValue(value: unknown, field: TargetField, separator: string = defaultListSeparator): Conversion {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return ok(null);
  const type = field.dataType.toLowerCase();
  if (value === '' && type !== 'string' && type !== 'text' && type !== 'textarea') return ok(null);
  const convert = conversions[type];
  if (convert === undefined) return ok(value);
  const result = convert(value, { ...field, dataType: type }, separator);
  if (result.ok) return result;
  return no(`${field.name} (${type}) cannot take ${describeValue(value)}: ${result.message}`);
}

/**
 * Converts every field of a mapped record whose target is in `targets`; the failures, one per
 * field, when any (the record is then not written at all).
 */
export function convertRecord(
  fields: Readonly<Record<string, unknown>>,
  targets: ReadonlyMap<string, TargetField>,
): { readonly ok: true; readonly fields: Record<string, unknown> } | { readonly ok: false; readonly failures: readonly string[] } {
  const out: Record<string, unknown> = {};
  const failures: string[] = [];
  for (const name in fields) {
    const target = targets.get(name);
    if (target === undefined) {
      out[name] = fields[name];
      continue;
    }
    const result = convertValue(fields[name], target);
    if (result.ok) out[name] = result.value;
    else failures.push(result.message);
  }
  return failures.length === 0 ? { ok: true, fields: out } : { ok: false, failures };
}

/** The value as a person reads it in an error: text quoted and cut, a list as a list. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
  if (Array.isArray(value)) return `the list [${value.slice(0, 5).map(describeValue).join(', ')}${value.length > 5 ? ', …' : ''}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function parseIso(text: string): number | null {
  const m = isoPattern.exec(text);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((part) => part ?? '0') as [
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return null;
  return Math.floor(ms / 1000);
}
