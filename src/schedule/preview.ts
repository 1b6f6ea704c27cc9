/**
 * A schedule as the UI and the API show it: the rule in words and the next few run times, in ISO
 * and in words, on the schedule's own clock.
 *
 * @example
 * schedulePreview({ daily: '02:00', timezone: 'Europe/Berlin' }, now)
 * // { description: 'every day at 02:00 (Europe/Berlin)', nextRuns: [{ at: '2026-11-28T01:00:00.000Z', words: 'tomorrow at 02:00' }, …], summary: 'next: tomorrow at 02:00, then …' }
 */
import { describeNextRuns, describeSchedule, describeTime } from './describe.ts';
import { compileSchedule } from './schedule-times.ts';

import type { Schedule } from '../integrations/schema.ts';

export interface SchedulePreview {
  readonly description: string;
  readonly timezone: string;
  readonly nextRuns: readonly { readonly at: string; readonly words: string }[];
  readonly summary: string;
}

/**
 * Throws `ScheduleError` (naming the field and the fix) for a schedule that cannot be used.
 *
 * @example const preview = schedulePreview(body, clock(), 5);
 */
export function schedulePreview(schedule: Schedule, now: Date, count = 5): SchedulePreview {
  const compiled = compileSchedule(schedule);
  const times = compiled.next(now, count);
  return {
    description: describeSchedule(schedule),
    timezone: compiled.timezone,
    nextRuns: times.map((t) => ({ at: t.toISOString(), words: describeTime(t, now, compiled.timezone) })),
    summary: describeNextRuns(times, now, compiled.timezone),
  };
}
