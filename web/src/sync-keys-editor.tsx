/**
 * Sync keys: which Oomnitza fields match a NinjaOne user to an existing Oomnitza user, in priority
 * order (the first is the primary key). Picked from the mapped fields; ordered with buttons.
 */
import { ActionIcon, Group, Paper, Select, Stack, Switch, Text, Title } from '@mantine/core';

export function SyncKeysEditor({ keys, mapped, canEdit, error, updateSyncKeys, onChange, onUpdateSyncKeys }: {
  keys: readonly string[]; mapped: readonly string[]; canEdit: boolean; error: string | undefined; updateSyncKeys: boolean;
  onChange: (keys: string[]) => void; onUpdateSyncKeys: (on: boolean) => void;
}) {
  const move = (i: number, by: number): void => {
    const next = [...keys];
    const [key] = next.splice(i, 1);
    next.splice(i + by, 0, key!);
    onChange(next);
  };
  const candidates = mapped.filter((f) => !keys.includes(f));
  return (
    <Stack gap={6} role="region" aria-label="Sync keys">
      <Title order={4}>Sync keys</Title>
      <Text size="xs" c="dimmed">How a NinjaOne user finds its Oomnitza user, tried in this order. The first is the primary key.</Text>
      <ol style={{ margin: 0, paddingLeft: 20 }} aria-label="Sync keys in order">
        {keys.map((key, i) => (
          <li key={key}>
            <Group gap={4} justify="space-between">
              <Text size="sm" fw={i === 0 ? 700 : 400}>{key}{i === 0 ? ' (primary)' : ''}</Text>
              {canEdit && (
                <Group gap={2}>
                  <ActionIcon size="sm" variant="subtle" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${key} up`}>↑</ActionIcon>
                  <ActionIcon size="sm" variant="subtle" disabled={i === keys.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${key} down`}>↓</ActionIcon>
                  <ActionIcon size="sm" variant="subtle" color="red" onClick={() => onChange(keys.filter((k) => k !== key))} aria-label={`Remove sync key ${key}`}>✕</ActionIcon>
                </Group>
              )}
            </Group>
          </li>
        ))}
      </ol>
      {error && <Paper p={4}><Text c="red" size="xs" role="alert">{error}</Text></Paper>}
      {canEdit && (
        <Select size="xs" label="Add sync key" placeholder={candidates.length ? 'Pick a mapped field' : 'Map more fields first'} data={candidates} value={null}
          onChange={(v) => { if (v) onChange([...keys, v]); }} />
      )}
      <Switch size="xs" disabled={!canEdit} label="Also write the secondary sync keys on update" checked={updateSyncKeys} onChange={(e) => onUpdateSyncKeys(e.currentTarget.checked)} />
    </Stack>
  );
}
