/**
 * Runs: "Run now" and "Dry run" for an integration, the run list with filters, one run with its
 * counts, its records paged and filtered by outcome (and as CSV), and cancel.
 */
import { runContracts } from '../../contracts/runs.ts';
import { getIntegration } from '../../integrations/integration-store.ts';
import { IllegalRunTransitionError, RunNotFoundError } from '../../runs/errors.ts';
import { listRunRecords, type RunRecord } from '../../runs/run-records.ts';
import { createRun, getRun, listRuns, requestCancel } from '../../runs/run-store.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { runView, runViews } from '../run-view.ts';
import { integrationErrorToApi } from './integrations.ts';

import type { RouteKit } from '../route-kit.ts';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function recordsToCsv(records: readonly RunRecord[]): string {
  const header = ['seq', 'kind', 'outcome', 'label', 'source_id', 'destination_id', 'reason', 'changes'];
  const lines = records.map((r) =>
    [
      r.seq,
      r.kind,
      r.outcome,
      r.label,
      r.sourceId,
      r.destinationId,
      r.reason,
      r.changes.map((c) => `${c.field}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`).join('; '),
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

export interface RunsRouteOptions {
  /** Tells the worker there is work (after "Run now"). */
  readonly wake: () => void;
  /** Tells an in-process worker to stop a run now, instead of at its next heartbeat. */
  readonly cancel: (runId: string) => void;
}

export function createRunRoutes(options: RunsRouteOptions) {
  return function registerRunRoutes({ app, context, registry, authorize }: RouteKit): void {
    const { db, now } = context;
    defineRoute(app, registry, authorize, {
      ...runContracts.start,
      access: 'admin',
      handler: async ({ params, body, principal }) => {
        const integration = await getIntegration(db, params.id).catch(integrationErrorToApi);
        if (integration.document.installation === 'local') {
          // Queued for its agent, which takes it on its next long-poll; the server never runs it.
          const agent = await db
            .selectFrom('integrations as i')
            .leftJoin('agents as a', 'a.id', 'i.agent_id')
            .select(['a.name', 'a.revoked_at'])
            .where('i.id', '=', integration.id)
            .executeTakeFirst();
          if (agent === undefined) throw notFound('integration', `${integration.id} (it was deleted meanwhile)`);
          if (!agent.name || agent.revoked_at !== null)
            throw new ApiError(
              409,
              'no_agent',
              `this Local integration has no live agent to run it${agent?.name ? ` (the agent "${agent.name}" was revoked)` : ''}; assign it to an enrolled agent first`,
            );
        }
        const run = await createRun(db, {
          integrationId: integration.id,
          integrationName: integration.name,
          trigger: principal?.kind === 'token' ? 'api' : 'manual',
          dryRun: body.dryRun,
          ...(principal?.kind === 'token'
            ? { startedBy: { words: principal.token.name } }
            : principal?.kind === 'session'
              ? { startedBy: { words: principal.user.email, userId: principal.user.id } }
              : {}),
          now: now(),
        });
        options.wake();
        return runView(db, run);
      },
    });

    defineRoute(app, registry, authorize, {
      ...runContracts.list,
      access: 'viewer',
      handler: async ({ query }) => {
        const runs = await listRuns(db, {
          limit: query.limit,
          ...(query.integrationId ? { integrationId: query.integrationId } : {}),
          ...(query.state ? { state: query.state } : {}),
          ...(query.before ? { before: query.before } : {}),
        }).catch((error: unknown) => {
          if (error instanceof RunNotFoundError)
            throw new ApiError(
              400,
              'validation_failed',
              `before: no run with id ${query.before}; pass the id of a listed run (the "next" of the previous page)`,
              {
                fields: [{ path: 'before', message: 'no run with this id' }],
              },
            );
          throw error;
        });
        return { runs: await runViews(db, runs), next: runs.length === query.limit ? runs.at(-1)!.id : null };
      },
    });

    defineRoute(app, registry, authorize, {
      ...runContracts.get,
      access: 'viewer',
      handler: async ({ params }) => {
        const run = await getRun(db, params.id);
        if (!run) throw notFound('run', params.id);
        return runView(db, run);
      },
    });

    defineRoute(app, registry, authorize, {
      ...runContracts.records,
      access: 'viewer',
      handler: async ({ params, query }) => {
        if (!(await getRun(db, params.id))) throw notFound('run', params.id);
        const page = await listRunRecords(db, params.id, {
          limit: query.limit,
          offset: query.offset,
          ...(query.outcome ? { outcome: query.outcome } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.search ? { search: query.search } : {}),
        });
        return {
          records: page.records.map((r) => ({ ...r, changes: [...r.changes] })),
          total: page.total,
          limit: query.limit,
          offset: query.offset,
        };
      },
    });

    defineRoute(app, registry, authorize, {
      ...runContracts.recordsCsv,
      access: 'viewer',
      handler: async ({ params, query, reply }) => {
        if (!(await getRun(db, params.id))) throw notFound('run', params.id);
        const all: RunRecord[] = [];
        for (let offset = 0; ; offset += 1000) {
          const page = await listRunRecords(db, params.id, {
            limit: 1000,
            offset,
            ...(query.outcome ? { outcome: query.outcome } : {}),
            ...(query.kind ? { kind: query.kind } : {}),
            ...(query.search ? { search: query.search } : {}),
          });
          all.push(...page.records);
          if (page.records.length < 1000) break;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="run-${params.id}.csv"`)
          .send(recordsToCsv(all));
      },
    });

    defineRoute(app, registry, authorize, {
      ...runContracts.cancel,
      access: 'admin',
      handler: async ({ params }) => {
        try {
          const run = await requestCancel(db, params.id, { now: now() });
          options.cancel(run.id);
          return runView(db, run);
        } catch (error) {
          if (error instanceof RunNotFoundError) throw notFound('run', params.id);
          if (error instanceof IllegalRunTransitionError)
            throw new ApiError(409, 'run_finished', 'the run has finished already; there is nothing to cancel');
          throw error;
        }
      },
    });
  };
}
