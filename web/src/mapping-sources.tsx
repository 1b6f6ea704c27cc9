/**
 * The left side of the mapping page: the 19 NinjaOne catalogue fields and the custom fields, each
 * a draggable chip with a few of the tenant's values, and a small form to add a custom field (a name and a JSONata expression).
 */
import { useDraggable } from '@dnd-kit/core';
import { Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';

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
}: {
  id: string;
  label: string;
  detail: string;
  samples?: readonly string[] | undefined;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: `src:${id}` });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      px="sm"
      py={4}
      data-source-field={id}
      style={{ cursor: 'grab', opacity: isDragging ? 0.4 : 1, touchAction: 'none', background: 'var(--mantine-color-blue-0)' }}
      {...listeners}
    >
      {/* The focusable part is the field's name only, so what is seen ("Phone") is inside what is read ("NinjaOne field Phone"). */}
      <Text
        size="sm"
        fw={500}
        component="div"
        {...attributes}
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
}: {
  catalogue: readonly CatalogueField[];
  customFields: Readonly<Record<string, string>>;
  canEdit: boolean;
  /** Up to 3 values per NinjaOne field from the tenant (the preview's), shown beside each field. */
  samples?: Readonly<Record<string, readonly string[]>> | undefined;
  onAddCustom: (name: string, expr: string) => void;
  onRemoveCustom: (name: string) => void;
  errors: Readonly<Record<string, string>>;
}) {
  const [name, setName] = useState('');
  const [expr, setExpr] = useState('');
  return (
    <Stack gap={6} aria-label="NinjaOne fields" role="region">
      <Title order={4}>NinjaOne fields</Title>
      <Text size="xs" c="dimmed">
        Drag a field onto an Oomnitza field on the right.
      </Text>
      {catalogue.map((f) => (
        <SourceChip key={f.key} id={f.key} label={f.label} detail={`${f.key} · ${f.type}`} samples={samples?.[f.key]} />
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
          <SourceChip id={key} label={key} detail={`= ${expression}`} />
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
          {errors[`customFields.${key}`] && (
            <Text c="red" size="xs">
              {errors[`customFields.${key}`]}
            </Text>
          )}
        </div>
      ))}
      {canEdit && (
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
            }}
          >
            Add custom field
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
