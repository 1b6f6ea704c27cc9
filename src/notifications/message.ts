/**
 * What an alert says, in the inbox and by e-mail: the integration (or credential), what happened,
 * the error, a link to the run, and what to do. Texts are built from the alert row only, which
 * never holds a secret; URLs in error texts lose any user:password part all the same.
 *
 * @example
 * const { subject, text } = alertMessage(alert, 'alert', 'https://sync.example.com');
 */
import { redactText } from '../http/redact.ts';

import type { AlertCondition } from '../db/types-alerts.ts';
import type { Alert } from './alert.ts';

export interface AlertMessage {
  /** E-mail subject and inbox title. */
  readonly subject: string;
  /** Plain-text e-mail body. */
  readonly text: string;
  /** Shorter inbox body. */
  readonly summary: string;
  /** Path in the app (`/runs/<id>`, `/credentials/<id>`), or null. */
  readonly link: string | null;
}

const whatHappened: Readonly<Record<AlertCondition, string>> = {
  run_failed: 'a run failed',
  run_stuck: 'a run has not finished',
  schedule_missed: 'a scheduled run did not start',
  credential_needs_reauth: 'the NinjaOne credential needs to be authorised again',
};

const whatToDo: Readonly<Record<AlertCondition, string>> = {
  run_failed:
    'Open the run to read the error and the records that failed. Fix the cause (the credential, the Oomnitza connection or the mapping) and run the integration again; a rerun is safe, sync keys keep it from writing anything twice.',
  run_stuck:
    'Check that the ninja-sync server or worker running it is alive. If the run is hung, cancel it on its page and run the integration again.',
  schedule_missed:
    'Check that ninja-sync serve (or a ninja-sync worker) is running and can reach its database. With catch-up "once" a missed run is run once when ninja-sync starts again; you can also press "Run now".',
  credential_needs_reauth:
    'Open Credentials, pick this credential and press "Authenticate" to sign in at NinjaOne again. Scheduled runs that use it fail until then.',
};

/**
 * The texts for an alert being raised (`'alert'`) or resolved (`'recovered'`).
 *
 * @example alertMessage(alert, 'recovered', config.publicUrl).subject // '[ninja-sync] Recovered: Staff — a run failed'
 */
export function alertMessage(alert: Alert, kind: 'alert' | 'recovered', publicUrl: string | URL | undefined): AlertMessage {
  const what = whatHappened[alert.condition];
  const subjectLabel = alert.subjectType === 'credential' ? `credential "${alert.subjectName}"` : `integration "${alert.subjectName}"`;
  const link =
    alert.runId !== null
      ? `/runs/${alert.runId}`
      : alert.subjectType === 'credential'
        ? `/credentials/${alert.subjectId}`
        : `/integrations/${alert.subjectId}`;
  const url = publicUrl === undefined ? link : new URL(link, publicUrl).toString();
  if (kind === 'recovered') {
    const subject = `[ninja-sync] Recovered: ${alert.subjectName} — ${what}`;
    const summary =
      `Resolved: ${what} (${subjectLabel}). ${alert.resolvedAt === null ? '' : `Resolved at ${readableTime(alert.resolvedAt)}.`}`.trim();
    const text = [
      `The problem with the ${subjectLabel} is over: ${what}, and now it works again.`,
      '',
      `First seen: ${readableTime(alert.openedAt)}`,
      `Last seen: ${readableTime(alert.lastSeenAt)} (${alert.count} time${alert.count === 1 ? '' : 's'})`,
      `Resolved: ${alert.resolvedAt === null ? 'now' : readableTime(alert.resolvedAt)}`,
      `Details: ${url}`,
      '',
      'Nothing to do.',
    ].join('\n');
    return { subject, text, summary, link };
  }
  const error = alert.error === null ? null : redactText(alert.error);
  const subject = `[ninja-sync] ${alert.subjectName}: ${what}`;
  const text = [
    `${capitalise(what)} (${subjectLabel}).`,
    '',
    `What happened: ${redactText(alert.message)}`,
    ...(error === null ? [] : [`Error: ${error}`]),
    `When: ${readableTime(alert.lastSeenAt)}`,
    `${alert.runId !== null ? 'Run' : 'Details'}: ${url}`,
    '',
    `What to do: ${whatToDo[alert.condition]}`,
    '',
    'You get this e-mail because you are a contact of this integration in ninja-sync. You will hear once more when the problem is resolved; repeats of it only update the alert.',
  ].join('\n');
  return { subject, text, summary: `${redactText(alert.message)}${error === null ? '' : ` — ${error}`}`, link };
}

const utc = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * A stored instant as people read it, in UTC (mail and inbox texts are stored once and read
 * anywhere, so they name their zone): '1 Dec 2026, 04:12 UTC'.
 *
 * @example readableTime('2026-12-01T04:12:50.497Z') // '1 Dec 2026, 04:12 UTC'
 */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${utc.format(date)} UTC`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
