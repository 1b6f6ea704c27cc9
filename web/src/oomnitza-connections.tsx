/**
 * Oomnitza connections: list, add and edit (instance URL and API token, tested before saving; see
 * oomnitza-connection-form.tsx), test and delete. A long test result wraps in its own column: the
 * status badge keeps its words and the buttons stay on one line.
 */
import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { ConnectionForm } from './oomnitza-connection-form.tsx';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { FormModal } from './unsaved-changes.tsx';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { OomnitzaConnection, oomnitzaConnectionContracts } from '../../src/contracts/oomnitza-connections.ts';
import type { ResponseOf } from '../../src/contracts/route-contract.ts';

export function OomnitzaConnections() {
  const { isAdmin } = useSession();
  const { data, error, reload } = useLoad(() => api.get('/api/oomnitza-connections'), []);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<OomnitzaConnection | null>(null);
  const [results, setResults] = useState<Record<string, ResponseOf<typeof oomnitzaConnectionContracts.test>>>({});
  const action = useSubmit();

  const test = (c: OomnitzaConnection): void => {
    void action.run(
      () => api.post('/api/oomnitza-connections/:id/test', { params: { id: c.id } }),
      async (result) => {
        setResults((r) => ({ ...r, [c.id]: result }));
        await reload();
      },
    );
  };
  const remove = (c: OomnitzaConnection): void => {
    if (!window.confirm(`Delete the Oomnitza connection “${c.name}”?`)) return;
    void action.run(() => api.delete('/api/oomnitza-connections/:id', { params: { id: c.id } }), reload);
  };

  return (
    <Stack mt="xl">
      <Group justify="space-between">
        <Title order={2}>Oomnitza connections</Title>
        {isAdmin && <Button onClick={() => setAdding(true)}>Add Oomnitza connection</Button>}
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {action.message && (
        <Alert color="red" role="alert">
          {action.message}
        </Alert>
      )}
      {data && data.connections.length === 0 && (
        <Text c="dimmed">No Oomnitza connection yet. {isAdmin ? 'Add one with your instance URL and an API token.' : ''}</Text>
      )}
      {data && data.connections.length > 0 && (
        <ScrollTable label="Oomnitza connections" minWidth={960}>
          <Table striped aria-label="Oomnitza connections">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Instance URL</Table.Th>
                <Table.Th w={130}>Status</Table.Th>
                <Table.Th miw={320}>Result</Table.Th>
                {isAdmin && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.connections.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.name}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.url}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" role="status" style={{ overflowWrap: 'anywhere' }}>
                      {results[c.id]?.message ?? c.statusReason ?? ''}
                    </Text>
                  </Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" variant="light" onClick={() => test(c)} aria-label={`Test connection ${c.name}`}>
                          Test
                        </Button>
                        <Button size="xs" variant="default" onClick={() => setEditing(c)} aria-label={`Edit connection ${c.name}`}>
                          Edit
                        </Button>
                        <Button size="xs" variant="subtle" color="red" onClick={() => remove(c)} aria-label={`Delete connection ${c.name}`}>
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <FormModal opened={adding} onClose={() => setAdding(false)} title="Add Oomnitza connection" size="lg">
        <ConnectionForm
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void reload();
          }}
        />
      </FormModal>
      <FormModal opened={editing !== null} onClose={() => setEditing(null)} title={`Edit ${editing?.name ?? 'connection'}`} size="lg">
        {editing && (
          <ConnectionForm
            connection={editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              setResults((r) => {
                const { [saved.id]: _old, ...rest } = r;
                return rest;
              });
              void reload();
            }}
          />
        )}
      </FormModal>
    </Stack>
  );
}
