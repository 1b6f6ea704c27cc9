/**
 * One round of the scheduler, for the loop that `serve` (and each `ninja-sync worker`) runs every
 * few seconds: plan due runs, optionally fail runs whose worker died, run the watchdogs, and send
 * what is due in the e-mail outbox. Every step is safe to run in several processes at once and
 * again at any time; a step that fails is reported in the result and does not stop the others,
 * so a dead mail server never stops runs from being planned.
 *
 * @example
 * const timer = setInterval(() => {
 *   void schedulerTick(db, clock(), { mailer, notify: { publicUrl: config.publicUrl }, staleAfterMs: 5 * 60_000 })
 *     .then((r) => { for (const e of r.errors) logger.warn(e, 'scheduler step failed'); });
 * }, 15_000);
 */
import { failVanishedAgentRuns } from '../agents/vanished-runs.ts';
import { notifyFailedDryRun } from '../notifications/dry-run.ts';
import { deliverPendingEmails, type DeliveryReport } from '../notifications/outbox.ts';
import { failStaleRuns } from '../runs/claim.ts';
import { planDueRuns, type PlanResult } from './plan-due-runs.ts';
import { applyWatchdogFindings, runWatchdogs, type WatchdogOptions } from './watchdogs.ts';

import type { AppDb } from '../db/app-database.ts';
import type { NotifyOptions } from '../notifications/alerts.ts';
import type { Mailer } from '../notifications/mailer.ts';
import type { Run } from '../runs/run.ts';

export interface TickOptions extends WatchdogOptions {
  /** Null or absent when no SMTP server is configured: e-mails then wait in the outbox. */
  readonly mailer?: Mailer | null;
  readonly notify?: NotifyOptions;
  /** When set, running runs without a heartbeat for this long are failed (their worker died). */
  readonly staleAfterMs?: number;
}

export interface TickResult {
  readonly plan: PlanResult | null;
  readonly staleRuns: readonly Run[];
  readonly alerts: { readonly opened: number; readonly repeated: number; readonly resolved: number } | null;
  readonly email: DeliveryReport | null;
  /** Steps that failed, with why; the others ran. */
  readonly errors: readonly { readonly step: 'plan' | 'stale' | 'watchdogs' | 'email'; readonly message: string }[];
}

/**
 * Runs every step once; see the module comment.
 *
 * @example const result = await schedulerTick(db, new Date(), { mailer: createMailer(config) });
 */
export async function schedulerTick(db: AppDb, now: Date, options: TickOptions = {}): Promise<TickResult> {
  const errors: { step: 'plan' | 'stale' | 'watchdogs' | 'email'; message: string }[] = [];
  const step = async <T>(name: 'plan' | 'stale' | 'watchdogs' | 'email', fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (error) {
      errors.push({ step: name, message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };
  const notify = { ...options.notify, email: options.notify?.email ?? (options.mailer !== undefined && options.mailer !== null) };
  const plan = await step('plan', () =>
    planDueRuns(db, now, { ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }), notify }),
  );
  const staleAfterMs = options.staleAfterMs;
  // Runs held by local agents get the same heartbeat window, and a reason naming the agent.
  const vanished =
    staleAfterMs === undefined
      ? []
      : ((await step('stale', () => failVanishedAgentRuns(db, new Date(now.getTime() - staleAfterMs), now))) ?? []);
  const staleRuns =
    staleAfterMs === undefined
      ? []
      : [...vanished, ...((await step('stale', () => failStaleRuns(db, new Date(now.getTime() - staleAfterMs), { now }))) ?? [])];
  // A dry run failed here tells the person who started it, as one failed by its own worker does.
  for (const run of staleRuns) await step('stale', () => notifyFailedDryRun(db, run, now));
  const alerts = await step('watchdogs', async () => applyWatchdogFindings(db, await runWatchdogs(db, now, options), now, notify));
  const mailer = options.mailer;
  const email =
    mailer === undefined || mailer === null
      ? null
      : await step('email', () =>
          deliverPendingEmails(db, mailer, now, {
            publicUrl: options.notify?.publicUrl,
            ...(options.notify?.hourlyEmailCap === undefined ? {} : { hourlyCap: options.notify.hourlyEmailCap }),
          }),
        );
  return { plan, staleRuns, alerts, email, errors };
}
