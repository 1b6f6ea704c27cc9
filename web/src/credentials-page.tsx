/**
 * Configuration → Credentials: the NinjaOne credentials with their status, the redirect URL to
 * register in NinjaOne, "Add new credential", and the Oomnitza connections below.
 */
import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { CredentialForm } from './credential-form.tsx';
import { OomnitzaConnections } from './oomnitza-connections.tsx';
import { RedirectUrl } from './redirect-url.tsx';
import { Link, navigate } from './router.tsx';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { FormModal } from './unsaved-changes.tsx';
import { useLoad } from './use-load.ts';

export function CredentialsPage() {
  const { isAdmin } = useSession();
  const [adding, setAdding] = useState(false);
  const { data, error } = useLoad(() => api.get('/api/credentials'), []);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>NinjaOne credentials</Title>
        {isAdmin && <Button onClick={() => setAdding(true)}>Add new credential</Button>}
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {data && <RedirectUrl url={data.redirectUrl} />}
      {data && data.credentials.length === 0 && (
        <Text c="dimmed">
          No credentials yet. {isAdmin ? 'Add one: you need a NinjaOne client app ID and secret.' : 'An admin adds them.'}
        </Text>
      )}
      {data && data.credentials.length > 0 && (
        <ScrollTable label="NinjaOne credentials" minWidth={560}>
          <Table striped aria-label="NinjaOne credentials">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>NinjaOne URL</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Used by</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.credentials.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Link to={`/credentials/${c.id}`}>{c.name}</Link>
                  </Table.Td>
                  <Table.Td>{c.url}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>{c.usedBy.join(', ') || '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <FormModal opened={adding} onClose={() => setAdding(false)} title="Add new credential" size="lg">
        <CredentialForm onCancel={() => setAdding(false)} onSaved={(c) => navigate(`/credentials/${c.id}`)} />
      </FormModal>
      <OomnitzaConnections />
    </Stack>
  );
}
