/**
 * The heartbeat window for runs held by local agents: a running run whose agent has not
 * heartbeated for the window is failed, with a reason that names the agent. The agent may have
 * been stopped, killed, or cut off from the server; either way nobody is running the run any more.
 * If the agent comes back, the server refuses its reports for that run (it is no longer running)
 * and the agent drops it; a rerun is safe, sync keys keep it from writing anything twice.
 *
 * @example
 * const failed = await failVanishedAgentRuns(db, new Date(Date.now() - 60_000), new Date());
 */
import { rowToRun } from '../runs/run.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Run } from '../runs/run.ts';

/** @example await failVanishedAgentRuns(db, cutoff, now) */
export async function failVanishedAgentRuns(db: AppDb, olderThan: Date, now: Date): Promise<Run[]> {
  const cutoff = olderThan.toISOString();
  const stale = await db
    .selectFrom('runs')
    .select(['id', 'heartbeat_at', 'worker_id'])
    .where('state', '=', 'running')
    .where('worker_id', 'like', 'agent:%')
    .where((eb) => eb.or([eb('heartbeat_at', '<', cutoff), eb.and([eb('heartbeat_at', 'is', null), eb('started_at', '<', cutoff)])]))
    .execute();
  const failed: Run[] = [];
  for (const row of stale) {
    const agentId = (row.worker_id ?? '').slice('agent:'.length);
    const found = await db.selectFrom('agents').select('name').where('id', '=', agentId).executeTakeFirst();
    const agent = found === undefined ? 'its local agent' : `the agent "${found.name}"`;
    const since = row.heartbeat_at ?? cutoff;
    const updated = await db
      .updateTable('runs')
      .set({
        state: 'failed',
        phase: 'done',
        finished_at: now.toISOString(),
        error: `The run's agent vanished: ${agent} sent no heartbeat since ${since}; it was stopped, crashed or lost its connection to the server. Check that ninja-sync agent is running on its machine, then run the integration again: a rerun is safe, sync keys keep it from writing anything twice.`,
      })
      .where('id', '=', row.id)
      .where('state', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (updated !== undefined) failed.push(rowToRun(updated));
  }
  return failed;
}
