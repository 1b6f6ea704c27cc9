/**
 * A run's records: outcome filter, search, pages, old → new values, and the CSV of the same
 * selection; for a run with SaaS users, a kind filter too (users, SaaS users, or both), so the
 * counts above can be checked against it.
 */
import { Anchor, Code, Group, Pagination, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';

import { api, apiUrl } from './api.ts';
import { ScrollTable } from './scroll-table.tsx';
import { StatusBadge } from './status-badge.tsx';
import { useLoad } from './use-load.ts';

const pageSize = 25;
const outcomes = ['all', 'created', 'updated', 'unchanged', 'suspended', 'unsuspended', 'skipped', 'filtered', 'failed'] as const;

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const kinds = [
  { value: 'all', label: 'users and SaaS users' },
  { value: 'user', label: 'users' },
  { value: 'saas', label: 'SaaS users' },
] as const;

export function RunRecords({ runId, withKinds = false }: { runId: string; withKinds?: boolean }) {
  const [kind, setKind] = useState<(typeof kinds)[number]['value']>('all');
  const narrow = useMediaQuery('(max-width: 48em)', false);
  const [outcome, setOutcome] = useState<(typeof outcomes)[number]>('all');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const filter = {
    ...(outcome !== 'all' ? { outcome } : {}),
    ...(kind !== 'all' ? { kind } : {}),
    ...(search.trim() !== '' ? { search: search.trim() } : {}),
  };
  const params = { id: runId };
  const query = { ...filter, limit: pageSize, offset: (page - 1) * pageSize };
  const { data, error } = useLoad(
    () => api.get('/api/runs/:id/records', { params, query }),
    // The URL as the dependency: new objects with the same content load nothing again.
    [apiUrl('/api/runs/:id/records', { params, query })],
  );
  const csv = apiUrl('/api/runs/:id/records.csv', { params, query: filter });

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <Group align="end">
          <SegmentedControl
            // Seven outcomes do not fit side by side on a phone: there they stack.
            orientation={narrow ? 'vertical' : 'horizontal'}
            aria-label="Outcome"
            value={outcome}
            onChange={(v) => {
              setOutcome(v);
              setPage(1);
            }}
            data={outcomes.map((o) => ({ value: o, label: o }))}
          />
          {withKinds && (
            <SegmentedControl
              orientation={narrow ? 'vertical' : 'horizontal'}
              aria-label="Kind"
              value={kind}
              onChange={(v) => {
                setKind(v);
                setPage(1);
              }}
              data={kinds.map((k) => ({ value: k.value, label: k.label }))}
            />
          )}
          <TextInput
            label="Search records"
            placeholder="name, e-mail or id"
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Group>
        <Anchor href={csv} download>
          Download CSV
        </Anchor>
      </Group>
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
      {data && data.total === 0 && <Text c="dimmed">No records match.</Text>}
      {data && data.total > 0 && (
        <>
          <Text size="sm" c="dimmed" role="status">
            {data.total} records
          </Text>
          <ScrollTable label="Run records" minWidth={640}>
            <Table striped aria-label="Run records" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th w={280}>Record</Table.Th>
                  <Table.Th w={150}>Outcome</Table.Th>
                  <Table.Th>Changes (old → new) or reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.records.map((r) => (
                  <Table.Tr key={`${r.kind}-${r.seq}`}>
                    <Table.Td>{r.seq}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{r.label}</Text>
                      {r.kind === 'saas' && (
                        <Text size="xs" c="dimmed">
                          SaaS user
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={r.outcome} />
                    </Table.Td>
                    <Table.Td>
                      {r.reason && <Text size="sm">{r.reason}</Text>}
                      {r.changes.map((c) => (
                        <Text size="xs" key={c.field}>
                          <Code>{c.field}</Code> {show(c.old)} → <b>{show(c.new)}</b>
                        </Text>
                      ))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {data.total > pageSize && (
            <Pagination total={Math.ceil(data.total / pageSize)} value={page} onChange={setPage} aria-label="Record pages" />
          )}
        </>
      )}
    </Stack>
  );
}
