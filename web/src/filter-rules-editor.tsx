/**
 * Filter rules: which NinjaOne users the integration keeps, each rule built from a field, an
 * operator and a value (all rules must hold). Expression rules written in YAML show as text and
 * can be removed.
 */
import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';

import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { SourceOption } from './mapping-targets.tsx';

export type FilterRule = NonNullable<IntegrationInput['filters']>[number];
type FieldRule = Extract<FilterRule, { field: string }>;
type Op = FieldRule['op'];

const operators: readonly { value: Op; label: string }[] = [
  { value: 'eq', label: 'is' },
  { value: 'ne', label: 'is not' },
  { value: 'in', label: 'is one of' },
  { value: 'nin', label: 'is none of' },
  { value: 'contains', label: 'contains' },
  { value: 'startsWith', label: 'starts with' },
  { value: 'endsWith', label: 'ends with' },
  { value: 'exists', label: 'has a value' },
  { value: 'notExists', label: 'is empty' },
  { value: 'gt', label: 'is greater than' },
  { value: 'lt', label: 'is less than' },
  { value: 'matches', label: 'matches the pattern' },
];
const noValue: ReadonlySet<Op> = new Set(['exists', 'notExists']);
const listOps: ReadonlySet<Op> = new Set(['in', 'nin']);

/** Text as the rule's value: true/false and numbers as such, lists comma-separated for in/nin. */
export function parseRuleValue(op: Op, text: string): FieldRule['value'] {
  const one = (t: string): string | number | boolean =>
    t === 'true' ? true : t === 'false' ? false : t !== '' && !Number.isNaN(Number(t)) && op !== 'matches' ? Number(t) : t;
  if (noValue.has(op)) return undefined;
  if (listOps.has(op))
    return text
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map(one);
  return one(text.trim());
}

function valueText(value: FieldRule['value']): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export function FilterRulesEditor({
  rules,
  options,
  canEdit,
  errors,
  onChange,
}: {
  rules: readonly FilterRule[];
  options: readonly SourceOption[];
  canEdit: boolean;
  errors: Readonly<Record<string, string>>;
  onChange: (rules: FilterRule[]) => void;
}) {
  const update = (i: number, rule: FilterRule): void => onChange(rules.map((r, j) => (j === i ? rule : r)));
  return (
    <Stack gap={6} role="region" aria-label="Filters">
      <Title order={4}>Filters</Title>
      <Text size="xs" c="dimmed">
        Keep only the NinjaOne users for which every rule holds. No rules: every user is synced.
      </Text>
      {rules.map((rule, i) => (
        <div key={i}>
          {'expr' in rule ? (
            <Text size="sm">
              Expression: <code>{rule.expr}</code>
              {rule.description ? ` — ${rule.description}` : ''}
            </Text>
          ) : (
            <Group gap={4} wrap="nowrap" align="end">
              <Select
                size="xs"
                w={150}
                aria-label={`Filter ${i + 1} field`}
                data={options}
                value={rule.field}
                disabled={!canEdit}
                searchable
                allowDeselect={false}
                onChange={(v) => update(i, { ...rule, field: v ?? rule.field })}
              />
              <Select
                size="xs"
                w={130}
                aria-label={`Filter ${i + 1} operator`}
                data={operators}
                value={rule.op}
                disabled={!canEdit}
                allowDeselect={false}
                onChange={(v) => {
                  const op = v ?? rule.op;
                  update(i, { field: rule.field, op, ...(noValue.has(op) ? {} : { value: parseRuleValue(op, valueText(rule.value)) }) });
                }}
              />
              {!noValue.has(rule.op) && (
                <TextInput
                  key={rule.op}
                  size="xs"
                  w={150}
                  aria-label={`Filter ${i + 1} value`}
                  placeholder={listOps.has(rule.op) ? 'a, b, c' : 'value'}
                  disabled={!canEdit}
                  defaultValue={valueText(rule.value)}
                  onBlur={(e) => update(i, { ...rule, value: parseRuleValue(rule.op, e.currentTarget.value) })}
                />
              )}
            </Group>
          )}
          {canEdit && (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              onClick={() => onChange(rules.filter((_, j) => j !== i))}
              aria-label={`Remove filter ${i + 1}`}
            >
              Remove
            </Button>
          )}
          {Object.entries(errors)
            .filter(([p]) => p === `filters[${i}]` || p.startsWith(`filters[${i}].`))
            .map(([p, m]) => (
              <Text key={p} c="red" size="xs" role="alert">
                {m}
              </Text>
            ))}
        </div>
      ))}
      {canEdit && (
        <Group>
          <Button size="xs" variant="light" onClick={() => onChange([...rules, { field: 'userType', op: 'eq', value: 'END_USER' }])}>
            Add filter rule
          </Button>
        </Group>
      )}
    </Stack>
  );
}
