/**
 * An integration's schedule in words, for cards and the details form.
 *
 * @example
 * scheduleText({ daily: '02:00', timezone: 'Europe/Berlin' }); // 'every day at 02:00 (Europe/Berlin)'
 */
import type { IntegrationInput } from '../../src/contracts/integrations.ts';

export function scheduleText(schedule: IntegrationInput['schedule']): string {
  if (!schedule) return 'every day at 02:00 (UTC)';
  const zone = schedule.timezone ?? 'UTC';
  if ('daily' in schedule) return `every day at ${schedule.daily} (${zone})`;
  if ('every' in schedule) {
    const m = /^(\d+)\s*(m|min|h)$/.exec(schedule.every);
    if (!m) return `every ${schedule.every}`;
    const n = Number(m[1]);
    const unit = m[2] === 'h' ? 'hour' : 'minute';
    return `every ${n === 1 ? unit : `${n} ${unit}s`}`;
  }
  return `on the cron schedule “${schedule.cron}” (${zone})`;
}
