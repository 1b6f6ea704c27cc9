/**
 * One run: its state and counts (refreshing while it runs), "Cancel", and the per-record outcomes
 * below.
 */
import { Alert, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';

import { api } from './api.ts';
import { Link } from './router.tsx';
import { RunRecords } from './run-records.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { terminalStates } from './types.ts';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

const countCards = ['created', 'updated', 'unchanged', 'suspended', 'unsuspended', 'skipped', 'filtered', 'failed'] as const;
const offboardingCards: ReadonlySet<string> = new Set(['suspended', 'unsuspended']);

export function RunPage({ id }: { id: string }) {
  const { isAdmin } = useSession();
  const { data: run, error, reload } = useLoad(() => api.get('/api/runs/:id', { params: { id } }), [id]);
  const cancel = useSubmit();
  const done = run ? terminalStates.has(run.state) : false;
  useEffect(() => {
    if (!run || done) return;
    const timer = setInterval(() => void reload(), 700);
    return () => clearInterval(timer);
  }, [run, done, reload]);

  if (error)
    return (
      <Alert color="red" role="alert">
        {error}
      </Alert>
    );
  if (!run) return null;
  const c = run.counts;
  const handled = c.created + c.updated + c.unchanged + c.skipped + c.filtered + c.failed + c.suspended + c.unsuspended;
  // Offboarding's cards only for a run that offboarded anyone: most never do.
  const shown = countCards.filter((k) => !offboardingCards.has(k) || c[k] > 0);
  return (
    <Stack>
      {run.integrationId ? (
        <Link to={`/integrations/${run.integrationId}/runs`}>← {run.integrationName}</Link>
      ) : (
        <Link to="/runs">← Runs</Link>
      )}
      <Group justify="space-between">
        <Group>
          <Title order={2}>
            {run.dryRun ? 'Dry run' : 'Run'} of {run.integrationName}
          </Title>
          <StatusBadge status={run.state} />
          {run.dryRun && <Badge variant="outline">nothing written</Badge>}
        </Group>
        {isAdmin && !done && !run.cancelRequested && (
          <Button
            color="red"
            variant="light"
            onClick={() => void cancel.run(() => api.post('/api/runs/:id/cancel', { params: { id: run.id } }), reload)}
          >
            Cancel
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        Queued {new Date(run.queuedAt).toLocaleString()}
        {run.finishedAt ? ` · finished ${new Date(run.finishedAt).toLocaleString()}` : ''} · started by {run.trigger}
      </Text>
      {!done && (
        <div>
          <Text size="sm">{run.cancelRequested ? 'Stopping…' : run.phase ? `Working: ${run.phase}` : 'Waiting for the worker…'}</Text>
          <Progress
            value={run.phaseTotal ? Math.min(100, (handled / run.phaseTotal) * 100) : 100}
            animated
            striped
            aria-label="Run progress"
          />
        </div>
      )}
      {run.error && (
        <Alert color="red" title="The run failed">
          {run.error}
        </Alert>
      )}
      {run.fuseReason && (
        <Alert color="orange" title="Stopped by the fuse">
          {run.fuseReason}
        </Alert>
      )}
      {cancel.message && (
        <Alert color="red" role="alert">
          {cancel.message}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: shown.length > 6 ? 4 : 6 }} aria-label="Counts">
        {shown.map((k) => (
          <Paper key={k} withBorder p="sm" data-count={k}>
            <Text size="xs" c="dimmed" tt="uppercase">
              {run.dryRun && (k === 'created' || k === 'updated' || offboardingCards.has(k)) ? `would be ${k}` : k}
            </Text>
            <Text size="xl" fw={700}>
              {c[k]}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {done && <RunRecords runId={run.id} />}
    </Stack>
  );
}
