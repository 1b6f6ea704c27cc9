/**
 * Tables of migration 0003: where each integration's schedule stands, the alerts, the in-app inbox
 * and the e-mail outbox. Same portable types as `types.ts`.
 */
import type { IntBool, IsoTimestamp } from './column-types.ts';

export const catchUpPolicies = ['once', 'skip'] as const;
/** What happens to a run missed while nothing was running: run it once on start, or skip it. */
export type CatchUpPolicy = (typeof catchUpPolicies)[number];

export const alertConditions = ['run_failed', 'run_stuck', 'schedule_missed', 'credential_needs_reauth'] as const;
export type AlertCondition = (typeof alertConditions)[number];

export const alertSubjectTypes = ['integration', 'credential'] as const;
export type AlertSubjectType = (typeof alertSubjectTypes)[number];

export const emailStatuses = ['pending', 'sent', 'failed', 'suppressed'] as const;
export type EmailStatus = (typeof emailStatuses)[number];

export interface ScheduleStateTable {
  integration_id: string;
  /** The schedule (JSON text) `next_run_at` was computed from: a change recomputes it. */
  schedule: string;
  /** Null while the integration is disabled. */
  next_run_at: IsoTimestamp | null;
  /** The due time of the last occurrence turned into a run (or skipped). */
  last_scheduled_at: IsoTimestamp | null;
  last_run_id: string | null;
  catch_up: CatchUpPolicy;
  updated_at: IsoTimestamp;
}

export interface AlertsTable {
  id: string;
  subject_type: AlertSubjectType;
  /** Integration id or credential id. */
  subject_id: string;
  /** Kept so an alert still reads well after its subject is renamed or deleted. */
  subject_name: string;
  condition: AlertCondition;
  message: string;
  error: string | null;
  run_id: string | null;
  /** What made the latest raise (a run id, a due time): raising the same occurrence again counts nothing. */
  occurrence: string;
  count: number;
  opened_at: IsoTimestamp;
  last_seen_at: IsoTimestamp;
  /** Null while open; at most one open alert per (subject, condition). */
  resolved_at: IsoTimestamp | null;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  alert_id: string | null;
  kind: 'alert' | 'recovered';
  title: string;
  body: string;
  /** Path in the app, e.g. `/runs/<id>`. */
  link: string | null;
  created_at: IsoTimestamp;
  read_at: IsoTimestamp | null;
}

export interface EmailOutboxTable {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  alert_id: string | null;
  status: EmailStatus;
  attempts: number;
  /** When a sender may (next) try; also a lease, moved ahead while one sender holds it. */
  next_attempt_at: IsoTimestamp;
  last_error: string | null;
  created_at: IsoTimestamp;
  sent_at: IsoTimestamp | null;
  /** For suppressed mail: set once the summary that mentions it was queued. */
  summarized: IntBool;
}

export interface AlertsTables {
  schedule_state: ScheduleStateTable;
  alerts: AlertsTable;
  notifications: NotificationsTable;
  email_outbox: EmailOutboxTable;
}
