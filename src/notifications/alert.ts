/**
 * An alert as the rest of the program sees it (`alerts.ts` turns a row into one). Its own module so
 * that the message and the alerts store both read it without importing each other.
 *
 * @example
 * const subject = alertMessage(alert, 'alert', publicUrl).subject;
 */
import type { IsoTimestamp } from '../db/types.ts';
import type { AlertCondition, AlertSubjectType } from '../db/types-alerts.ts';

export interface Alert {
  readonly id: string;
  readonly subjectType: AlertSubjectType;
  readonly subjectId: string;
  readonly subjectName: string;
  readonly condition: AlertCondition;
  readonly message: string;
  readonly error: string | null;
  readonly runId: string | null;
  readonly count: number;
  readonly openedAt: IsoTimestamp;
  readonly lastSeenAt: IsoTimestamp;
  readonly resolvedAt: IsoTimestamp | null;
}
