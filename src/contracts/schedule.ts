/**
 * The schedules API (`src/server/routes/schedule.ts`): an integration's schedule in words with its
 * next five run times, a preview of any schedule while it is edited, and the catch-up setting.
 *
 * @example
 * const { description, nextRuns } = await api.post('/api/schedules/preview', { body: { daily: '02:00', timezone: 'UTC' } });
 */
import { z } from 'zod';

import { catchUpPolicies } from '../db/types-alerts.ts';
import { scheduleSchema } from '../integrations/schema.ts';
import { defineContract, idParamsSchema } from './route-contract.ts';

export const schedulePreviewSchema = z.strictObject({
  description: z.string().describe('e.g. "every day at 02:00 (Europe/Berlin)"'),
  timezone: z.string(),
  nextRuns: z.array(
    z.strictObject({
      at: z.string().describe('ISO 8601 UTC'),
      words: z.string().describe('e.g. "tomorrow at 02:00", on the schedule\'s clock'),
    }),
  ),
  summary: z.string().describe('e.g. "next: tomorrow at 02:00, then Sun 29 Nov at 02:00, …"'),
});

export const integrationScheduleSchema = schedulePreviewSchema.extend({
  integrationId: z.string(),
  enabled: z.boolean(),
  schedule: scheduleSchema,
  catchUp: z.enum(catchUpPolicies).describe('a run missed while ninja-sync was down: run it once on start, or skip it'),
  plannedNextRunAt: z
    .string()
    .nullable()
    .describe('the next due time the scheduler has stored (null until it first sees the integration, or while disabled)'),
  lastScheduledAt: z.string().nullable(),
});

export const scheduleContracts = {
  get: defineContract({
    method: 'GET',
    url: '/api/integrations/:id/schedule',
    summary: "An integration's schedule in words, with its next five run times",
    tags: ['schedules'],
    params: idParamsSchema,
    response: integrationScheduleSchema,
  }),
  setCatchUp: defineContract({
    method: 'PUT',
    url: '/api/integrations/:id/catch-up',
    summary: 'Set what happens to a scheduled run missed while ninja-sync was down',
    tags: ['schedules'],
    params: idParamsSchema,
    body: z.strictObject({ catchUp: z.enum(catchUpPolicies) }),
    response: z.strictObject({ catchUp: z.enum(catchUpPolicies) }),
  }),
  preview: defineContract({
    method: 'POST',
    url: '/api/schedules/preview',
    summary: 'Describe a schedule and its next five run times (for the editor)',
    tags: ['schedules'],
    body: scheduleSchema,
    response: schedulePreviewSchema,
  }),
};
