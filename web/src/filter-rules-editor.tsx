/**
 * Filter rules: which NinjaOne users the integration keeps, each rule built from a field, an
 * operator that fits the field's type and a value (all rules must hold). A new rule starts empty and
 * filters nothing until it is complete; the value applies as it is typed. Expression rules written
 * in YAML show as text and can be removed.
 */
import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';

import { listOps, missingPart, newDraft, noValue, operatorsFor, type RuleDraft } from './filter-rules.ts';

import type { CatalogueField } from '../../src/contracts/catalogue.ts';
import type { SourceOption } from './mapping-targets.tsx';

function ValueInput({
  index,
  draft,
  field,
  disabled,
  onText,
}: {
  index: number;
  draft: Extract<RuleDraft, { kind: 'field' }>;
  field: CatalogueField | undefined;
  disabled: boolean;
  onText: (text: string) => void;
}) {
  const label = `Filter ${index + 1} value`;
  const choices = field?.type === 'boolean' ? ['true', 'false'] : field?.type === 'enum' ? (field.values ?? []) : [];
  if (choices.length > 0 && !listOps.has(draft.op))
    return (
      <Select
        size="xs"
        w={170}
        aria-label={label}
        placeholder="pick a value"
        data={choices}
        value={draft.text === '' ? null : draft.text}
        disabled={disabled}
        onChange={(v) => onText(v ?? '')}
      />
    );
  return (
    <TextInput
      size="xs"
      miw={200}
      style={{ flex: '1 1 200px', maxWidth: 420 }}
      aria-label={label}
      placeholder={listOps.has(draft.op) ? (choices.length > 0 ? choices.join(', ') : 'a, b, c') : 'value'}
      disabled={disabled}
      value={draft.text}
      onChange={(e) => onText(e.currentTarget.value)}
    />
  );
}

export function FilterRulesEditor({
  drafts,
  options,
  catalogue,
  canEdit,
  errors,
  onChange,
}: {
  drafts: readonly RuleDraft[];
  options: readonly SourceOption[];
  catalogue: readonly CatalogueField[];
  canEdit: boolean;
  /** Problems by draft index, already in words. */
  errors: ReadonlyMap<number, readonly string[]>;
  onChange: (drafts: RuleDraft[]) => void;
}) {
  const update = (i: number, draft: RuleDraft): void => onChange(drafts.map((d, j) => (j === i ? draft : d)));
  const removeButton = (i: number, size: 'xs' | 'compact-xs') => (
    <Button
      size={size}
      variant="subtle"
      color="red"
      onClick={() => onChange(drafts.filter((_, j) => j !== i))}
      aria-label={`Remove filter ${i + 1}`}
    >
      Remove
    </Button>
  );
  return (
    <Stack gap={6} role="region" aria-label="Filters">
      <Title order={4}>Filters</Title>
      <Text size="xs" c="dimmed">
        Keep only the NinjaOne users for which every rule holds. No rules: every user is synced.
      </Text>
      {drafts.map((draft, i) => {
        const problems = errors.get(i) ?? [];
        const missing = missingPart(draft);
        const field = draft.kind === 'field' ? catalogue.find((f) => f.key === draft.field) : undefined;
        return (
          <div key={i} data-filter-rule={i + 1}>
            {draft.kind === 'expr' ? (
              <Text size="sm">
                Expression: <code>{draft.rule.expr}</code>
                {draft.rule.description ? ` — ${draft.rule.description}` : ''}
              </Text>
            ) : (
              <Group gap={4} align="end">
                <Select
                  size="xs"
                  w={260}
                  aria-label={`Filter ${i + 1} field`}
                  placeholder="Pick a field"
                  data={options}
                  value={draft.field}
                  disabled={!canEdit}
                  searchable
                  allowDeselect={false}
                  onChange={(v) => {
                    if (v === null || v === draft.field) return;
                    // Another field: the operator and value of the old one may not fit it, so they start over.
                    const ops = operatorsFor(catalogue.find((f) => f.key === v)?.type);
                    update(i, { kind: 'field', field: v, op: ops[0]?.value ?? 'eq', text: '' });
                  }}
                />
                <Select
                  size="xs"
                  w={200}
                  aria-label={`Filter ${i + 1} operator`}
                  data={operatorsFor(field?.type ?? (draft.field === null ? 'string' : undefined))}
                  value={draft.op}
                  disabled={!canEdit || draft.field === null}
                  allowDeselect={false}
                  onChange={(v) => {
                    if (v === null) return;
                    const op = v;
                    // A list and a single value do not translate into each other; keep the text otherwise.
                    const keep = !noValue.has(op) && listOps.has(op) === listOps.has(draft.op);
                    update(i, { ...draft, op, text: keep ? draft.text : '' });
                  }}
                />
                {!noValue.has(draft.op) && (
                  <ValueInput index={i} draft={draft} field={field} disabled={!canEdit} onText={(text) => update(i, { ...draft, text })} />
                )}
                {canEdit && removeButton(i, 'xs')}
              </Group>
            )}
            {draft.kind === 'expr' && canEdit && removeButton(i, 'compact-xs')}
            {missing && problems.length === 0 && (
              <Text size="xs" c="dimmed">
                Not applied yet: {missing}.
              </Text>
            )}
            {problems.map((m) => (
              <Text key={m} c="red" size="xs" role="alert">
                Filter rule {i + 1}: {m}
              </Text>
            ))}
          </div>
        );
      })}
      {canEdit && (
        <Group>
          <Button size="xs" variant="light" onClick={() => onChange([...drafts, newDraft])}>
            Add filter rule
          </Button>
        </Group>
      )}
    </Stack>
  );
}
