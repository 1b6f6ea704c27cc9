/** Every run, newest first, filtered by state. */
import { Group, Select, Stack, Title } from '@mantine/core';
import { useState } from 'react';

import { runStates } from '../../src/sync/ports.ts';
import { RunsList } from './runs-list.tsx';

export function RunsPage() {
  const [state, setState] = useState<(typeof runStates)[number] | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Runs</Title>
        <Select
          w={220}
          label="State"
          placeholder="any state"
          clearable
          data={[...runStates]}
          value={state}
          onChange={(value) => setState(runStates.find((s) => s === value) ?? null)}
        />
      </Group>
      <RunsList {...(state ? { state } : {})} />
    </Stack>
  );
}
