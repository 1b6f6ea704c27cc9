/**
 * The mapping page: NinjaOne fields on the left, the Oomnitza fields of the tenant's data model on
 * the right; drag a NinjaOne field onto an Oomnitza field (or onto "Add new Oomnitza field"), by
 * pointer or keyboard, or use each row's select. A drop never replaces a mapping without asking.
 * Sync keys are picked and ordered on the side. Saving PUTs the whole integration document; every
 * problem the server finds shows beside its field. Below, a preview shows the tenant's first users
 * as the mapping being edited would write them. Leaving with unsaved edits asks first.
 */
import { DndContext, type DragEndEvent, DragOverlay, type DragStartEvent, PointerSensor, useSensor, useSensors } from '@dnd-kit/core';
import { Alert, Button, Grid, Group, List, Modal, Stack, Switch, Text } from '@mantine/core';
import { useMemo, useState } from 'react';

import { api } from './api.ts';
import { fromDrafts, missingPart, type RuleDraft, toDrafts } from './filter-rules.ts';
import { FilterRulesEditor } from './filter-rules-editor.tsx';
import { announcements, dropTarget, phrases, screenReaderInstructions } from './mapping-dnd.ts';
import { assignSource, describeTarget, sourceOf, type Target, targetFields, targetTitle, toOomnitzaName } from './mapping-model.ts';
import { MappingPreview } from './mapping-preview.tsx';
import { placeProblems, problemCount } from './mapping-problems.ts';
import { ChipView, MappingSources } from './mapping-sources.tsx';
import { MappingTargets } from './mapping-targets.tsx';
import { SaveWarnings, type Warning } from './save-warnings.tsx';
import { useSession } from './session-context.ts';
import { SyncKeysEditor } from './sync-keys-editor.tsx';
import { useUnsavedChanges } from './unsaved-changes.tsx';
import { useDataModel } from './use-data-model.ts';
import { useKeyboardCarry } from './use-keyboard-carry.ts';
import { useLoad } from './use-load.ts';
import { usePreview } from './use-preview.ts';
import { useSubmit } from './use-submit.ts';

import type { StoredIntegration } from '../../src/contracts/integrations.ts';

interface Replacement {
  readonly field: string;
  readonly source: string;
}

export function MappingEditor({ integration, onSaved }: { integration: StoredIntegration; onSaved: () => Promise<void> }) {
  const { isAdmin } = useSession();
  const { data: catalogue } = useLoad(() => api.get('/api/catalogue').then((a) => a.fields), []);
  const doc = integration.document;
  const model = useDataModel(doc.destination.connection, doc.installation === 'local');
  const [mapping, setMapping] = useState<Record<string, Target>>({ ...doc.mapping });
  const [customFields, setCustomFields] = useState<Record<string, string>>({ ...(doc.customFields ?? {}) });
  const [syncKeys, setSyncKeys] = useState<string[]>([...doc.syncKeys]);
  const [updateSyncKeys, setUpdateSyncKeys] = useState(doc.updateSyncKeys ?? false);
  const [writeSyncTimeEveryRun, setWriteSyncTimeEveryRun] = useState(doc.writeSyncTimeEveryRun ?? false);
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => toDrafts(doc.filters ?? []));
  const [extraFields, setExtraFields] = useState<string[]>([]);
  const [newName, setNewName] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<Replacement | null>(null);
  const [dirty, setDirty] = useState(false);
  // The last save's answer while nothing changed since: its warnings say what could not be checked.
  const [saved, setSaved] = useState<{ readonly warnings: readonly Warning[] } | null>(null);
  const [incompleteAtSave, setIncompleteAtSave] = useState(false);
  const submit = useSubmit();
  const unsaved = useUnsavedChanges(dirty, 'mapping');

  const typeOf = (key: string): string | undefined => catalogue?.find((f) => f.key === key)?.type;
  const { rules, draftIndex } = fromDrafts(drafts, typeOf);
  // The rules are rebuilt on each render: their text is what decides whether the document changed.
  const filtersText = JSON.stringify(rules);
  const edited = useMemo(
    () => ({
      ...doc,
      mapping,
      customFields,
      syncKeys,
      updateSyncKeys,
      writeSyncTimeEveryRun,
      filters: JSON.parse(filtersText) as typeof rules,
    }),
    [doc, mapping, customFields, syncKeys, updateSyncKeys, writeSyncTimeEveryRun, filtersText],
  );
  const preview = usePreview(edited);

  const fields = useMemo(() => targetFields(model.fields, Object.keys(mapping), extraFields), [model.fields, mapping, extraFields]);
  const options = useMemo(
    () => [
      ...(catalogue ?? []).map((f) => ({ value: f.key, label: `${f.label} (${f.key})` })),
      ...Object.keys(customFields).map((k) => ({ value: k, label: `${k} (custom)` })),
    ],
    [catalogue, customFields],
  );
  const labelOf = (key: string): string => catalogue?.find((f) => f.key === key)?.label ?? key;
  const titleOf = (field: string): string => {
    const info = fields.find((f) => f.name === field);
    return `Oomnitza field ${info ? targetTitle(info) : field}`;
  };
  const takenBy = (field: string): string | null => {
    const target = mapping[field];
    if (target === undefined) return null;
    const source = sourceOf(target);
    return source === null ? describeTarget(target) : labelOf(source);
  };
  // The pointer drags with dnd-kit; the keyboard carries a field with use-keyboard-carry.ts.
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));
  const words = {
    source: labelOf,
    target: (id: string) =>
      id === 'new-field'
        ? newName.trim()
          ? `the new Oomnitza field ${toOomnitzaName(newName)}`
          : 'Add new Oomnitza field, whose name is not chosen yet'
        : titleOf(id.replace(/^dst:/, '')),
    current: (id: string) => (id.startsWith('dst:') ? takenBy(id.slice(4)) : null),
    refusal: (id: string) => (id === 'new-field' && toOomnitzaName(newName) === '' ? 'type or pick the new Oomnitza field first' : null),
  };

  const change = (): void => {
    setDirty(true);
    setSaved(null);
    // The save's problems were about the mapping as it was; the live preview's take over.
    if (submit.message) submit.clear();
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
    const name = toOomnitzaName(newName);
    if (name === '') return;
    setExtraFields((f) => (f.includes(name) ? f : [...f, name]));
    if (source) pick(name, source);
    else change();
    setNewName('');
  };

  const onDragStart = (event: DragStartEvent): void => setDragging(String(event.active.id).slice(4));
  const dropOn = (over: string | null, source: string): void => {
    if (over === 'new-field') addField(source);
    else if (over?.startsWith('dst:')) {
      const field = over.slice(4);
      const previous = mapping[field];
      // A drop never silently replaces what a field takes: it asks (the announcement says so too).
      if (previous !== undefined && sourceOf(previous) !== source) setReplacing({ field, source });
      else pick(field, source);
    }
  };
  const onDragEnd = (event: DragEndEvent): void => {
    setDragging(null);
    dropOn(event.over ? String(event.over.id) : null, String(event.active.id).slice(4));
  };
  const carry = useKeyboardCarry({
    order: [...fields.map((f) => `dst:${f.name}`), 'new-field'],
    say: phrases(words),
    onDrop: dropOn,
  });

  const save = (): void => {
    const incomplete = drafts.some((d) => missingPart(d) !== null);
    setIncompleteAtSave(incomplete);
    if (incomplete) return;
    void submit.run(
      () => api.put('/api/integrations/:id', { params: { id: integration.id }, body: edited }),
      async (answer) => {
        unsaved.saved();
        setDirty(false);
        setSaved({ warnings: answer.warnings });
        await onSaved();
      },
    );
  };

  // The save's problems while they stand; else the live preview's, so a bad expression shows as it is typed.
  const shown = Object.keys(submit.errors).length > 0 ? submit.errors : preview.fieldErrors;
  const placed = placeProblems(shown, draftIndex);
  const filterProblems = new Map(placed.filters);
  if (incompleteAtSave)
    drafts.forEach((d, i) => {
      const missing = missingPart(d);
      if (missing) filterProblems.set(i, [...(filterProblems.get(i) ?? []), `incomplete: ${missing}`]);
    });
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={dropTarget}
      accessibility={{ announcements: announcements(words), screenReaderInstructions }}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragging(null)}
    >
      {unsaved.prompt}
      {/* The keyboard carry's words; the pointer's go to dnd-kit's own live region. */}
      <div id="mapping-announcements" role="status" aria-live="assertive" aria-atomic="true" className="visually-hidden">
        {carry.announcement}
      </div>
      <Stack>
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {isAdmin
              ? 'Drag NinjaOne fields onto Oomnitza fields, or use the select on each row.'
              : 'Read only: ask an admin to change the mapping.'}
          </Text>
          {isAdmin && (
            <Group gap="xs">
              {dirty && (
                <Text size="xs" c="orange.9">
                  Unsaved changes
                </Text>
              )}
              <Button onClick={save} loading={submit.busy} disabled={!dirty}>
                Save mapping
              </Button>
            </Group>
          )}
        </Group>
        {(submit.message || (incompleteAtSave && drafts.some((d) => missingPart(d) !== null))) && (
          <Alert color="red" role="alert" title="Not saved">
            {submit.message && placed.count > 0
              ? `The mapping has ${problemCount(placed.count)}${placed.count > placed.elsewhere.length ? `, shown beside ${placed.count === 1 ? 'its field' : 'their fields'}` : ''}.`
              : (submit.message ?? 'A filter rule is not complete: finish it or remove it.')}
            {placed.elsewhere.length > 0 && (
              <List size="sm">
                {placed.elsewhere.map((m) => (
                  <List.Item key={m}>{m}</List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        {saved && saved.warnings.length === 0 && (
          <Alert color="green" role="status">
            Mapping saved.
          </Alert>
        )}
        {saved && <SaveWarnings title="Mapping saved, but not everything could be checked" warnings={saved.warnings} />}
        <Grid>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <MappingSources
              catalogue={catalogue ?? []}
              customFields={customFields}
              canEdit={isAdmin}
              errors={placed.customFields}
              samples={preview.data?.samples}
              carrying={carry.carrying}
              onChipKey={carry.onChipKey}
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
              problems={placed.mapping}
              model={model}
              onRefreshFields={() => {
                // The save's refusal may be about a field that exists now: check again, live.
                submit.clear();
                void model.refresh().then(preview.refresh);
              }}
              carriedOver={carry.over}
              newName={newName}
              onNewName={setNewName}
              onAddField={() => addField()}
              onPick={pick}
              onSet={set}
              onClear={clear}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Stack>
              <SyncKeysEditor
                keys={syncKeys}
                mapped={Object.keys(mapping)}
                canEdit={isAdmin}
                updateSyncKeys={updateSyncKeys}
                error={placed.syncKeys.join(' ') || undefined}
                onChange={(k) => {
                  setSyncKeys(k);
                  change();
                }}
                onUpdateSyncKeys={(on) => {
                  setUpdateSyncKeys(on);
                  change();
                }}
              />
              <Switch
                size="xs"
                disabled={!isAdmin}
                label="Write Connector Sync Time on every run"
                description={
                  writeSyncTimeEveryRun
                    ? 'On: the fields mapped from Connector Sync Time are written on every run, as a heartbeat that shows when each user was last synced. Every user is then updated on every run.'
                    : 'Off: the fields mapped from Connector Sync Time are written only when something else about that user changed, so a user who did not change costs no write.'
                }
                checked={writeSyncTimeEveryRun}
                onChange={(e) => {
                  setWriteSyncTimeEveryRun(e.currentTarget.checked);
                  change();
                }}
              />
            </Stack>
          </Grid.Col>
          <Grid.Col span={12}>
            <FilterRulesEditor
              drafts={drafts}
              options={options}
              catalogue={catalogue ?? []}
              canEdit={isAdmin}
              errors={filterProblems}
              onChange={(d) => {
                setDrafts(d);
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
      <Modal opened={replacing !== null} onClose={() => setReplacing(null)} title="Replace a mapping?" centered>
        {replacing && (
          <>
            <Text size="sm">
              {titleOf(replacing.field)} takes {takenBy(replacing.field)} now. Map {labelOf(replacing.source)} to it instead?
            </Text>
            <Group justify="flex-end" mt="md">
              <Button variant="default" onClick={() => setReplacing(null)} data-autofocus>
                Keep {takenBy(replacing.field)}
              </Button>
              <Button
                onClick={() => {
                  pick(replacing.field, replacing.source);
                  setReplacing(null);
                }}
              >
                Map {labelOf(replacing.source)}
              </Button>
            </Group>
          </>
        )}
      </Modal>
    </DndContext>
  );
}
