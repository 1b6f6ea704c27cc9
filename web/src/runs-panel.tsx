/** An integration's runs: "Run now", "Dry run", and its history. */
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { navigate } from './router.tsx';
import { RunsList } from './runs-list.tsx';
import { useSession } from './session-context.ts';
import { useSubmit } from './use-submit.ts';

import type { StoredIntegration } from '../../src/contracts/integrations.ts';

export function RunsPanel({ integration }: { integration: StoredIntegration }) {
  const { isAdmin } = useSession();
  const start = useSubmit();
  const [version, setVersion] = useState(0);
  const local = integration.document.installation === 'local';
  const run = (dryRun: boolean): void => {
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
          <Button onClick={() => run(false)} loading={start.busy}>
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
      <RunsList integrationId={integration.id} version={version} />
    </Stack>
  );
}
