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

function TargetRow({ field, target, options, canEdit, error, onPick, onClear }: {
  field: string; target: Target | undefined; options: readonly SourceOption[]; canEdit: boolean; error: string | undefined;
  onPick: (source: string) => void; onClear: () => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `dst:${field}`, disabled: !canEdit });
  const current = sourceOf(target);
  const data = current === null && target !== undefined ? [{ value: '__keep', label: describeTarget(target) }, ...options] : options;
  return (
    <Paper ref={setNodeRef} withBorder p="xs" data-oomnitza-field={field} aria-label={`Oomnitza field ${field}`} role="group"
      style={{ background: isOver ? 'var(--mantine-color-green-0)' : undefined, borderColor: isOver ? 'var(--mantine-color-green-6)' : error ? 'var(--mantine-color-red-6)' : undefined }}>
      <Group justify="space-between" wrap="nowrap">
        <div style={{ minWidth: 120 }}>
          <Text size="sm" fw={600}>{field}</Text>
          <Text size="xs" c={target === undefined ? 'dimmed' : 'dark'} data-testid={`mapped-${field}`}>← {describeTarget(target)}</Text>
        </div>
        <Group gap={4} wrap="nowrap">
          <Select size="xs" w={190} aria-label={`Source for ${field}`} placeholder="not mapped" searchable disabled={!canEdit}
            data={data} value={current ?? (target !== undefined ? '__keep' : null)} onChange={(v) => { if (v === null) onClear(); else if (v !== '__keep') onPick(v); }} />
          {canEdit && target !== undefined && <Button size="xs" variant="subtle" color="gray" onClick={onClear} aria-label={`Unmap ${field}`}>✕</Button>}
        </Group>
      </Group>
      {error && <Text c="red" size="xs" role="alert">{error}</Text>}
    </Paper>
  );
}

function NewFieldZone({ name, onName }: { name: string; onName: (name: string) => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: 'new-field' });
  return (
    <Paper ref={setNodeRef} withBorder p="xs" style={{ borderStyle: 'dashed', background: isOver ? 'var(--mantine-color-green-0)' : undefined }} aria-label="Add new Oomnitza field" role="group">
      <Text size="sm" fw={600}>Add new Oomnitza field</Text>
      <Text size="xs" c="dimmed">Type its name, then drop a NinjaOne field here or pick one with the select on the new row.</Text>
      <TextInput size="xs" mt={4} label="New Oomnitza field name" placeholder="e.g. ninja_roles" value={name} onChange={(e) => onName(e.currentTarget.value)} />
    </Paper>
  );
}

export function MappingTargets({ fields, mapping, options, canEdit, errors, newName, onNewName, onAddField, onPick, onClear }: {
  fields: readonly string[]; mapping: Readonly<Record<string, Target>>; options: readonly SourceOption[]; canEdit: boolean; errors: Readonly<Record<string, string>>;
  newName: string; onNewName: (name: string) => void; onAddField: () => void; onPick: (field: string, source: string) => void; onClear: (field: string) => void;
}) {
  return (
    <Stack gap={6} role="region" aria-label="Oomnitza fields">
      <Title order={4}>Oomnitza fields</Title>
      {fields.map((f) => (
        <TargetRow key={f} field={f} target={mapping[f]} options={options} canEdit={canEdit} error={errors[`mapping.${f}`]}
          onPick={(s) => onPick(f, s)} onClear={() => onClear(f)} />
      ))}
      {canEdit && (
        <>
          <NewFieldZone name={newName} onName={onNewName} />
          <Button size="xs" variant="light" disabled={newName.trim() === ''} onClick={onAddField}>Add field</Button>
        </>
      )}
    </Stack>
  );
}
