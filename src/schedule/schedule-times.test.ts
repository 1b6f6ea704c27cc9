import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeNextRuns, describeSchedule } from './describe.ts';
import { schedulePreview } from './preview.ts';
import { nextRuns, ScheduleError } from './schedule-times.ts';

const iso = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());

describe('nextRuns', () => {
  test('daily stays at 02:00 Berlin time across the spring-forward and fall-back changes', () => {
    const schedule = { daily: '02:00', timezone: 'Europe/Berlin' };
    // 29 Mar 2026: 02:00 does not exist (clocks jump to 03:00); it runs at the first instant after.
    assert.deepEqual(iso(nextRuns(schedule, new Date('2026-03-27T12:00:00Z'), 4)), [
      '2026-03-28T01:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    // 25 Oct 2026: 02:00 happens twice; it runs once.
    assert.deepEqual(iso(nextRuns(schedule, new Date('2026-10-23T12:00:00Z'), 4)), [
      '2026-10-24T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
      '2026-10-27T01:00:00.000Z',
    ]);
  });

  test('every 30m is every 30 real minutes through the repeated hour', () => {
    const times = nextRuns({ every: '30m', timezone: 'Europe/Berlin' }, new Date('2026-10-24T23:50:00Z'), 6);
    assert.equal(times[0]?.toISOString(), '2026-10-25T00:00:00.000Z');
    for (let i = 1; i < times.length; i += 1) assert.equal(times[i]!.getTime() - times[i - 1]!.getTime(), 30 * 60_000);
  });

  test('every 6h sits on the local clock (00, 06, 12, 18 New York time) across the spring-forward day', () => {
    const times = nextRuns({ every: '6h', timezone: 'America/New_York' }, new Date('2026-03-08T00:00:00Z'), 5);
    // 7 Mar 19:00 EST → 8 Mar 00:00 EST (05:00Z), 06:00 EDT (10:00Z), 12:00 EDT (16:00Z), 18:00 EDT (22:00Z), 9 Mar 00:00 EDT (04:00Z)
    assert.deepEqual(iso(times), [
      '2026-03-08T05:00:00.000Z',
      '2026-03-08T10:00:00.000Z',
      '2026-03-08T16:00:00.000Z',
      '2026-03-08T22:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
  });

  test('an interval that does not divide the day counts real time from the epoch', () => {
    const times = nextRuns({ every: '45m', timezone: 'UTC' }, new Date('2026-11-27T12:00:00Z'), 3);
    for (const t of times) assert.equal(t.getTime() % (45 * 60_000), 0);
    assert.equal(times[1]!.getTime() - times[0]!.getTime(), 45 * 60_000);
  });

  test('cron runs weekdays at 03:00 in its zone, across the fall-back day', () => {
    const times = nextRuns({ cron: '0 3 * * 1-5', timezone: 'Europe/Berlin' }, new Date('2026-10-23T12:00:00Z'), 3);
    // Fri 23 Oct is past; Mon 26 Oct 03:00 CET = 02:00Z (after the change), Tue, Wed.
    assert.deepEqual(iso(times), ['2026-10-26T02:00:00.000Z', '2026-10-27T02:00:00.000Z', '2026-10-28T02:00:00.000Z']);
  });

  test('errors name the field and the fix', () => {
    assert.throws(
      () => nextRuns({ daily: '02:00', timezone: 'Mars/Olympus' }, new Date(), 1),
      (e: unknown) => e instanceof ScheduleError && e.field === 'timezone' && /schedule\.timezone: .*IANA name/.test(e.message),
    );
    assert.throws(
      () => nextRuns({ cron: '61 3 * * *', timezone: 'UTC' }, new Date(), 1),
      (e: unknown) => e instanceof ScheduleError && e.field === 'cron' && /minute.*e\.g\./.test(e.message),
    );
    assert.throws(() => nextRuns({ cron: '0 0 3 * * *', timezone: 'UTC' }, new Date(), 1), /schedule\.cron: .*6 fields; give five/);
    assert.throws(() => nextRuns({ cron: '0 0 30 2 *', timezone: 'UTC' }, new Date(), 1), /never fires/);
    assert.throws(() => nextRuns({ every: '0m', timezone: 'UTC' }, new Date(), 1), /schedule\.every: .*above zero/);
  });
});

describe('in words', () => {
  test('describeSchedule for each kind', () => {
    assert.equal(describeSchedule({ daily: '02:00', timezone: 'Europe/Berlin' }), 'every day at 02:00 (Europe/Berlin)');
    assert.equal(describeSchedule({ every: '30m', timezone: 'UTC' }), 'every 30 minutes (UTC)');
    assert.equal(describeSchedule({ every: '6h', timezone: 'UTC' }), 'every 6 hours, at 00:00, 06:00, 12:00 and 18:00 (UTC)');
    assert.equal(describeSchedule({ every: '1h', timezone: 'UTC' }), 'every hour (UTC)');
    assert.equal(describeSchedule({ cron: '0 3 * * 1-5', timezone: 'UTC' }), 'every weekday (Monday to Friday) at 03:00 (UTC)');
    assert.equal(describeSchedule({ cron: '*/10 8-18 * * *', timezone: 'UTC' }), 'on the cron schedule "*/10 8-18 * * *" (UTC)');
  });

  test("describeNextRuns says today, tomorrow, then the date, on the schedule's clock", () => {
    const now = new Date('2026-11-27T12:00:00Z'); // Friday
    const times = nextRuns({ daily: '02:00', timezone: 'Europe/Berlin' }, now, 3);
    assert.equal(
      describeNextRuns(times, now, 'Europe/Berlin'),
      'next: tomorrow at 02:00, then Sun 29 Nov at 02:00, then Mon 30 Nov at 02:00',
    );
    const later = nextRuns({ every: '6h', timezone: 'Europe/Berlin' }, now, 1);
    assert.equal(describeNextRuns(later, now, 'Europe/Berlin'), 'next: today at 18:00');
    assert.equal(
      describeNextRuns(
        nextRuns({ daily: '02:00', timezone: 'UTC' }, new Date('2026-12-30T12:00:00Z'), 2),
        new Date('2026-12-30T12:00:00Z'),
        'UTC',
      ),
      'next: tomorrow at 02:00, then Fri 1 Jan 2027 at 02:00',
    );
  });

  test('schedulePreview gives ISO times and words together', () => {
    const preview = schedulePreview({ daily: '02:00', timezone: 'Europe/Berlin' }, new Date('2026-11-27T12:00:00Z'), 5);
    assert.equal(preview.description, 'every day at 02:00 (Europe/Berlin)');
    assert.equal(preview.nextRuns.length, 5);
    assert.deepEqual(preview.nextRuns[0], { at: '2026-11-28T01:00:00.000Z', words: 'tomorrow at 02:00' });
    assert.match(preview.summary, /^next: tomorrow at 02:00, then Sun 29 Nov at 02:00/);
  });
});
