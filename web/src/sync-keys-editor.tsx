/**
 * Sync keys: which Oomnitza fields match a NinjaOne user to an existing Oomnitza user, in priority
 * order (the first is the primary key). Picked from the mapped fields; ordered by dragging (dnd-kit
 * sortable, also by keyboard: space, arrows, space) or with the arrow buttons.
 */
import { closestCenter, DndContext, type DragEndEvent, KeyboardSensor, PointerSensor, useSensor, useSensors } from '@dnd-kit/core';
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { ActionIcon, Group, Paper, Select, Stack, Switch, Text, Title } from '@mantine/core';

function KeyRow({
  id,
  index,
  count,
  canEdit,
  onMove,
  onRemove,
}: {
  id: string;
  index: number;
  count: number;
  canEdit: boolean;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id, disabled: !canEdit });
  const style = { transform: transform ? `translate3d(0, ${transform.y}px, 0)` : undefined, transition, opacity: isDragging ? 0.6 : 1 };
  return (
    <li ref={setNodeRef} style={style}>
      <Paper withBorder px={6} py={2} mb={4}>
        <Group gap={4} justify="space-between" wrap="nowrap">
          <Text
            size="sm"
            fw={index === 0 ? 700 : 400}
            style={{ cursor: canEdit ? 'grab' : undefined, touchAction: 'none' }}
            {...attributes}
            {...listeners}
            aria-label={`Sync key ${id}, position ${index + 1}`}
          >
            {canEdit ? '⠿ ' : ''}
            {id}
            {index === 0 ? ' (primary)' : ''}
          </Text>
          {canEdit && (
            <Group gap={2} wrap="nowrap">
              <ActionIcon size="sm" variant="subtle" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${id} up`}>
                ↑
              </ActionIcon>
              <ActionIcon
                size="sm"
                variant="subtle"
                disabled={index === count - 1}
                onClick={() => onMove(1)}
                aria-label={`Move ${id} down`}
              >
                ↓
              </ActionIcon>
              <ActionIcon size="sm" variant="subtle" color="red" onClick={onRemove} aria-label={`Remove sync key ${id}`}>
                ✕
              </ActionIcon>
            </Group>
          )}
        </Group>
      </Paper>
    </li>
  );
}

export function SyncKeysEditor({
  keys,
  mapped,
  canEdit,
  error,
  updateSyncKeys,
  onChange,
  onUpdateSyncKeys,
}: {
  keys: readonly string[];
  mapped: readonly string[];
  canEdit: boolean;
  error: string | undefined;
  updateSyncKeys: boolean;
  onChange: (keys: string[]) => void;
  onUpdateSyncKeys: (on: boolean) => void;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const onDragEnd = ({ active, over }: DragEndEvent): void => {
    if (!over || active.id === over.id) return;
    onChange(arrayMove([...keys], keys.indexOf(String(active.id)), keys.indexOf(String(over.id))));
  };
  const candidates = mapped.filter((f) => !keys.includes(f));
  return (
    <Stack gap={6} role="region" aria-label="Sync keys">
      <Title order={4}>Sync keys</Title>
      <Text size="xs" c="dimmed">
        How a NinjaOne user finds its Oomnitza user, tried in this order. The first is the primary key.
      </Text>
      {/* Its own drag context: sync keys reorder among themselves, apart from the field mapping. */}
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={[...keys]} strategy={verticalListSortingStrategy}>
          <ol style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }} aria-label="Sync keys in order">
            {keys.map((key, i) => (
              <KeyRow
                key={key}
                id={key}
                index={i}
                count={keys.length}
                canEdit={canEdit}
                onMove={(by) => onChange(arrayMove([...keys], i, i + by))}
                onRemove={() => onChange(keys.filter((k) => k !== key))}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      {error && (
        <Text c="red" size="xs" role="alert">
          {error}
        </Text>
      )}
      {canEdit && (
        <Select
          size="xs"
          label="Add sync key"
          placeholder={candidates.length ? 'Pick a mapped field' : 'Map more fields first'}
          data={candidates}
          value={null}
          onChange={(v) => {
            if (v) onChange([...keys, v]);
          }}
        />
      )}
      <Switch
        size="xs"
        disabled={!canEdit}
        label="Also write the secondary sync keys on update"
        checked={updateSyncKeys}
        onChange={(e) => onUpdateSyncKeys(e.currentTarget.checked)}
      />
    </Stack>
  );
}
