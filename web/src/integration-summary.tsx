/**
 * The integration's details for a viewer: the same facts as the admin's form, as a readable table
 * (words, not greyed-out inputs), with the credential's and connection's status beside their names.
 *
 * @example
 * <IntegrationSummary integration={integration} credentials={credentials} connections={connections} />
 */
import { Group, Table, Text } from '@mantine/core';

import { Link } from './router.tsx';
import { scheduleText } from './schedule-text.ts';
import { ScrollTable } from './scroll-table.tsx';
import { StatusBadge } from './status-badge.tsx';

import type { ReactNode } from 'react';
import type { Credential } from '../../src/contracts/credentials.ts';
import type { StoredIntegration } from '../../src/contracts/integrations.ts';
import type { OomnitzaConnection } from '../../src/contracts/oomnitza-connections.ts';

const words: Readonly<Record<string, string>> = {
  user: 'User only',
  user_and_saas_user: 'User plus SaaS user',
  cloud: 'Cloud (this server runs the sync)',
  local: 'Local (an agent in the customer’s network runs the sync)',
  create_and_update: 'Create & Update',
  create_only: 'Create only',
  update_only: 'Update only',
};

export function IntegrationSummary({
  integration,
  credentials,
  connections,
}: {
  integration: StoredIntegration;
  credentials: readonly Credential[];
  connections: readonly OomnitzaConnection[];
}) {
  const doc = integration.document;
  const credential = credentials.find((c) => c.name === doc.source.credential);
  const connection = connections.find((c) => c.name === doc.destination.connection);
  const rows: [string, ReactNode][] = [
    ['Name', doc.name],
    [
      'NinjaOne',
      credential ? (
        <Group gap="xs">
          <Link to={`/credentials/${credential.id}`}>{credential.name}</Link>
          <StatusBadge status={credential.status} />
        </Group>
      ) : (
        (doc.source.credential ?? doc.source.url ?? '—')
      ),
    ],
    [
      'Oomnitza',
      connection ? (
        <Group gap="xs">
          <Text size="sm">{connection.name}</Text>
          <StatusBadge status={connection.status} />
        </Group>
      ) : (
        (doc.destination.connection ?? doc.destination.url ?? '—')
      ),
    ],
    ['Record type', words[doc.recordType ?? 'user']],
    ['Installation', `${words[doc.installation ?? 'cloud']}${doc.agent ? `, agent “${doc.agent}”` : ''}`],
    ['Preference', words[doc.preference ?? 'create_and_update']],
    ['Sync keys', (doc.syncKeys ?? []).join(', ') || '—'],
    ['Contacts', (doc.contacts ?? []).join(', ') || 'nobody'],
    ['Schedule', scheduleText(doc.schedule)],
    ['Enabled', doc.enabled === false ? 'No: it runs only when started by hand' : 'Yes: it runs on its schedule'],
  ];
  return (
    <ScrollTable label="Integration details" minWidth={320}>
      <Table aria-label="Integration details" maw={820} variant="vertical" withTableBorder>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={180}>{label}</Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
