/**
 * The mapping page: NinjaOne fields on the left, Oomnitza fields on the right; drag a NinjaOne
 * field onto an Oomnitza field (or onto "Add new Oomnitza field"), or use each row's select.
 * Sync keys are picked and ordered on the side. Saving PUTs the whole integration document. Below,
 * a preview shows the tenant's first users as the mapping being edited would write them.
 */
import {
  type CollisionDetection,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { Alert, Button, Grid, Group, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';

import { api } from './api.ts';
import { type FilterRule, FilterRulesEditor } from './filter-rules-editor.tsx';
import { assignSource, commonOomnitzaFields, type Target, toOomnitzaName } from './mapping-model.ts';
import { MappingPreview } from './mapping-preview.tsx';
import { ChipView, MappingSources } from './mapping-sources.tsx';
import { MappingTargets } from './mapping-targets.tsx';
import { useSession } from './session-context.ts';
import { SyncKeysEditor } from './sync-keys-editor.tsx';
import { useLoad } from './use-load.ts';
import { usePreview } from './use-preview.ts';
import { useSubmit } from './use-submit.ts';

import type { StoredIntegration } from '../../src/contracts/integrations.ts';

/** The field under the pointer wins; by keyboard (no pointer) the most overlapped one. */
const dropTarget: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length > 0 ? under : rectIntersection(args);
};

export function MappingEditor({ integration, onSaved }: { integration: StoredIntegration; onSaved: () => Promise<void> }) {
  const { isAdmin } = useSession();
  const { data: catalogue } = useLoad(() => api.get('/api/catalogue').then((a) => a.fields), []);
  const doc = integration.document;
  const [mapping, setMapping] = useState<Record<string, Target>>({ ...doc.mapping });
  const [customFields, setCustomFields] = useState<Record<string, string>>({ ...(doc.customFields ?? {}) });
  const [syncKeys, setSyncKeys] = useState<string[]>([...doc.syncKeys]);
  const [updateSyncKeys, setUpdateSyncKeys] = useState(doc.updateSyncKeys ?? false);
  const [filters, setFilters] = useState<FilterRule[]>([...(doc.filters ?? [])]);
  const [extraFields, setExtraFields] = useState<string[]>([]);
  const [newName, setNewName] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  const edited = useMemo(
    () => ({ ...doc, mapping, customFields, syncKeys, updateSyncKeys, filters }),
    [doc, mapping, customFields, syncKeys, updateSyncKeys, filters],
  );
  const preview = usePreview(edited);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor));

  const fields = useMemo(() => {
    const all = [...commonOomnitzaFields, ...Object.keys(mapping), ...extraFields];
    return [...new Set(all)];
  }, [mapping, extraFields]);
  const options = useMemo(
    () => [
      ...(catalogue ?? []).map((f) => ({ value: f.key, label: `${f.label} (${f.key})` })),
      ...Object.keys(customFields).map((k) => ({ value: k, label: `${k} (custom)` })),
    ],
    [catalogue, customFields],
  );
  const labelOf = (key: string): string => catalogue?.find((f) => f.key === key)?.label ?? key;

  const change = (): void => {
    setDirty(true);
    setSaved(false);
  };
  const pick = (field: string, source: string): void => {
    setMapping((m) => ({ ...m, [field]: assignSource(m[field], source) }));
    change();
  };
  const set = (field: string, target: Target): void => {
    setMapping((m) => ({ ...m, [field]: target }));
    change();
  };
  const clear = (field: string): void => {
    setMapping((m) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== field)));
    setSyncKeys((keys) => keys.filter((k) => k !== field));
    change();
  };
  const addField = (source?: string): void => {
    const name = toOomnitzaName(newName || source || '');
    if (name === '') return;
    setExtraFields((f) => (f.includes(name) ? f : [...f, name]));
    if (source) pick(name, source);
    setNewName('');
  };

  const onDragStart = (event: DragStartEvent): void => setDragging(String(event.active.id).slice(4));
  const onDragEnd = (event: DragEndEvent): void => {
    setDragging(null);
    const source = String(event.active.id).slice(4);
    const over = event.over ? String(event.over.id) : null;
    if (over === 'new-field') addField(source);
    else if (over?.startsWith('dst:')) pick(over.slice(4), source);
  };

  const save = (): void => {
    void submit.run(
      () => api.put('/api/integrations/:id', { params: { id: integration.id }, body: edited }),
      async () => {
        setDirty(false);
        setSaved(true);
        await onSaved();
      },
    );
  };

  const e = submit.errors;
  const generalErrors = Object.entries(e).filter(
    ([path]) =>
      !path.startsWith('mapping.') && !path.startsWith('customFields.') && !path.startsWith('syncKeys') && !path.startsWith('filters['),
  );
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={dropTarget}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragging(null)}
    >
      <Stack>
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {isAdmin
              ? 'Drag NinjaOne fields onto Oomnitza fields, or use the select on each row.'
              : 'Read only: ask an admin to change the mapping.'}
          </Text>
          {isAdmin && (
            <Button onClick={save} loading={submit.busy} disabled={!dirty}>
              Save mapping
            </Button>
          )}
        </Group>
        {submit.message && (
          <Alert color="red" role="alert" title="Not saved">
            {submit.message}
            {generalErrors.map(([path, message]) => (
              <Text key={path} size="sm">
                {path}: {message}
              </Text>
            ))}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            Mapping saved.
          </Alert>
        )}
        <Grid>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <MappingSources
              catalogue={catalogue ?? []}
              customFields={customFields}
              canEdit={isAdmin}
              errors={e}
              samples={preview.data?.samples}
              onAddCustom={(name, expr) => {
                setCustomFields((c) => ({ ...c, [name]: expr }));
                change();
              }}
              onRemoveCustom={(name) => {
                setCustomFields((c) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== name)));
                change();
              }}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <MappingTargets
              fields={fields}
              mapping={mapping}
              options={options}
              canEdit={isAdmin}
              errors={e}
              newName={newName}
              onNewName={setNewName}
              onAddField={() => addField()}
              onPick={pick}
              onSet={set}
              onClear={clear}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <SyncKeysEditor
              keys={syncKeys}
              mapped={Object.keys(mapping)}
              canEdit={isAdmin}
              updateSyncKeys={updateSyncKeys}
              error={Object.entries(e).find(([p]) => p.startsWith('syncKeys'))?.[1]}
              onChange={(k) => {
                setSyncKeys(k);
                change();
              }}
              onUpdateSyncKeys={(on) => {
                setUpdateSyncKeys(on);
                change();
              }}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <FilterRulesEditor
              rules={filters}
              options={options}
              canEdit={isAdmin}
              errors={e}
              onChange={(r) => {
                setFilters(r);
                change();
              }}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <MappingPreview preview={preview} fields={Object.keys(mapping)} />
          </Grid.Col>
        </Grid>
      </Stack>
      <DragOverlay>{dragging ? <ChipView label={labelOf(dragging)} detail={dragging} /> : null}</DragOverlay>
    </DndContext>
  );
}
