/**
 * The schedule in words with its next run times, from the server (`POST /api/schedules/preview`,
 * the same computation the scheduler uses); falls back to a local description when the server
 * has no preview route. Problems come back as field errors.
 */
import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';

import { ApiCallError, untypedApi } from './api.ts';
import { scheduleText } from './schedule-text.ts';

import type { IntegrationInput } from './types.ts';

type Schedule = NonNullable<IntegrationInput['schedule']>;

interface Preview {
  readonly description: string;
  readonly summary: string;
}

export function SchedulePreview({ schedule, onProblems }: { schedule: Schedule; onProblems: (fields: Record<string, string>) => void }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const key = JSON.stringify(schedule);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      untypedApi
        .post<Preview>('/api/schedules/preview', JSON.parse(key))
        .then((p) => {
          if (live) {
            setPreview(p);
            onProblems({});
          }
        })
        .catch((error: unknown) => {
          if (!live) return;
          setPreview(null);
          if (error instanceof ApiCallError && error.status === 400)
            onProblems(
              Object.fromEntries(Object.entries(error.fieldErrors).map(([p, m]) => [p.startsWith('schedule') ? p : `schedule.${p}`, m])),
            );
        });
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, onProblems]);
  return (
    <Text size="sm" c="dimmed" role="status" aria-label="Schedule in words">
      {preview ? `Runs ${preview.description}; ${preview.summary}.` : `Runs ${scheduleText(schedule)}.`}
    </Text>
  );
}
