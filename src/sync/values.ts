/**
 * How the planner compares values. Two questions, two functions:
 * - `keyText`: the text a sync-key value is matched by. Oomnitza compares text keys
 *   case-insensitively (an email typed `Ann@Acme.com` by hand is the same person as `ann@acme.com`),
 *   so keys are trimmed and lower-cased; an empty key is no key.
 * - `sameValue`: whether a field needs writing. The destination answers in its own types (a number
 *   for a numeric field, nothing at all for an empty one, epoch seconds for a date) while the mapping
 *   produces text, numbers, lists; comparing them naively would rewrite every record on every run.
 *
 * @example
 * keyText(' Ann@Acme.com ')            // 'ann@acme.com'
 * sameValue(null, '')                   // true: both empty
 * sameValue(42, '42')                   // true
 * sameValue(['b', 'a'], ['a', 'b'])     // true: a list is compared as a set of values
 */

/** The text a sync-key value is matched by, or null when the value is empty or not a scalar. */
export function keyText(value: unknown): string | null {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    return text === '' ? null : text;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
}

/** Null, undefined, an empty (or blank) text and an empty list all mean "no value". */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.length === 0 || (isSpace(value.charCodeAt(0)) && value.trim() === '');
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Whether a character code is white space as `trim` sees it (the cheap test before a trim). */
function isSpace(code: number): boolean {
  return (
    code <= 32 ||
    code === 0xa0 ||
    code === 0xfeff ||
    (code >= 0x2000 && (code <= 0x200a || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000)) ||
    code === 0x1680
  );
}

const numericText = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const isoDateText = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Whether the destination already holds `wanted` when it answers `held`.
 * Text is compared exactly except where the types differ: a number and a numeric text are compared
 * as numbers, a boolean and 'true'/'false' as booleans, an ISO date and epoch seconds (Oomnitza's
 * date storage) as instants. Lists are compared as sets, because NinjaOne does not promise an order.
 */
export function sameValue(held: unknown, wanted: unknown): boolean {
  const heldEmpty = isEmptyValue(held);
  const wantedEmpty = isEmptyValue(wanted);
  if (heldEmpty || wantedEmpty) return heldEmpty && wantedEmpty;
  if (typeof held === typeof wanted && typeof held !== 'object') return held === wanted;
  if (Array.isArray(held) && Array.isArray(wanted)) return sameList(held, wanted);
  return canonical(held) === canonical(wanted);
}

/** Whether two key values match, as the destination matches them (case-insensitive text). */
export function sameKey(held: unknown, wanted: unknown): boolean {
  return keyText(held) === keyText(wanted);
}

function sameList(held: readonly unknown[], wanted: readonly unknown[]): boolean {
  if (held.length !== wanted.length) return false;
  const a = held.map(canonical).sort();
  const b = wanted.map(canonical).sort();
  return a.every((item, i) => item === b[i]);
}

/** One text per value such that values a person would call equal get the same text. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? `n:${value}` : `s:${String(value)}`;
  if (typeof value === 'boolean') return `b:${value}`;
  if (typeof value === 'bigint') return `n:${value}`;
  if (typeof value === 'string') return canonicalText(value);
  if (value instanceof Date) return `n:${Math.floor(value.getTime() / 1000)}`;
  if (Array.isArray(value)) return `l:[${value.map(canonical).sort().join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => !isEmptyValue(v));
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `o:{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return `s:${typeof value}`;
}

function canonicalText(text: string): string {
  if (numericText.test(text)) return `n:${Number(text)}`;
  const lower = text.trim().toLowerCase();
  if (lower === 'true' || lower === 'false') return `b:${lower}`;
  if (isoDateText.test(text.trim())) {
    const ms = Date.parse(text.trim());
    // A bare date (2026-11-27) is compared by its UTC midnight, as Oomnitza stores it.
    if (Number.isFinite(ms)) return `n:${Math.floor(ms / 1000)}`;
  }
  return `s:${text}`;
}
