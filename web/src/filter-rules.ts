/**
 * The filter rules as the editor holds them: drafts that may be incomplete (a new rule has no field
 * and no value yet), the operators that fit each field's type, and the rules the document gets (a
 * draft is applied as soon as it is complete, as typed, so the preview agrees with the screen).
 *
 * @example
 * const drafts = toDrafts(document.filters ?? []);
 * const { rules, incomplete } = fromDrafts(drafts, typeOf); // rules for the document; incomplete by draft index
 */
import type { IntegrationInput } from '../../src/contracts/integrations.ts';

export type FilterRule = NonNullable<IntegrationInput['filters']>[number];
type FieldRule = Extract<FilterRule, { field: string }>;
type ExprRule = Exclude<FilterRule, FieldRule>;
export type Op = FieldRule['op'];

export type RuleDraft =
  | { readonly kind: 'expr'; readonly rule: ExprRule }
  | { readonly kind: 'field'; readonly field: string | null; readonly op: Op; readonly text: string };

const labels: Record<Op, string> = {
  eq: 'is',
  ne: 'is not',
  in: 'is one of',
  nin: 'is none of',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
  exists: 'has a value',
  notExists: 'is empty',
  gt: 'is greater than',
  lt: 'is less than',
  matches: 'matches the pattern',
};
const allOps = Object.keys(labels) as Op[];
export const noValue: ReadonlySet<Op> = new Set(['exists', 'notExists']);
export const listOps: ReadonlySet<Op> = new Set(['in', 'nin']);

/** The operators that make sense for a NinjaOne field's type (all of them for a custom field, whose type is unknown). */
export function operatorsFor(type: string | undefined): { value: Op; label: string }[] {
  const pick = (ops: Op[], rename: Partial<Record<Op, string>> = {}): { value: Op; label: string }[] =>
    ops.map((value) => ({ value, label: rename[value] ?? labels[value] }));
  switch (type) {
    case 'boolean':
      return pick(['eq', 'ne', 'exists', 'notExists']);
    case 'enum':
      return pick(['eq', 'ne', 'in', 'nin', 'exists', 'notExists']);
    case 'integer':
    case 'number':
      return pick(['eq', 'ne', 'in', 'nin', 'gt', 'lt', 'exists', 'notExists']);
    case 'datetime':
      return pick(['gt', 'lt', 'exists', 'notExists'], { gt: 'is after', lt: 'is before' });
    case 'string':
      return pick(['eq', 'ne', 'contains', 'startsWith', 'endsWith', 'matches', 'in', 'nin', 'exists', 'notExists']);
    case 'string[]':
    case 'integer[]':
      return pick(['contains', 'in', 'nin', 'exists', 'notExists'], {
        contains: 'includes',
        in: 'includes one of',
        nin: 'includes none of',
        exists: 'has any',
        notExists: 'has none',
      });
    default:
      return pick(allOps);
  }
}

/** Text as the rule's value, by the field's type: true/false, numbers for number fields, lists comma-separated. */
export function parseRuleValue(op: Op, text: string, type?: string): FieldRule['value'] {
  const one = (t: string): string | number | boolean => {
    if (type === 'boolean') return t === 'true' ? true : t === 'false' ? false : t;
    if (type === 'integer' || type === 'number' || type === 'integer[]') return t !== '' && !Number.isNaN(Number(t)) ? Number(t) : t;
    if (type !== undefined) return t;
    // A custom field: its type is not known, so the text says what it is.
    return t === 'true' ? true : t === 'false' ? false : t !== '' && !Number.isNaN(Number(t)) && op !== 'matches' ? Number(t) : t;
  };
  if (noValue.has(op)) return undefined;
  if (listOps.has(op))
    return text
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map(one);
  return one(op === 'matches' ? text : text.trim());
}

function valueText(value: FieldRule['value']): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export function toDrafts(rules: readonly FilterRule[]): RuleDraft[] {
  return rules.map((rule) =>
    'expr' in rule ? { kind: 'expr', rule } : { kind: 'field', field: rule.field, op: rule.op, text: valueText(rule.value) },
  );
}

/** A new rule: no field, no value (it filters nothing until both are chosen). */
export const newDraft: RuleDraft = { kind: 'field', field: null, op: 'eq', text: '' };

/** What a draft still needs, in words; null when it is complete. */
export function missingPart(draft: RuleDraft): string | null {
  if (draft.kind === 'expr') return null;
  if (draft.field === null) return 'pick a field';
  if (!noValue.has(draft.op) && draft.text.trim() === '') return `type a value (or choose “${labels.exists}”)`;
  return null;
}

/**
 * The document's rules: the complete drafts, in order. `draftIndex[i]` is the draft that rule i came
 * from, so a problem the server reports at `filters[i]` shows beside the right draft.
 */
export function fromDrafts(
  drafts: readonly RuleDraft[],
  typeOf: (field: string) => string | undefined,
): { rules: FilterRule[]; draftIndex: number[] } {
  const rules: FilterRule[] = [];
  const draftIndex: number[] = [];
  drafts.forEach((draft, i) => {
    if (missingPart(draft) !== null) return;
    if (draft.kind === 'expr') rules.push(draft.rule);
    else {
      const field = draft.field as string;
      const value = parseRuleValue(draft.op, draft.text, typeOf(field));
      rules.push(value === undefined ? { field, op: draft.op } : { field, op: draft.op, value });
    }
    draftIndex.push(i);
  });
  return { rules, draftIndex };
}
