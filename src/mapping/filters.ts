/**
 * Filter rules `{ field, op, value }`, compiled to plain functions (no JSONata), their readable
 * text for drop reasons, and the checks that a rule's value suits its field.
 *
 * Semantics (a record is kept only when every rule holds):
 * | op | on a single value | on a list (Roles List, Device Ids List…) |
 * |---|---|---|
 * | eq / ne | equal / not equal | the same items in the same order (use contains for one item) |
 * | in / nin | equal to one of `value` (a list) / to none | some item is in `value` / none is |
 * | contains | text contains `value` | some item equals `value` (membership) |
 * | startsWith / endsWith | text starts / ends with `value` | some item does |
 * | matches | text matches the regular expression (`^Adm` or `/^adm/i`) | some item does |
 * | gt / lt | greater / less: numbers as numbers, date-times as instants | — |
 * | exists / notExists | has a value: not null, not blank text | the list has an item |
 * Text compares ignoring case (as Oomnitza compares text), except `matches`, which follows its
 * flags. Types do not mix: the text "true" is not the boolean true, the text "5" is not 5. A null
 * field satisfies only ne, nin, notExists and eq null. `eq null` and `eq ""` both mean "has no
 * value" (null, blank text or an empty list), the opposite of exists.
 *
 * @example
 * const keep = compileFieldRule({ field: 'roles', op: 'contains', value: 'admin' });
 * keep(['Admin', 'Ops']); // true
 */
import { catalogueByKey } from './catalogue.ts';
import { describeType } from './transforms.ts';

import type { FilterRule } from '../integrations/schema.ts';
import type { ValueType } from './transforms.ts';

export type FieldRule = Extract<FilterRule, { field: string }>;
type Scalar = string | number | boolean;

/** `enabled eq true`, `roles contains "Admin"`, `phone exists`, or an expression's description. */
export function describeRule(rule: FilterRule): string {
  if ('expr' in rule) return rule.description ?? rule.expr;
  return rule.value === undefined ? `${rule.field} ${rule.op}` : `${rule.field} ${rule.op} ${JSON.stringify(rule.value)}`;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  return Array.isArray(value) && value.length === 0;
}

/** A test for "equal to this rule value": text ignoring case, other scalars strictly. */
function sameAs(expected: Scalar): (actual: unknown) => boolean {
  if (typeof expected === 'string') {
    const lower = expected.toLowerCase();
    return (actual) => typeof actual === 'string' && actual.toLowerCase() === lower;
  }
  return (actual) => actual === expected;
}

/** `^Adm` or `/^adm/i`; the stateful g and y flags are dropped. */
export function ruleRegExp(source: string): RegExp {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(source);
  if (literal) return new RegExp(literal[1] ?? '', (literal[2] ?? '').replace(/[gy]/g, ''));
  return new RegExp(source, 'u');
}

const isoDate = /^\d{4}-\d{2}-\d{2}/;

function order(actual: unknown, expected: Scalar): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string') {
    if (isoDate.test(actual) && isoDate.test(expected)) {
      const a = Date.parse(actual);
      const b = Date.parse(expected);
      if (Number.isFinite(a) && Number.isFinite(b)) return a - b;
    }
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return undefined;
}

function textTest(value: unknown, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  return Array.isArray(value) && value.some((item) => typeof item === 'string' && test(item));
}

/** The rule as a predicate over the field's value. Assumes the rule passed `fieldRuleProblems`. */
export function compileFieldRule(rule: FieldRule): (value: unknown) => boolean {
  const { op, value } = rule;
  switch (op) {
    case 'exists':
      return (v) => !isEmpty(v);
    case 'notExists':
      return (v) => isEmpty(v);
    case 'eq':
    case 'ne': {
      let eq: (v: unknown) => boolean;
      if (value === null || value === undefined || value === '') eq = isEmpty;
      else if (Array.isArray(value)) {
        const tests = value.map(sameAs);
        eq = (v) => Array.isArray(v) && v.length === tests.length && tests.every((t, i) => t(v[i]));
      } else {
        const same = sameAs(value);
        eq = (v) => !Array.isArray(v) && same(v);
      }
      return op === 'eq' ? eq : (v) => !eq(v);
    }
    case 'in':
    case 'nin': {
      const tests = (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]).map(sameAs);
      const inList = (v: unknown): boolean => (Array.isArray(v) ? v.some((item) => tests.some((t) => t(item))) : tests.some((t) => t(v)));
      return op === 'in' ? inList : (v) => !inList(v);
    }
    case 'contains': {
      if (value === null || value === undefined || Array.isArray(value)) return () => false;
      const same = sameAs(value);
      const needle = String(value).toLowerCase();
      return (v) => (Array.isArray(v) ? v.some(same) : typeof v === 'string' && v.toLowerCase().includes(needle));
    }
    case 'startsWith':
    case 'endsWith': {
      const affix = String(value ?? '').toLowerCase();
      return op === 'startsWith'
        ? (v) => textTest(v, (t) => t.toLowerCase().startsWith(affix))
        : (v) => textTest(v, (t) => t.toLowerCase().endsWith(affix));
    }
    case 'matches': {
      const re = ruleRegExp(String(value ?? ''));
      return (v) => textTest(v, (t) => re.test(t));
    }
    case 'gt':
    case 'lt': {
      if (value === null || value === undefined || Array.isArray(value)) return () => false;
      return op === 'gt' ? (v) => (order(v, value) ?? 0) > 0 : (v) => (order(v, value) ?? 0) < 0;
    }
  }
}

/** The type of a catalogue field; custom fields are `unknown`. */
export function sourceFieldType(field: string): ValueType {
  return catalogueByKey.get(field)?.type ?? 'unknown';
}

function scalarProblem(field: string, type: ValueType, value: unknown): string | undefined {
  const item = type === 'string[]' ? 'string' : type === 'integer[]' ? 'integer' : type;
  if (item === 'unknown') return typeof value === 'object' && value !== null ? `the value must be text, a number or true/false` : undefined;
  if (item === 'boolean' && typeof value !== 'boolean') return `${field} is a boolean: write true or false, without quotes`;
  if (item === 'integer' && (typeof value !== 'number' || !Number.isInteger(value)))
    return `${field} holds whole numbers: write a number without quotes, e.g. 42`;
  if ((item === 'string' || item === 'datetime' || item === 'enum') && typeof value !== 'string')
    return `${field} is text: put the value in quotes, e.g. "${String(value)}"`;
  if (item === 'enum') {
    const values = catalogueByKey.get(field)?.values ?? [];
    if (!values.some((v) => v.toLowerCase() === String(value).toLowerCase()))
      return `${field} is one of ${values.join(', ')}; ${JSON.stringify(value)} never matches`;
  }
  if (item === 'datetime' && !Number.isFinite(Date.parse(String(value))))
    return `${field} is a date-time: write ISO 8601, e.g. "2026-01-31T00:00:00Z"`;
  return undefined;
}

const textOps = new Set(['startsWith', 'endsWith', 'matches']);

/**
 * What is wrong with a rule's operator or value for the field's type, each with the fix.
 *
 * @example
 * fieldRuleProblems({ field: 'enabled', op: 'eq', value: 'true' }, 'boolean');
 * // [{ key: 'value', message: 'enabled is a boolean: write true or false, without quotes' }]
 */
export function fieldRuleProblems(rule: FieldRule, type: ValueType): { key: 'op' | 'value'; message: string }[] {
  const { field, op, value } = rule;
  const isList = type === 'string[]' || type === 'integer[]';
  const problems: { key: 'op' | 'value'; message: string }[] = [];
  const valueProblem = (message: string | undefined): void => void (message !== undefined && problems.push({ key: 'value', message }));
  const opProblem = (message: string): void => void problems.push({ key: 'op', message });

  if (op === 'exists' || op === 'notExists') {
    if (value !== undefined) valueProblem(`'${op}' takes no value; remove value`);
    return problems;
  }
  if (value === undefined) {
    valueProblem(`'${op}' needs a value, e.g. { field: ${field}, op: ${op}, value: ${op === 'in' || op === 'nin' ? '[a, b]' : '...'} }`);
    return problems;
  }
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || value.length === 0) valueProblem(`'${op}' takes a list of values, e.g. value: [TECHNICIAN, END_USER]`);
    else for (const item of value) valueProblem(scalarProblem(field, type, item));
    return problems;
  }
  if (op === 'eq' || op === 'ne') {
    if (value === null) return problems;
    if (Array.isArray(value)) {
      if (!isList && type !== 'unknown')
        valueProblem(`${field} is a single value, not a list: compare it with one value, or use 'in' for several`);
      else for (const item of value) valueProblem(scalarProblem(field, type, item));
    } else if (isList) {
      opProblem(`${field} is a list: '${op}' compares the whole list; use '${op === 'eq' ? 'contains' : 'nin'}' to test for one item`);
    } else valueProblem(scalarProblem(field, type, value));
    return problems;
  }
  if (value === null || Array.isArray(value)) {
    valueProblem(`'${op}' takes a single value, not ${value === null ? 'null' : 'a list'}`);
    return problems;
  }
  if (op === 'gt' || op === 'lt') {
    if (type !== 'integer' && type !== 'datetime' && type !== 'unknown')
      opProblem(`'${op}' compares numbers and date-times, but ${field} is ${describeType(type)}`);
    else valueProblem(scalarProblem(field, type, value));
    return problems;
  }
  if (op === 'contains') {
    if (type === 'boolean' || type === 'integer' || type === 'datetime')
      opProblem(`'contains' works on text and lists, but ${field} is ${describeType(type)}; use eq`);
    else valueProblem(scalarProblem(field, type, value));
    return problems;
  }
  if (textOps.has(op)) {
    if (type === 'boolean' || type === 'integer' || type === 'integer[]')
      opProblem(`'${op}' works on text, but ${field} is ${describeType(type)}`);
    else if (typeof value !== 'string') valueProblem(`'${op}' takes text: put the value in quotes`);
    else if (op === 'matches') {
      try {
        ruleRegExp(value);
      } catch (error) {
        valueProblem(`not a regular expression: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}
