/**
 * An integration's runs: "Run now", "Dry run", and its history. A real run writes to Oomnitza, so
 * "Run now" asks first and shows what the last dry run planned (or offers one), instead of writing
 * on one click.
 */
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { formatWhen } from './format-when.ts';
import { navigate } from './router.tsx';
import { RunsList } from './runs-list.tsx';
import { useSession } from './session-context.ts';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { StoredIntegration } from '../../src/contracts/integrations.ts';
import type { RunView } from '../../src/contracts/runs.ts';

export function RunsPanel({ integration }: { integration: StoredIntegration }) {
  const { isAdmin } = useSession();
  const start = useSubmit();
  const [version, setVersion] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const local = integration.document.installation === 'local';
  const run = (dryRun: boolean): void => {
    setConfirming(false);
    void start.run(
      () => api.post('/api/integrations/:id/runs', { params: { id: integration.id }, body: { dryRun } }),
      (created) => {
        setVersion((v) => v + 1);
        navigate(`/runs/${created.id}`);
      },
    );
  };
  return (
    <Stack>
      {isAdmin && (
        <Group>
          <Button onClick={() => setConfirming(true)} loading={start.busy}>
            Run now
          </Button>
          <Button variant="light" onClick={() => run(true)} loading={start.busy}>
            Dry run
          </Button>
          <Text size="sm" c="dimmed">
            {local
              ? `Its agent "${integration.document.agent ?? '?'}" takes the run on its next look; a dry run writes nothing.`
              : 'A dry run shows the plan, record by record, and writes nothing.'}
          </Text>
        </Group>
      )}
      {start.message && (
        <Alert color="red" role="alert">
          {start.message}
        </Alert>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Run “${integration.name}” now?`} size="lg">
        {confirming && (
          <ConfirmRun integration={integration} onRun={() => run(false)} onDryRun={() => run(true)} onCancel={() => setConfirming(false)} />
        )}
      </Modal>
      <RunsList integrationId={integration.id} version={version} />
    </Stack>
  );
}

const planned = (dryRun: RunView): { label: string; n: number }[] => {
  const c = dryRun.counts;
  const s = dryRun.saasCounts;
  return [
    { label: 'to create', n: c.created },
    { label: 'to update', n: c.updated },
    { label: 'unchanged', n: c.unchanged },
    { label: 'skipped', n: c.skipped },
    { label: 'filtered out', n: c.filtered },
    { label: 'failing', n: c.failed },
    { label: 'SaaS users to create', n: s.created },
    { label: 'SaaS users to update', n: s.updated },
  ];
};

/** What a real run is about to do: the last dry run's plan if there is one, and where it writes. */
function ConfirmRun({
  integration,
  onRun,
  onDryRun,
  onCancel,
}: {
  integration: StoredIntegration;
  onRun: () => void;
  onDryRun: () => void;
  onCancel: () => void;
}) {
  const { data, error } = useLoad(
    async () => ({
      dryRun:
        (await api.get('/api/runs', { query: { integrationId: integration.id, limit: 50 } })).runs.find(
          (r) => r.dryRun && (r.state === 'succeeded' || r.state === 'completed_with_errors'),
        ) ?? null,
    }),
    [integration.id],
  );
  // undefined while loading; null when there is none (or the history could not be read).
  const last = error ? null : data === null ? undefined : data.dryRun;
  const destination = integration.document.destination;
  const where = 'connection' in destination && destination.connection ? `the Oomnitza connection “${destination.connection}”` : 'Oomnitza';
  return (
    <Stack>
      <Text size="sm">A run writes to {where}: it creates and updates users as the mapping and the preference say.</Text>
      {last === undefined && <Text size="sm">Looking for the last dry run…</Text>}
      {last === null && (
        <Alert color="yellow" title="No dry run yet">
          A dry run shows every record that would be written, with old and new values, and writes nothing. Consider one first.
        </Alert>
      )}
      {last && (
        <Alert color="blue" title={`The last dry run (${formatWhen(last.queuedAt)}) planned`} role="status" aria-label="Last dry run">
          {planned(last)
            .filter((p) => p.n > 0 || !p.label.startsWith('SaaS'))
            .map((p) => `${p.n} ${p.label}`)
            .join(' · ')}
          <Text size="xs" mt={4}>
            The run plans again against NinjaOne and Oomnitza as they are now; changes since then change its counts.
          </Text>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button variant="light" onClick={onDryRun}>
          {last ? 'Dry run again' : 'Dry run first'}
        </Button>
        <Button color="orange" onClick={onRun}>
          Run and write to Oomnitza
        </Button>
      </Group>
    </Stack>
  );
}
