/** The schedule: daily at a time, every N minutes/hours, or a cron expression; with a time zone. */
import { Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';

import { SchedulePreview } from './schedule-preview.tsx';

import type { IntegrationInput } from '../../src/contracts/integrations.ts';

type Schedule = NonNullable<IntegrationInput['schedule']>;
type Kind = 'daily' | 'every' | 'cron';
const defaults: Record<Kind, string> = { daily: '02:00', every: '6h', cron: '0 2 * * 1-5' };

export function ScheduleInput({
  value,
  onChange,
  errors: saveErrors,
  disabled,
}: {
  value: Schedule;
  onChange: (s: Schedule) => void;
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
}) {
  const [previewErrors, setPreviewErrors] = useState<Record<string, string>>({});
  const errors = { ...previewErrors, ...saveErrors };
  const kind: Kind = 'daily' in value ? 'daily' : 'every' in value ? 'every' : 'cron';
  const text = 'daily' in value ? value.daily : 'every' in value ? value.every : value.cron;
  const timezone = value.timezone ?? 'UTC';
  const make = (k: Kind, t: string, zone: string): Schedule =>
    k === 'daily' ? { daily: t, timezone: zone } : k === 'every' ? { every: t, timezone: zone } : { cron: t, timezone: zone };
  // What was typed for each kind, so Daily → Cron → Daily gives back 03:30 rather than a default.
  const [typed, setTyped] = useState<Record<Kind, string>>(() => ({ ...defaults, [kind]: text }));
  const switchTo = (k: Kind): void => {
    setTyped((t) => ({ ...t, [kind]: text }));
    onChange(make(k, k === kind ? text : typed[k], timezone));
  };
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500} id="schedule-label">
        Schedule
      </Text>
      <SegmentedControl
        aria-labelledby="schedule-label"
        disabled={disabled}
        value={kind}
        onChange={(k) => switchTo(k)}
        data={[
          { value: 'daily', label: 'Daily' },
          { value: 'every', label: 'Every' },
          { value: 'cron', label: 'Cron' },
        ]}
      />
      <Group grow>
        <TextInput
          disabled={disabled}
          label={kind === 'daily' ? 'Time of day (HH:MM)' : kind === 'every' ? 'Interval (e.g. 30m, 6h)' : 'Cron expression'}
          value={text}
          onChange={(e) => onChange(make(kind, e.currentTarget.value, timezone))}
          error={errors[`schedule.${kind}`] ?? errors['schedule']}
        />
        <TextInput
          disabled={disabled}
          label="Time zone"
          value={timezone}
          onChange={(e) => onChange(make(kind, text, e.currentTarget.value))}
          error={errors['schedule.timezone']}
          description="e.g. UTC, Europe/Berlin"
        />
      </Group>
      <SchedulePreview schedule={value} onProblems={setPreviewErrors} />
    </Stack>
  );
}
