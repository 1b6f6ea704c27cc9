/**
 * Schedules in words: an integration's schedule with its next five run times (ISO and words), a
 * preview of any schedule for the UI to show while it is being edited, and the catch-up setting.
 * An unusable schedule answers 400 with the field at fault (`details.fields[].path`) and the fix.
 */
import { scheduleContracts } from '../../contracts/schedule.ts';
import { schedulePreview } from '../../schedule/preview.ts';
import { getScheduleState, scheduleOfDocument, setCatchUp } from '../../schedule/schedule-state.ts';
import { ScheduleError } from '../../schedule/schedule-times.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { Schedule } from '../../integrations/schema.ts';
import type { RouteKit } from '../route-kit.ts';

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

  defineRoute(app, registry, authorize, {
    ...scheduleContracts.get,
    access: 'viewer',
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
    ...scheduleContracts.setCatchUp,
    access: 'admin',
    handler: async ({ params, body }) => {
      const row = await db.selectFrom('integrations').select('id').where('id', '=', params.id).executeTakeFirst();
      if (row === undefined) throw notFound('integration', params.id);
      await setCatchUp(db, params.id, body.catchUp, now());
      return { catchUp: (await getScheduleState(db, params.id))?.catchUp ?? body.catchUp };
    },
  });

  defineRoute(app, registry, authorize, {
    ...scheduleContracts.preview,
    access: 'viewer',
    handler: async ({ body }) => preview(body, now(), ''),
  });
}
