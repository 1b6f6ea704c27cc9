/**
 * When an integration's schedule fires: the next run times after a given instant, computed in the
 * schedule's time zone with croner, so "every day at 02:00 (Europe/Berlin)" stays at 02:00 local
 * time across daylight-saving changes.
 *
 * The three kinds:
 * - `{ daily: 'HH:MM' }`: once a day at that local time. On the spring-forward day a time inside
 *   the skipped hour runs at the first instant after it (02:30 → 03:30); on the fall-back day it
 *   runs once, not twice.
 * - `{ every: '30m' | '6h' }`: an interval. Hours that divide a day sit on the local clock (every
 *   6h = 00:00, 06:00, 12:00, 18:00 local, so 5 h or 7 h apart on a change day); any other interval
 *   counts real elapsed time from the Unix epoch (every 30m is every 30 real minutes, also through
 *   the repeated hour of a fall-back night), so it never drifts and needs no stored anchor.
 * - `{ cron: '0 3 * * 1-5' }`: five-field cron (minute hour day-of-month month day-of-week).
 *
 * @example
 * nextRuns({ daily: '02:00', timezone: 'Europe/Berlin' }, new Date('2026-11-27T12:00:00Z'), 2)
 * // [2026-11-28T01:00:00.000Z, 2026-11-29T01:00:00.000Z]
 */
import { Cron } from 'croner';

import type { Schedule } from '../integrations/schema.ts';

/** A schedule that cannot be used; `field` is the schedule's key at fault (`timezone`, `cron`, ...). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    readonly field: 'daily' | 'every' | 'cron' | 'timezone',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`schedule.${field}: ${message}`, options);
  }
}

/** A schedule checked and ready to answer "when next?". */
export interface CompiledSchedule {
  readonly schedule: Schedule;
  readonly timezone: string;
  /** The first `n` fire times strictly after `from`. */
  next(from: Date, n: number): Date[];
}

const minuteMs = 60_000;

/**
 * Checks a schedule (time zone, cron pattern, interval) and prepares it; throws `ScheduleError`
 * naming the field and the fix.
 *
 * @example const compiled = compileSchedule({ cron: '0 3 * * 1-5', timezone: 'UTC' }); compiled.next(new Date(), 3);
 */
export function compileSchedule(schedule: Schedule): CompiledSchedule {
  const timezone = checkTimezone(schedule.timezone);
  if ('daily' in schedule) {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(schedule.daily);
    if (match === null)
      throw new ScheduleError('daily', `"${schedule.daily}" is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 02:00`);
    return fromCron(schedule, `${Number(match[2])} ${Number(match[1])} * * *`, timezone, 'daily');
  }
  if ('every' in schedule) {
    const minutes = intervalMinutes(schedule.every);
    if (minutes % 60 === 0 && minutes <= 24 * 60 && (24 * 60) % minutes === 0) {
      return fromCron(schedule, minutes === 24 * 60 ? '0 0 * * *' : `0 */${minutes / 60} * * *`, timezone, 'every');
    }
    const step = minutes * minuteMs;
    return {
      schedule,
      timezone,
      next: (from, n) => Array.from({ length: n }, (_, i) => new Date((Math.floor(from.getTime() / step) + 1 + i) * step)),
    };
  }
  const fields = schedule.cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleError(
      'cron',
      `"${schedule.cron}" has ${fields.length} fields; give five: minute hour day-of-month month day-of-week, e.g. "0 3 * * 1-5" for 03:00 on weekdays`,
    );
  }
  return fromCron(schedule, fields.join(' '), timezone, 'cron');
}

/**
 * The first `n` run times strictly after `from`.
 *
 * @example nextRuns({ every: '6h', timezone: 'UTC' }, new Date('2026-11-27T07:00:00Z'), 1) // [12:00Z]
 */
export function nextRuns(schedule: Schedule, from: Date, n: number): Date[] {
  return compileSchedule(schedule).next(from, n);
}

/**
 * The interval of an `every` schedule in minutes; throws `ScheduleError` when it is zero or unreadable.
 *
 * @example intervalMinutes('6h') // 360
 */
export function intervalMinutes(every: string): number {
  const match = /^(\d+)\s*(m|min|h)$/.exec(every.trim());
  const amount = match === null ? Number.NaN : Number(match[1]);
  if (match === null || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new ScheduleError('every', `"${every}" is not an interval; write a whole number of minutes or hours above zero, e.g. 30m or 6h`);
  }
  const minutes = match[2] === 'h' ? amount * 60 : amount;
  if (minutes > 7 * 24 * 60)
    throw new ScheduleError(
      'every',
      `"${every}" is longer than a week; use a cron expression for rarer runs, e.g. "0 2 1 * *" for monthly`,
    );
  return minutes;
}

function fromCron(schedule: Schedule, pattern: string, timezone: string, field: 'daily' | 'every' | 'cron'): CompiledSchedule {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone, paused: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    throw new ScheduleError(
      field,
      `"${pattern}" is not a valid cron expression (${reason}); fields are minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-7), e.g. "0 3 * * 1-5"`,
      { cause: error },
    );
  }
  if (cron.nextRun(new Date(0)) === null) {
    throw new ScheduleError(field, `"${pattern}" never fires (no date matches it); check the day and month fields`);
  }
  return { schedule, timezone, next: (from, n) => cron.nextRuns(n, from) };
}

function checkTimezone(timezone: string): string {
  try {
    // Intl knows the IANA zones of the ICU data Node ships; it throws RangeError for any other name.
    return new Intl.DateTimeFormat('en-GB', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch (error) {
    throw new ScheduleError(
      'timezone',
      `"${timezone}" is not a known time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC`,
      { cause: error },
    );
  }
}
