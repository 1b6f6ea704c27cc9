/**
 * The schedule in words with its next run times, from the server (`POST /api/schedules/preview`,
 * the same computation the scheduler uses); falls back to a local description when the server
 * has no preview route. Problems come back as field errors, and then no words: "Runs every 0
 * minutes" beside "0m is not an interval" would describe a schedule that never runs.
 */
import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';

import { api, ApiCallError } from './api.ts';
import { scheduleText } from './schedule-text.ts';

import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { ResponseOf } from '../../src/contracts/route-contract.ts';
import type { scheduleContracts } from '../../src/contracts/schedule.ts';

type Schedule = NonNullable<IntegrationInput['schedule']>;

export function SchedulePreview({ schedule, onProblems }: { schedule: Schedule; onProblems: (fields: Record<string, string>) => void }) {
  const [preview, setPreview] = useState<ResponseOf<typeof scheduleContracts.preview> | null>(null);
  const [refused, setRefused] = useState(false);
  const key = JSON.stringify(schedule);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api
        .post('/api/schedules/preview', { body: JSON.parse(key) as Schedule })
        .then((p) => {
          if (live) {
            setPreview(p);
            setRefused(false);
            onProblems({});
          }
        })
        .catch((error: unknown) => {
          if (!live) return;
          setPreview(null);
          const problem = error instanceof ApiCallError && error.status === 400;
          setRefused(problem);
          if (problem)
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
      {refused
        ? 'No run times until the schedule above is fixed.'
        : preview
          ? `Runs ${preview.description}; ${preview.summary}.`
          : `Runs ${scheduleText(schedule)}.`}
    </Text>
  );
}
