/**
 * The left side of the mapping page: the 19 NinjaOne catalogue fields and the custom fields, each
 * a draggable chip with a few of the tenant's values, and a small form to add a custom field (a name and a JSONata expression).
 *
 * The chips are one tab stop (a roving tabindex): Tab reaches the list, the arrow keys (Home, End)
 * move between fields, Space or Enter picks one up to move it onto an Oomnitza field.
 */
import { useDndContext, useDraggable } from '@dnd-kit/core';
import { Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type KeyboardEvent, useState } from 'react';

import type { CatalogueField } from '../../src/contracts/catalogue.ts';

/** How a NinjaOne field looks, in the list and under the pointer while dragged. */
export function ChipView({ label, detail }: { label: string; detail: string }) {
  return (
    <Paper withBorder px="sm" py={4} shadow="md" style={{ background: 'var(--mantine-color-blue-0)' }}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <Text size="xs" c="dimmed">
        {detail}
      </Text>
    </Paper>
  );
}

function SourceChip({
  id,
  label,
  detail,
  samples,
  current,
  carried,
  onFocus,
  onBlur,
}: {
  id: string;
  label: string;
  detail: string;
  samples?: readonly string[] | undefined;
  /** The chip Tab lands on (tabindex 0); the others are reached with the arrow keys. */
  current: boolean;
  /** Picked up by keyboard, on its way to an Oomnitza field. */
  carried: boolean;
  onFocus: () => void;
  onBlur: () => void;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: `src:${id}` });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      px="sm"
      py={4}
      className="source-chip"
      data-source-field={id}
      style={{
        cursor: 'grab',
        opacity: isDragging ? 0.4 : 1,
        touchAction: 'none',
        background: carried ? 'var(--mantine-color-green-0)' : 'var(--mantine-color-blue-0)',
        borderColor: carried ? 'var(--mantine-color-green-6)' : undefined,
      }}
      {...listeners}
    >
      {/* The focusable part is the field's name only, so what is seen ("Phone") is inside what is read ("NinjaOne field Phone"). */}
      <Text
        size="sm"
        fw={500}
        component="div"
        {...attributes}
        tabIndex={current ? 0 : -1}
        data-chip-focus={id}
        onFocus={onFocus}
        onBlur={onBlur}
        aria-pressed={carried}
        aria-roledescription="draggable NinjaOne field"
        aria-label={`NinjaOne field ${label}`}
        aria-describedby={`${attributes['aria-describedby']} source-detail-${id}`}
      >
        {label}
      </Text>
      {/* Read out as the chip's description. */}
      <Text
        size="xs"
        c="dimmed"
        truncate="end"
        id={`source-detail-${id}`}
        title={samples && samples.length > 0 ? `e.g. ${samples.join(' | ')}` : undefined}
      >
        {detail}
        {/* On the same line as the type, so a chip keeps its height whatever the tenant holds. */}
        {samples && samples.length > 0 && <span data-testid={`samples-${id}`}> · e.g. {samples.join(' | ')}</span>}
      </Text>
    </Paper>
  );
}

export function MappingSources({
  catalogue,
  customFields,
  canEdit,
  onAddCustom,
  onRemoveCustom,
  errors,
  samples,
  carrying,
  onChipKey,
}: {
  catalogue: readonly CatalogueField[];
  customFields: Readonly<Record<string, string>>;
  canEdit: boolean;
  /** Up to 3 values per NinjaOne field from the tenant (the preview's), shown beside each field. */
  samples?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The field picked up by keyboard, if any. */
  carrying: string | null;
  /** A key pressed on a field; true when the keyboard carry took it (use-keyboard-carry.ts). */
  onChipKey: (key: string, source: string) => boolean;
  onAddCustom: (name: string, expr: string) => void;
  onRemoveCustom: (name: string) => void;
  /** Problems by custom field name, in words. */
  errors: ReadonlyMap<string, readonly string[]>;
}) {
  const [name, setName] = useState('');
  const [expr, setExpr] = useState('');
  const [adding, setAdding] = useState(false);
  const ids = [...catalogue.map((f) => f.key), ...Object.keys(customFields)];
  const [focused, setFocused] = useState<string | null>(null);
  const current = focused !== null && ids.includes(focused) ? focused : ids[0];
  const { active } = useDndContext();
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (active !== null || !(event.target instanceof HTMLElement) || !event.target.dataset['chipFocus']) return;
    const chip = event.target.dataset['chipFocus'];
    // Picked up (or being picked up), the keys move the field, not the focus.
    if (onChipKey(event.key, chip)) {
      event.preventDefault();
      return;
    }
    if (carrying !== null) return;
    const at = ids.indexOf(chip);
    const to = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = ids[Math.max(0, Math.min(ids.length - 1, to))];
    if (next !== undefined) event.currentTarget.querySelector<HTMLElement>(`[data-chip-focus="${CSS.escape(next)}"]`)?.focus();
  };
  return (
    <Stack gap={6} aria-label="NinjaOne fields" role="region">
      <Title order={4}>NinjaOne fields</Title>
      <Text size="xs" c="dimmed" id="source-help">
        Drag a field onto an Oomnitza field on the right. By keyboard: arrow keys to choose a field, Space to pick it up, arrow keys to move
        between Oomnitza fields, Space to drop.
      </Text>
      <Stack gap={6} onKeyDown={onKeyDown}>
        {catalogue.map((f) => (
          <SourceChip
            key={f.key}
            id={f.key}
            label={f.label}
            detail={`${f.key} · ${f.type}`}
            samples={samples?.[f.key]}
            current={current === f.key}
            carried={carrying === f.key}
            onFocus={() => setFocused(f.key)}
            onBlur={() => {
              if (carrying === f.key) onChipKey('Escape', f.key);
            }}
          />
        ))}
        <Title order={5} mt="sm">
          Custom fields
        </Title>
        {Object.keys(customFields).length === 0 && (
          <Text size="xs" c="dimmed">
            None yet: a custom field is a JSONata expression over the NinjaOne user.
          </Text>
        )}
        {Object.entries(customFields).map(([key, expression]) => (
          <div key={key}>
            <SourceChip
              id={key}
              label={key}
              detail={`= ${expression}`}
              current={current === key}
              carried={carrying === key}
              onFocus={() => setFocused(key)}
              onBlur={() => {
                if (carrying === key) onChipKey('Escape', key);
              }}
            />
            {canEdit && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="red"
                onClick={() => onRemoveCustom(key)}
                aria-label={`Remove custom field ${key}`}
              >
                Remove
              </Button>
            )}
            {(errors.get(key) ?? []).map((m) => (
              <Text key={m} c="red" size="xs" role="alert">
                Custom field {key}: {m}
              </Text>
            ))}
          </div>
        ))}
      </Stack>
      {canEdit && !adding && (
        <Button size="xs" variant="light" onClick={() => setAdding(true)}>
          New custom field…
        </Button>
      )}
      {canEdit && adding && (
        <Stack gap={4} mt={4}>
          <Group grow gap={4}>
            <TextInput
              size="xs"
              label="Custom field name"
              placeholder="fullName"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              size="xs"
              label="Expression"
              placeholder="firstName & ' ' & lastName"
              value={expr}
              onChange={(e) => setExpr(e.currentTarget.value)}
            />
          </Group>
          <Button
            size="xs"
            variant="light"
            disabled={name.trim() === '' || expr.trim() === ''}
            onClick={() => {
              onAddCustom(name.trim(), expr.trim());
              setName('');
              setExpr('');
              setAdding(false);
            }}
          >
            Add custom field
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
