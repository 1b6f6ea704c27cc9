/**
 * Schedules in words: an integration's schedule with its next five run times (ISO and words), a
 * preview of any schedule for the UI to show while it is being edited, and the catch-up setting.
 * An unusable schedule answers 400 with the field at fault (`details.fields[].path`) and the fix.
 */
import { z } from 'zod';

import { catchUpPolicies } from '../../db/types-alerts.ts';
import { scheduleSchema } from '../../integrations/schema.ts';
import { schedulePreview } from '../../schedule/preview.ts';
import { getScheduleState, scheduleOfDocument, setCatchUp } from '../../schedule/schedule-state.ts';
import { ScheduleError } from '../../schedule/schedule-times.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { Schedule } from '../../integrations/schema.ts';
import type { RouteKit } from '../app.ts';

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

function preview(schedule: Schedule, at: Date, path: string) {
  try {
    const shown = schedulePreview(schedule, at, 5);
    return { ...shown, nextRuns: shown.nextRuns.map((r) => ({ ...r })) };
  } catch (error) {
    if (error instanceof ScheduleError) {
      throw new ApiError(400, 'validation_failed', `${path}${error.message}`, {
        fields: [{ path: `${path}${error.field}`, message: error.message.replace(/^schedule\.\w+: /, '') }],
      });
    }
    throw error;
  }
}

export function registerScheduleRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;
  const idParams = z.strictObject({ id: z.string().min(1) });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/integrations/:id/schedule',
    summary: "An integration's schedule in words, with its next five run times",
    tags: ['schedules'],
    access: 'viewer',
    params: idParams,
    response: integrationScheduleSchema,
    handler: async ({ params }) => {
      const row = await db.selectFrom('integrations').select(['id', 'document', 'enabled']).where('id', '=', params.id).executeTakeFirst();
      if (row === undefined) throw notFound('integration', params.id);
      const schedule = scheduleOfDocument(row.document);
      const state = await getScheduleState(db, row.id);
      return {
        integrationId: row.id,
        enabled: Number(row.enabled) === 1,
        schedule,
        ...preview(schedule, now(), 'schedule.'),
        catchUp: state?.catchUp ?? 'once',
        plannedNextRunAt: state?.nextRunAt ?? null,
        lastScheduledAt: state?.lastScheduledAt ?? null,
      };
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'PUT',
    url: '/api/integrations/:id/catch-up',
    summary: 'Set what happens to a scheduled run missed while ninja-sync was down',
    tags: ['schedules'],
    access: 'admin',
    params: idParams,
    body: z.strictObject({ catchUp: z.enum(catchUpPolicies) }),
    response: z.strictObject({ catchUp: z.enum(catchUpPolicies) }),
    handler: async ({ params, body }) => {
      const row = await db.selectFrom('integrations').select('id').where('id', '=', params.id).executeTakeFirst();
      if (row === undefined) throw notFound('integration', params.id);
      await setCatchUp(db, params.id, body.catchUp, now());
      return { catchUp: (await getScheduleState(db, params.id))?.catchUp ?? body.catchUp };
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/schedules/preview',
    summary: 'Describe a schedule and its next five run times (for the editor)',
    tags: ['schedules'],
    access: 'viewer',
    body: scheduleSchema,
    response: schedulePreviewSchema,
    handler: async ({ body }) => preview(body, now(), ''),
  });
}
