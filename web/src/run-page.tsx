/**
 * One run: its state and counts (refreshing while it runs), "Cancel", and the per-record outcomes
 * below. Users and SaaS users are counted apart, each in its own row of cards, so that the cards
 * add up to what the record filter shows for either kind and for both.
 */
import { Alert, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';

import { api } from './api.ts';
import { formatWhen } from './format-when.ts';
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
  const sum = (n: typeof c): number => countCards.reduce((total, k) => total + n[k], 0);
  const hasSaas = sum(run.saasCounts) > 0;
  const kinds = [
    { key: 'user', label: 'Users', counts: run.counts },
    ...(hasSaas ? [{ key: 'saas', label: 'SaaS users (NinjaOne application)', counts: run.saasCounts }] : []),
  ];
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
        Queued {formatWhen(run.queuedAt)}
        {run.finishedAt ? ` · finished ${formatWhen(run.finishedAt)}` : ''} · started by {run.startedBy}
        {run.agentName ? ` · ran on agent “${run.agentName}”` : ''}
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
      {run.state === 'failed' && (
        <Alert color="red" role="alert" title={run.dryRun ? 'The dry run failed: there is no plan' : 'The run failed'}>
          {run.error ?? run.fuseReason ?? 'No reason was recorded; the server log has the details.'}
        </Alert>
      )}
      {run.state !== 'failed' && run.error && (
        <Alert color="orange" title="Problems during the run">
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
      {kinds.map((kind) => {
        // Offboarding's cards only for a run that offboarded anyone: most never do.
        const shown = countCards.filter((k) => !offboardingCards.has(k) || kind.counts[k] > 0);
        return (
          <div key={kind.key}>
            {kinds.length > 1 && (
              <Text size="sm" fw={600} mb={4}>
                {kind.label}
              </Text>
            )}
            <SimpleGrid cols={{ base: 2, sm: shown.length > 6 ? 4 : 6 }} aria-label={`${kind.label} counts`} data-kind={kind.key}>
              {shown.map((k) => (
                <Paper key={k} withBorder p="sm" {...(kind.key === 'user' ? { 'data-count': k } : { 'data-saas-count': k })}>
                  <Text size="xs" c="dimmed" tt="uppercase">
                    {run.dryRun && (k === 'created' || k === 'updated' || offboardingCards.has(k)) ? `would be ${k}` : k}
                  </Text>
                  <Text size="xl" fw={700}>
                    {kind.counts[k]}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
          </div>
        );
      })}
      {done && <RunRecords runId={run.id} withKinds={hasSaas} />}
    </Stack>
  );
}
