/**
 * Schedules and run times in words, for the UI and the API: "every day at 02:00 (Europe/Berlin)",
 * "next: tomorrow at 02:00, then Sat 29 Nov at 02:00". Times are shown on the schedule's own clock,
 * because that is the clock the admin chose the schedule by.
 *
 * @example
 * describeSchedule({ daily: '02:00', timezone: 'Europe/Berlin' }) // 'every day at 02:00 (Europe/Berlin)'
 */
import { compileSchedule, intervalMinutes } from './schedule-times.ts';

import type { Schedule } from '../integrations/schema.ts';

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * One line that says when the schedule fires. Throws `ScheduleError` for an invalid schedule.
 *
 * @example describeSchedule({ every: '30m', timezone: 'UTC' }) // 'every 30 minutes (UTC)'
 */
export function describeSchedule(schedule: Schedule): string {
  const { timezone } = compileSchedule(schedule);
  if ('daily' in schedule) return `every day at ${schedule.daily} (${timezone})`;
  if ('every' in schedule) {
    const minutes = intervalMinutes(schedule.every);
    const words = minutes % 60 === 0 ? plural(minutes / 60, 'hour') : plural(minutes, 'minute');
    if (minutes % 60 === 0 && (24 * 60) % minutes === 0 && minutes < 24 * 60 && minutes >= 4 * 60) {
      const hours = Array.from({ length: (24 * 60) / minutes }, (_, i) => `${pad((i * minutes) / 60)}:00`);
      return `every ${words}, at ${listWords(hours)} (${timezone})`;
    }
    return minutes === 24 * 60 ? `every day at 00:00 (${timezone})` : `every ${words} (${timezone})`;
  }
  return `${describeCron(schedule.cron.trim())} (${timezone})`;
}

/**
 * The given run times in words, relative to `now` on the schedule's clock.
 *
 * @example describeNextRuns(times, now, 'Europe/Berlin') // 'next: today at 14:00, then tomorrow at 02:00'
 */
export function describeNextRuns(times: readonly Date[], now: Date, timezone: string): string {
  if (times.length === 0) return 'no run is scheduled';
  const words = times.map((time) => describeTime(time, now, timezone));
  return `next: ${words.join(', then ')}`;
}

/**
 * One run time in words: "today at 14:00", "tomorrow at 02:00", "Sat 29 Nov at 02:00", with the
 * year when it is not this year's.
 *
 * @example describeTime(new Date('2026-11-28T01:00:00Z'), new Date('2026-11-27T12:00:00Z'), 'Europe/Berlin') // 'tomorrow at 02:00'
 */
export function describeTime(time: Date, now: Date, timezone: string): string {
  const at = localParts(time, timezone);
  const today = localParts(now, timezone);
  const dayDiff = Math.round((Date.UTC(at.year, at.month - 1, at.day) - Date.UTC(today.year, today.month - 1, today.day)) / 86_400_000);
  const clock = `${pad(at.hour)}:${pad(at.minute)}`;
  if (dayDiff === 0) return `today at ${clock}`;
  if (dayDiff === 1) return `tomorrow at ${clock}`;
  const date = `${at.weekday} ${at.day} ${at.monthName}${at.year === today.year ? '' : ` ${at.year}`}`;
  return `${date} at ${clock}`;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: string;
  monthName: string;
}

function localParts(instant: Date, timezone: string): LocalParts {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  });
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const monthName = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, month: 'short' }).format(instant);
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: String(parts.weekday),
    monthName,
  };
}

/** The common cron shapes in words; anything else is quoted as written. */
function describeCron(pattern: string): string {
  const [minute, hour, dom, month, dow] = pattern.split(/\s+/);
  const simpleTime = /^\d+$/.test(minute ?? '') && /^\d+$/.test(hour ?? '') ? `${pad(Number(hour))}:${pad(Number(minute))}` : null;
  if (simpleTime !== null && dom === '*' && month === '*') {
    if (dow === '*') return `every day at ${simpleTime}`;
    if (dow === '1-5') return `every weekday (Monday to Friday) at ${simpleTime}`;
    if (/^[0-7]$/.test(dow ?? '')) return `every ${weekdays[Number(dow) % 7]} at ${simpleTime}`;
  }
  if (simpleTime !== null && /^\d+$/.test(dom ?? '') && month === '*' && dow === '*')
    return `on day ${dom} of every month at ${simpleTime}`;
  return `on the cron schedule "${pattern}"`;
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

function listWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
