/**
 * Run history: state, counts, when, and a cancel button for queued or running runs. Refreshes
 * itself while a run is still going. Optionally for one integration.
 */
import { Alert, Badge, Button, Table, Text } from '@mantine/core';
import { useEffect } from 'react';

import { api, apiUrl } from './api.ts';
import { formatWhen } from './format-when.ts';
import { Link } from './router.tsx';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { terminalStates } from './types.ts';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { RunView } from '../../src/contracts/runs.ts';

export function RunsList({ integrationId, state, version = 0 }: { integrationId?: string; state?: RunView['state']; version?: number }) {
  const { isAdmin } = useSession();
  const query = { ...(integrationId ? { integrationId } : {}), ...(state ? { state } : {}), limit: 50 };
  // The URL as the dependency: a new query object with the same content loads nothing again.
  const url = apiUrl('/api/runs', { query });
  const { data, error, reload } = useLoad(() => api.get('/api/runs', { query }).then((a) => a.runs), [url, version]);
  const cancel = useSubmit();
  const going = data?.some((r) => !terminalStates.has(r.state)) ?? false;
  useEffect(() => {
    if (!going) return;
    const timer = setInterval(() => void reload(), 1000);
    return () => clearInterval(timer);
  }, [going, reload]);

  if (error)
    return (
      <Alert color="red" role="alert">
        {error}
      </Alert>
    );
  if (!data) return null;
  if (data.length === 0 && state) return <Text c="dimmed">No run is {state.replaceAll('_', ' ')}.</Text>;
  if (data.length === 0)
    return (
      <Text c="dimmed">
        No runs yet. {isAdmin && integrationId ? 'Start with a dry run: it shows what would change and writes nothing.' : ''}
      </Text>
    );
  return (
    <>
      {cancel.message && (
        <Alert color="red" role="alert">
          {cancel.message}
        </Alert>
      )}
      <ScrollTable label="Runs" minWidth={720}>
        <Table striped aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              {!integrationId && <Table.Th>Integration</Table.Th>}
              <Table.Th>State</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Updated</Table.Th>
              <Table.Th>Unchanged</Table.Th>
              <Table.Th>Skipped</Table.Th>
              <Table.Th>Filtered</Table.Th>
              <Table.Th>Failed</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((run) => (
              <Table.Tr key={run.id} data-run-id={run.id}>
                <Table.Td>
                  <Link to={`/runs/${run.id}`}>{formatWhen(run.queuedAt)}</Link>{' '}
                  {run.dryRun && (
                    <Badge size="xs" variant="outline">
                      dry run
                    </Badge>
                  )}
                </Table.Td>
                {!integrationId && <Table.Td>{run.integrationName}</Table.Td>}
                <Table.Td>
                  <StatusBadge status={run.state} />
                  {run.phase && !terminalStates.has(run.state) ? (
                    <Text size="xs" c="dimmed">
                      {run.phase}
                    </Text>
                  ) : null}
                </Table.Td>
                <CountCell run={run} outcome="created" />
                <CountCell run={run} outcome="updated" />
                <CountCell run={run} outcome="unchanged" />
                <CountCell run={run} outcome="skipped" />
                <CountCell run={run} outcome="filtered" />
                <CountCell run={run} outcome="failed" />
                <Table.Td>
                  {isAdmin && !terminalStates.has(run.state) && !run.cancelRequested && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => void cancel.run(() => api.post('/api/runs/:id/cancel', { params: { id: run.id } }), reload)}
                    >
                      Cancel
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </>
  );
}

/** Users, and SaaS users below when the run had any, so a row adds up like the run's page. */
function CountCell({ run, outcome }: { run: RunView; outcome: keyof RunView['counts'] }) {
  const saas = run.saasCounts[outcome];
  return (
    <Table.Td>
      {run.counts[outcome]}
      {saas > 0 && (
        <Text size="xs" c="dimmed">
          +{saas} SaaS
        </Text>
      )}
    </Table.Td>
  );
}
