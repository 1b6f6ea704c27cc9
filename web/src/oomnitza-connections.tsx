/** Oomnitza connections: list, add (instance URL and API token), test and delete. */
import { Alert, Button, Checkbox, Group, Modal, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { OomnitzaConnection, oomnitzaConnectionContracts } from '../../src/contracts/oomnitza-connections.ts';
import type { ResponseOf } from '../../src/contracts/route-contract.ts';

export function OomnitzaConnections() {
  const { isAdmin } = useSession();
  const { data, error, reload } = useLoad(() => api.get('/api/oomnitza-connections'), []);
  const [adding, setAdding] = useState(false);
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
        <ScrollTable label="Oomnitza connections" minWidth={720}>
          <Table striped aria-label="Oomnitza connections">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Instance URL</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Result</Table.Th>
                {isAdmin && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.connections.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>{c.url}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" role="status">
                      {results[c.id]?.message ?? c.statusReason ?? ''}
                    </Text>
                  </Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Group gap="xs">
                        <Button size="xs" variant="light" onClick={() => test(c)} aria-label={`Test connection ${c.name}`}>
                          Test
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
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add Oomnitza connection" size="lg">
        <ConnectionForm
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void reload();
          }}
        />
      </Modal>
    </Stack>
  );
}

function ConnectionForm({ onSaved, onCancel }: { onSaved: () => void; onCancel: () => void }) {
  const [name, setName] = useState('oomnitza');
  const [url, setUrl] = useState('');
  const [apiToken, setApiToken] = useState('');
  const [allowInsecureHttp, setAllowInsecureHttp] = useState(false);
  const submit = useSubmit();
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(() => api.post('/api/oomnitza-connections', { body: { name, url, apiToken, allowInsecureHttp } }), onSaved);
  };
  return (
    <form onSubmit={onSubmit} aria-label="New Oomnitza connection">
      <Stack>
        <TextInput
          label="Connection name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={submit.errors['name']}
        />
        <TextInput
          label="Instance URL"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={submit.errors['url']}
          description="e.g. https://acme.oomnitza.com"
        />
        <PasswordInput
          label="API token"
          required
          value={apiToken}
          onChange={(e) => setApiToken(e.currentTarget.value)}
          error={submit.errors['apiToken']}
          description="Oomnitza → Configuration → Security → API tokens"
          autoComplete="off"
        />
        <Checkbox
          label="Allow plain http (only for test servers and emulators)"
          checked={allowInsecureHttp}
          onChange={(e) => setAllowInsecureHttp(e.currentTarget.checked)}
        />
        {submit.message && (
          <Alert color="red" role="alert">
            {submit.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={submit.busy}>
            Add connection
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
