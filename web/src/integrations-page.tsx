/**
 * Configuration → Integrations: every integration as a card (status colour from its last run,
 * last run, schedule) or as a list, and "New integration".
 */
import { Alert, Badge, Button, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { formatWhen } from './format-when.ts';
import { Link, navigate } from './router.tsx';
import { scheduleText } from './schedule-text.ts';
import { useSession } from './session-context.ts';
import { StatusBadge, statusColour } from './status-badge.tsx';
import { useLoad } from './use-load.ts';

import type { RunView } from '../../src/contracts/runs.ts';

export function IntegrationsPage() {
  const { isAdmin } = useSession();
  const [view, setView] = useState<'blocks' | 'list'>('blocks');
  const { data, error } = useLoad(async () => {
    const [{ integrations }, { runs }] = await Promise.all([api.get('/api/integrations'), api.get('/api/runs', { query: { limit: 200 } })]);
    const lastRun = new Map<string, RunView>();
    for (const run of runs) if (run.integrationId && !lastRun.has(run.integrationId)) lastRun.set(run.integrationId, run);
    // The next run time as the scheduler computes it; a server without the schedule routes has none.
    const nextRun = new Map<string, string>();
    await Promise.all(
      integrations.map(async (i) => {
        const schedule = await api.get('/api/integrations/:id/schedule', { params: { id: i.id } }).catch(() => null);
        const first = schedule?.nextRuns[0];
        if (first) nextRun.set(i.id, first.words);
      }),
    );
    return { integrations, lastRun, nextRun };
  }, []);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Integrations</Title>
        <Group>
          <SegmentedControl
            aria-label="View"
            value={view}
            onChange={(v) => setView(v)}
            data={[
              { value: 'blocks', label: 'Blocks' },
              { value: 'list', label: 'List' },
            ]}
          />
          {isAdmin && <Button onClick={() => navigate('/integrations/new')}>New integration</Button>}
        </Group>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {data && data.integrations.length === 0 && (
        <Text c="dimmed">
          No integration yet.{' '}
          {isAdmin ? 'Add a NinjaOne credential and an Oomnitza connection under Credentials, then press “New integration”.' : ''}
        </Text>
      )}
      {data && view === 'blocks' && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {data.integrations.map((i) => {
            const run = data.lastRun.get(i.id);
            return (
              <Card
                key={i.id}
                withBorder
                shadow="xs"
                style={{ borderLeft: `6px solid var(--mantine-color-${run ? statusColour(run.state) : 'gray'}-6)` }}
                aria-label={`Integration ${i.name}`}
              >
                <Group justify="space-between" mb="xs">
                  <Text fw={600}>
                    <Link to={`/integrations/${i.id}`}>{i.name}</Link>
                  </Text>
                  {!i.enabled && <Badge color="gray">disabled</Badge>}
                </Group>
                <Text size="sm">NinjaOne users → Oomnitza{i.document.recordType === 'user_and_saas_user' ? ' (with SaaS users)' : ''}</Text>
                {i.document.installation === 'local' && (
                  <Text size="sm" c="dimmed">
                    Local: run by the agent {i.document.agent ?? '(none)'}
                  </Text>
                )}
                <Text size="sm" c="dimmed">
                  Runs {scheduleText(i.document.schedule)}
                </Text>
                {i.enabled && data.nextRun.has(i.id) && <Text size="sm">Next run: {data.nextRun.get(i.id)}</Text>}
                <Group mt="sm" gap="xs">
                  <Text size="sm">Last run:</Text>
                  {run ? (
                    <>
                      <StatusBadge status={run.state} />
                      <Link to={`/runs/${run.id}`}>{formatWhen(run.queuedAt)}</Link>
                    </>
                  ) : (
                    <Text size="sm" c="dimmed">
                      never
                    </Text>
                  )}
                </Group>
              </Card>
            );
          })}
        </SimpleGrid>
      )}
      {data && view === 'list' && data.integrations.length > 0 && (
        <Table striped aria-label="Integrations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Credential</Table.Th>
              <Table.Th>Connection</Table.Th>
              <Table.Th>Schedule</Table.Th>
              <Table.Th>Next run</Table.Th>
              <Table.Th>Last run</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.integrations.map((i) => {
              const run = data.lastRun.get(i.id);
              return (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    <Link to={`/integrations/${i.id}`}>{i.name}</Link>
                  </Table.Td>
                  <Table.Td>
                    {i.document.installation === 'local'
                      ? `on agent ${i.document.agent ?? '(none)'}`
                      : (i.document.source.credential ?? 'inline')}
                  </Table.Td>
                  <Table.Td>
                    {i.document.installation === 'local'
                      ? `on agent ${i.document.agent ?? '(none)'}`
                      : (i.document.destination.connection ?? 'inline')}
                  </Table.Td>
                  <Table.Td>{scheduleText(i.document.schedule)}</Table.Td>
                  <Table.Td>{i.enabled ? (data.nextRun.get(i.id) ?? '—') : 'disabled'}</Table.Td>
                  <Table.Td>{run ? <StatusBadge status={run.state} /> : 'never'}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
