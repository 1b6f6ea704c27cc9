/**
 * The right side of the mapping page: Oomnitza fields as drop zones. Each row also has a select
 * with the same choices, so everything a drag does can be done by keyboard.
 */
import { useDroppable } from '@dnd-kit/core';
import { Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';

import { describeTarget, sourceOf, type Target } from './mapping-model.ts';

export interface SourceOption {
  readonly value: string;
  readonly label: string;
}

const special = [
  { value: '__expr', label: 'Expression…' },
  { value: '__value', label: 'Fixed value…' },
];

function TargetRow({
  field,
  target,
  options,
  canEdit,
  error,
  onPick,
  onSet,
  onClear,
}: {
  field: string;
  target: Target | undefined;
  options: readonly SourceOption[];
  canEdit: boolean;
  error: string | undefined;
  onPick: (source: string) => void;
  onSet: (target: Target) => void;
  onClear: () => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `dst:${field}`, disabled: !canEdit });
  const current = sourceOf(target);
  const isExpr = target !== undefined && typeof target !== 'string' && 'expr' in target;
  const isValue = target !== undefined && typeof target !== 'string' && 'value' in target;
  const selected = current ?? (isExpr ? '__expr' : isValue ? '__value' : null);
  const data = [...options, ...special];
  const pick = (v: string | null): void => {
    if (v === null) onClear();
    else if (v === '__expr') onSet({ expr: isExpr ? target.expr : (current ?? '') });
    else if (v === '__value') onSet({ value: isValue ? target.value : '' });
    else onPick(v);
  };
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      data-oomnitza-field={field}
      aria-label={`Oomnitza field ${field}`}
      role="group"
      style={{
        background: isOver ? 'var(--mantine-color-green-0)' : undefined,
        borderColor: isOver ? 'var(--mantine-color-green-6)' : error ? 'var(--mantine-color-red-6)' : undefined,
      }}
    >
      <Group justify="space-between" gap="xs">
        <div style={{ minWidth: 120 }}>
          <Text size="sm" fw={600}>
            {field}
          </Text>
          <Text size="xs" c={target === undefined ? 'dimmed' : 'dark'} data-testid={`mapped-${field}`}>
            ← {describeTarget(target)}
          </Text>
        </div>
        <Group gap={4} wrap="nowrap">
          <Select
            size="xs"
            w={190}
            aria-label={`Source for ${field}`}
            placeholder="not mapped"
            searchable
            disabled={!canEdit}
            data={data}
            value={selected}
            onChange={pick}
          />
          {canEdit && target !== undefined && (
            <Button size="xs" variant="subtle" color="gray" onClick={onClear} aria-label={`Unmap ${field}`}>
              ✕
            </Button>
          )}
        </Group>
      </Group>
      {isExpr && (
        <TextInput
          size="xs"
          mt={4}
          label={`Expression for ${field}`}
          description="JSONata over the NinjaOne user, e.g. $lowercase(email)"
          disabled={!canEdit}
          value={target.expr}
          onChange={(e) => onSet({ expr: e.currentTarget.value })}
        />
      )}
      {isValue && (
        <TextInput
          size="xs"
          mt={4}
          label={`Fixed value for ${field}`}
          disabled={!canEdit}
          value={target.value === null ? '' : String(target.value)}
          onChange={(e) => onSet({ value: e.currentTarget.value })}
        />
      )}
      {error && (
        <Text c="red" size="xs" role="alert">
          {error}
        </Text>
      )}
    </Paper>
  );
}

function NewFieldZone({ name, onName }: { name: string; onName: (name: string) => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: 'new-field' });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      style={{ borderStyle: 'dashed', background: isOver ? 'var(--mantine-color-green-0)' : undefined }}
      aria-label="Add new Oomnitza field"
      role="group"
    >
      <Text size="sm" fw={600}>
        Add new Oomnitza field
      </Text>
      <Text size="xs" c="dimmed">
        Type its name, then drop a NinjaOne field here or pick one with the select on the new row.
      </Text>
      <TextInput
        size="xs"
        mt={4}
        label="New Oomnitza field name"
        placeholder="e.g. ninja_roles"
        value={name}
        onChange={(e) => onName(e.currentTarget.value)}
      />
    </Paper>
  );
}

export function MappingTargets({
  fields,
  mapping,
  options,
  canEdit,
  errors,
  newName,
  onNewName,
  onAddField,
  onPick,
  onSet,
  onClear,
}: {
  fields: readonly string[];
  mapping: Readonly<Record<string, Target>>;
  options: readonly SourceOption[];
  canEdit: boolean;
  errors: Readonly<Record<string, string>>;
  newName: string;
  onNewName: (name: string) => void;
  onAddField: () => void;
  onPick: (field: string, source: string) => void;
  onSet: (field: string, target: Target) => void;
  onClear: (field: string) => void;
}) {
  return (
    <Stack gap={6} role="region" aria-label="Oomnitza fields">
      <Title order={4}>Oomnitza fields</Title>
      {fields.map((f) => (
        <TargetRow
          key={f}
          field={f}
          target={mapping[f]}
          options={options}
          canEdit={canEdit}
          error={Object.entries(errors).find(([p]) => p === `mapping.${f}` || p.startsWith(`mapping.${f}.`))?.[1]}
          onPick={(s) => onPick(f, s)}
          onSet={(t) => onSet(f, t)}
          onClear={() => onClear(f)}
        />
      ))}
      {canEdit && (
        <>
          <NewFieldZone name={newName} onName={onNewName} />
          <Button size="xs" variant="light" disabled={newName.trim() === ''} onClick={onAddField}>
            Add field
          </Button>
        </>
      )}
    </Stack>
  );
}
