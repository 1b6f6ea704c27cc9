/**
 * A failed dry run tells the person who started it, in their inbox: the plan they asked for did
 * not come, and why. Only them, and no e-mail: a dry run writes nothing and its failure is not an
 * outage, so the integration's contacts hear nothing and its alerts stay as they are (a dry run
 * neither raises nor resolves "a run failed"; see `checkFinishedRuns`).
 *
 * @example
 * await notifyFailedDryRun(db, run, now);
 */
import { randomUUID } from 'node:crypto';

import { redactText } from '../http/redact.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Run } from '../runs/run.ts';

/** True when a notification was added (a failed dry run started by a person who can still sign in). */
export async function notifyFailedDryRun(
  db: AppDb,
  run: Pick<Run, 'id' | 'dryRun' | 'state' | 'error' | 'fuseReason' | 'integrationName' | 'startedByUserId'>,
  now: Date,
): Promise<boolean> {
  if (!run.dryRun || run.state !== 'failed' || run.startedByUserId === null) return false;
  const person = await db
    .selectFrom('app_users')
    .select('id')
    .where('id', '=', run.startedByUserId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (person === undefined) return false;
  const why = run.error ?? run.fuseReason;
  await db
    .insertInto('notifications')
    .values({
      id: randomUUID(),
      user_id: person.id,
      alert_id: null,
      kind: 'alert',
      title: `${run.integrationName}: the dry run failed`,
      body: why === null ? 'The dry run failed before it had a plan. Open it for the details.' : `The dry run failed: ${redactText(why)}`,
      link: `/runs/${run.id}`,
      created_at: now.toISOString(),
      read_at: null,
    })
    .execute();
  return true;
}
