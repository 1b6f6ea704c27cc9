/**
 * The right side of the mapping page: Oomnitza fields as drop zones, each with the tenant's label
 * and type. Each row also has a select with the same choices, so everything a drag does can be
 * done by keyboard. "Add Oomnitza field" offers every other editable field of the tenant's data
 * model; "Refresh fields" reads the model again (after a field was created in Oomnitza).
 */
import { useDroppable } from '@dnd-kit/core';
import { Alert, Autocomplete, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';

import { addableFields, describeTarget, sourceOf, type Target, type TargetInfo, targetTitle } from './mapping-model.ts';

import type { DataModelState } from './use-data-model.ts';

export interface SourceOption {
  readonly value: string;
  readonly label: string;
}

const special = [
  { value: '__expr', label: 'Expression…' },
  { value: '__value', label: 'Fixed value…' },
];

function TargetRow({
  info,
  target,
  options,
  canEdit,
  problems,
  modelKnown,
  carriedOver,
  onPick,
  onSet,
  onClear,
}: {
  info: TargetInfo;
  target: Target | undefined;
  options: readonly SourceOption[];
  canEdit: boolean;
  problems: readonly string[];
  modelKnown: boolean;
  /** A field carried by keyboard is over this one: highlighted and scrolled into view. */
  carriedOver: boolean;
  onPick: (source: string) => void;
  onSet: (target: Target) => void;
  onClear: () => void;
}) {
  const field = info.name;
  const { setNodeRef: setDropRef, isOver: pointerOver } = useDroppable({ id: `dst:${field}`, disabled: !canEdit });
  const row = useRef<HTMLDivElement | null>(null);
  const setNodeRef = (node: HTMLDivElement | null): void => {
    row.current = node;
    setDropRef(node);
  };
  const isOver = pointerOver || carriedOver;
  useEffect(() => {
    if (carriedOver) row.current?.scrollIntoView({ block: 'nearest' });
  }, [carriedOver]);
  const current = sourceOf(target);
  const isExpr = target !== undefined && typeof target !== 'string' && 'expr' in target;
  const isValue = target !== undefined && typeof target !== 'string' && 'value' in target;
  const selected = current ?? (isExpr ? '__expr' : isValue ? '__value' : null);
  const data = [...options, ...special];
  const title = targetTitle(info);
  const pick = (v: string | null): void => {
    if (v === null) onClear();
    else if (v === '__expr') onSet({ expr: isExpr ? target.expr : (current ?? '') });
    else if (v === '__value') onSet({ value: isValue ? target.value : '' });
    else onPick(v);
  };
  const bad = problems.length > 0 || (modelKnown && !info.inModel);
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      data-oomnitza-field={field}
      aria-label={`Oomnitza field ${title}`}
      role="group"
      style={{
        background: isOver ? 'var(--mantine-color-green-0)' : undefined,
        borderColor: isOver ? 'var(--mantine-color-green-6)' : bad ? 'var(--mantine-color-red-6)' : undefined,
      }}
    >
      <Group justify="space-between" gap="xs">
        <div style={{ minWidth: 120, flex: 1 }}>
          <Text size="sm" fw={600}>
            {info.label}
          </Text>
          <Text size="xs" c="dimmed">
            {field}
            {info.dataType ? ` · ${info.dataType}` : ''}
            {info.required ? ' · required' : ''}
          </Text>
          <Text size="xs" c={target === undefined ? 'dimmed' : 'dark'} data-testid={`mapped-${field}`}>
            ← {describeTarget(target)}
          </Text>
        </div>
        <Group gap={4} wrap="nowrap">
          <Select
            size="xs"
            w={190}
            aria-label={`Source for ${title}`}
            placeholder="not mapped"
            searchable
            disabled={!canEdit}
            data={data}
            value={selected}
            onChange={pick}
          />
          {canEdit && target !== undefined && (
            <Button size="xs" variant="subtle" color="gray" onClick={onClear} aria-label={`Unmap ${title}`}>
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
      {isValue && info.options !== null && (
        <Select
          size="xs"
          mt={4}
          label={`Fixed value for ${field}`}
          description="One of the values of this dropdown in Oomnitza"
          placeholder="pick a value"
          disabled={!canEdit}
          data={[...info.options]}
          value={target.value === null || target.value === '' ? null : String(target.value)}
          onChange={(v) => onSet({ value: v ?? '' })}
        />
      )}
      {isValue && info.options === null && (
        <TextInput
          size="xs"
          mt={4}
          label={`Fixed value for ${field}`}
          disabled={!canEdit}
          value={target.value === null ? '' : String(target.value)}
          onChange={(e) => onSet({ value: e.currentTarget.value })}
        />
      )}
      {modelKnown && !info.inModel && problems.length === 0 && (
        <Text c="red" size="xs">
          Not in this Oomnitza tenant&apos;s data model: create the field in Oomnitza&apos;s data model, then refresh the fields.
        </Text>
      )}
      {problems.map((m) => (
        <Text key={m} c="red" size="xs" role="alert">
          {m}
        </Text>
      ))}
    </Paper>
  );
}

function NewFieldZone({
  name,
  onName,
  model,
  shown,
  carriedOver,
}: {
  name: string;
  onName: (name: string) => void;
  model: DataModelState;
  shown: readonly string[];
  carriedOver: boolean;
}) {
  const { setNodeRef: setDropRef, isOver: pointerOver } = useDroppable({ id: 'new-field' });
  const zone = useRef<HTMLDivElement | null>(null);
  const setNodeRef = (node: HTMLDivElement | null): void => {
    zone.current = node;
    setDropRef(node);
  };
  const isOver = pointerOver || carriedOver;
  useEffect(() => {
    if (carriedOver) zone.current?.scrollIntoView({ block: 'nearest' });
  }, [carriedOver]);
  const addable = addableFields(model.fields, shown);
  const byName = new Map(addable.map((f) => [f.name, f]));
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
        {model.fields
          ? `Pick one of the tenant's other ${addable.length} fields, then drop a NinjaOne field here or pick one on its new row.`
          : 'Type its name, then drop a NinjaOne field here or pick one with the select on the new row.'}
      </Text>
      <Autocomplete
        size="xs"
        mt={4}
        label="Oomnitza field to add"
        placeholder={model.fields ? 'Search by label or name' : 'e.g. ninja_roles'}
        value={name}
        onChange={onName}
        data={addable.map((f) => f.name)}
        limit={50}
        maxDropdownHeight={260}
        filter={({ options, search }) => {
          const s = search.trim().toLowerCase();
          return options.filter((o) => {
            if (!('value' in o)) return false;
            const field = byName.get(o.value);
            return o.value.includes(s) || (field?.label.toLowerCase().includes(s) ?? false);
          });
        }}
        renderOption={({ option }) => {
          const field = byName.get(option.value);
          return (
            <div>
              <Text size="xs" fw={500}>
                {field ? targetTitle(field) : option.value}
              </Text>
              {field && (
                <Text size="xs" c="dimmed">
                  {field.dataType}
                  {field.options ? `: ${field.options.join(', ')}` : ''}
                </Text>
              )}
            </div>
          );
        }}
      />
    </Paper>
  );
}

/** Where the targets come from: the tenant's data model (and when it was read), or why not. */
function ModelStatus({ model, canEdit, onRefresh }: { model: DataModelState; canEdit: boolean; onRefresh: () => void }) {
  return (
    <>
      <Group justify="space-between" gap="xs">
        <Title order={4}>Oomnitza fields</Title>
        {canEdit && model.refreshable && (
          <Button size="xs" variant="light" loading={model.busy} onClick={onRefresh}>
            Refresh fields
          </Button>
        )}
      </Group>
      {model.fields && (
        <Text size="xs" c="dimmed" role="status">
          {model.fields.filter((f) => f.editable).length} editable fields in the tenant&apos;s data model
          {model.fetchedAt ? `, read ${new Date(model.fetchedAt).toLocaleString()}` : ''}. A field created in Oomnitza since: Refresh
          fields.
        </Text>
      )}
      {model.fallback && !model.busy && (
        <Alert color="yellow" title="Common fields only" role="status" p="xs">
          <Text size="xs">
            The tenant&apos;s data model is not known ({model.fallback}), so the common Oomnitza fields are offered and a field name is not
            checked before the run.
          </Text>
        </Alert>
      )}
      {model.error && (
        <Text c="red" size="xs" role="alert">
          {model.error}
        </Text>
      )}
    </>
  );
}

export function MappingTargets({
  fields,
  mapping,
  options,
  canEdit,
  problems,
  model,
  onRefreshFields,
  carriedOver,
  newName,
  onNewName,
  onAddField,
  onPick,
  onSet,
  onClear,
}: {
  fields: readonly TargetInfo[];
  mapping: Readonly<Record<string, Target>>;
  options: readonly SourceOption[];
  canEdit: boolean;
  problems: ReadonlyMap<string, readonly string[]>;
  model: DataModelState;
  /** "Refresh fields": reads the data model again, then checks the mapping against it. */
  onRefreshFields: () => void;
  /** The drop target a field carried by keyboard is over (`dst:email`, `new-field`). */
  carriedOver: string | null;
  newName: string;
  onNewName: (name: string) => void;
  onAddField: () => void;
  onPick: (field: string, source: string) => void;
  onSet: (field: string, target: Target) => void;
  onClear: (field: string) => void;
}) {
  return (
    <Stack gap={6} role="region" aria-label="Oomnitza fields">
      <ModelStatus model={model} canEdit={canEdit} onRefresh={onRefreshFields} />
      {fields.map((f) => (
        <TargetRow
          key={f.name}
          info={f}
          target={mapping[f.name]}
          options={options}
          canEdit={canEdit}
          problems={problems.get(f.name) ?? []}
          modelKnown={model.fields !== null}
          carriedOver={carriedOver === `dst:${f.name}`}
          onPick={(s) => onPick(f.name, s)}
          onSet={(t) => onSet(f.name, t)}
          onClear={() => onClear(f.name)}
        />
      ))}
      {canEdit && (
        <>
          <NewFieldZone
            name={newName}
            onName={onNewName}
            model={model}
            shown={fields.map((f) => f.name)}
            carriedOver={carriedOver === 'new-field'}
          />
          <Button size="xs" variant="light" disabled={newName.trim() === ''} onClick={onAddField}>
            Add field
          </Button>
        </>
      )}
    </Stack>
  );
}
