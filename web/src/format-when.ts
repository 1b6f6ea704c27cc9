/**
 * Dates and times as the browser's locale writes them (Intl), in its time zone: "1 Dec 2026, 04:12"
 * in en-GB, "Dec 1, 2026, 4:12 AM" in en-US, "01.12.2026, 04:12" in de-DE. One formatter for every
 * screen, so a run, a notification and a person's last sign-in read alike.
 *
 * @example formatWhen(run.queuedAt) // '1 Dec 2026, 04:12:50'
 */
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : when.format(date);
}
