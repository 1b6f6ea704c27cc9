/**
 * A run as the API answers it: the stored run plus who started it in words ("it@acme.example",
 * "the schedule", "API token "ci"", "the command line") and the local agent that ran it, if any.
 * Shared by the runs and agents routes so every screen says the same.
 *
 * @example
 * return runViews(db, await listRuns(db, { limit: 50 }));
 */
import type { RunView } from '../contracts/runs.ts';
import type { AppDb } from '../db/app-database.ts';
import type { Run } from '../runs/run.ts';

const agentPrefix = 'agent:';

/** Who started the run, in the words a screen shows. */
export function startedByWords(run: Pick<Run, 'trigger' | 'startedBy'>): string {
  switch (run.trigger) {
    case 'schedule':
      return 'the schedule';
    case 'cli':
      return 'the command line';
    case 'api':
      return run.startedBy === null ? 'an API token' : `API token "${run.startedBy}"`;
    case 'manual':
      return run.startedBy ?? 'a person';
  }
}

export async function runViews(db: AppDb, runs: readonly Run[]): Promise<RunView[]> {
  const agentIds = [...new Set(runs.flatMap((r) => (r.workerId?.startsWith(agentPrefix) ? [r.workerId.slice(agentPrefix.length)] : [])))];
  const agents = agentIds.length === 0 ? [] : await db.selectFrom('agents').select(['id', 'name']).where('id', 'in', agentIds).execute();
  const names = new Map(agents.map((a) => [a.id, a.name]));
  return runs.map((run) => {
    const { startedBy: _raw, startedByUserId: _user, ...rest } = run;
    const agentId = run.workerId?.startsWith(agentPrefix) ? run.workerId.slice(agentPrefix.length) : null;
    return {
      ...rest,
      counts: { ...run.counts },
      saasCounts: { ...run.saasCounts },
      startedBy: startedByWords(run),
      agentName: agentId === null ? null : (names.get(agentId) ?? 'a removed agent'),
    };
  });
}

export async function runView(db: AppDb, run: Run): Promise<RunView> {
  return (await runViews(db, [run]))[0]!;
}
