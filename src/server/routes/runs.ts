/**
 * Runs: "Run now" and "Dry run" for an integration, the run list with filters, one run with its
 * counts, its records paged and filtered by outcome (and as CSV), and cancel.
 */
import { z } from 'zod';

import { getIntegration } from '../../integrations/integration-store.ts';
import { IllegalRunTransitionError, RunNotFoundError } from '../../runs/errors.ts';
import { listRunRecords, type RunRecord } from '../../runs/run-records.ts';
import { createRun, getRun, listRuns, requestCancel } from '../../runs/run-store.ts';
import { recordOutcomes, runStates } from '../../sync/ports.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { integrationErrorToApi } from './integrations.ts';

import type { Run } from '../../runs/run.ts';
import type { RouteKit } from '../app.ts';

const countsSchema = z.strictObject({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  skipped: z.number(),
  failed: z.number(),
});

export const runSchema = z.strictObject({
  id: z.string(),
  integrationId: z.string().nullable(),
  integrationName: z.string(),
  state: z.enum(runStates),
  dryRun: z.boolean(),
  trigger: z.enum(['manual', 'schedule', 'cli', 'api']),
  counts: countsSchema,
  saasCounts: countsSchema,
  phase: z.string().nullable(),
  phaseTotal: z.number().nullable(),
  error: z.string().nullable(),
  fuseReason: z.string().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  workerId: z.string().nullable(),
  cancelRequested: z.boolean(),
});

export const runRecordSchema = z.strictObject({
  seq: z.number(),
  kind: z.enum(['user', 'saas']),
  sourceId: z.string().nullable(),
  label: z.string(),
  outcome: z.enum(recordOutcomes),
  reason: z.string().nullable(),
  destinationId: z.string().nullable(),
  changes: z.array(z.strictObject({ field: z.string(), old: z.unknown(), new: z.unknown() })),
});

const toApi = (run: Run): z.input<typeof runSchema> => ({ ...run, counts: { ...run.counts }, saasCounts: { ...run.saasCounts } });

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
    const idParams = z.strictObject({ id: z.string().min(1) });

    defineRoute(app, registry, authorize, {
      method: 'POST',
      url: '/api/integrations/:id/runs',
      summary: 'Run now, or dry run (the plan, record by record, with zero writes)',
      tags: ['runs'],
      access: 'admin',
      params: idParams,
      body: z.strictObject({ dryRun: z.boolean().default(false) }),
      response: runSchema,
      status: 202,
      handler: async ({ params, body, principal }) => {
        const integration = await getIntegration(db, params.id).catch(integrationErrorToApi);
        if (integration.document.installation === 'local') {
          throw new ApiError(
            409,
            'local_installation',
            'this integration is installed locally: its runs are taken by its local agent (`ninja-sync agent`), which holds the credentials',
          );
        }
        const run = await createRun(db, {
          integrationId: integration.id,
          integrationName: integration.name,
          trigger: principal?.kind === 'token' ? 'api' : 'manual',
          dryRun: body.dryRun,
          now: now(),
        });
        options.wake();
        return toApi(run);
      },
    });

    defineRoute(app, registry, authorize, {
      method: 'GET',
      url: '/api/runs',
      summary: 'Runs, newest first, a page at a time',
      tags: ['runs'],
      access: 'viewer',
      query: z.strictObject({
        integrationId: z.string().optional(),
        state: z.union([z.enum(runStates), z.array(z.enum(runStates))]).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        before: z.string().optional().describe('the id of the last run of the previous page'),
      }),
      response: z.strictObject({ runs: z.array(runSchema), next: z.string().nullable() }),
      handler: async ({ query }) => {
        const runs = await listRuns(db, {
          limit: query.limit,
          ...(query.integrationId ? { integrationId: query.integrationId } : {}),
          ...(query.state ? { state: query.state } : {}),
          ...(query.before ? { before: query.before } : {}),
        });
        return { runs: runs.map(toApi), next: runs.length === query.limit ? runs.at(-1)!.id : null };
      },
    });

    defineRoute(app, registry, authorize, {
      method: 'GET',
      url: '/api/runs/:id',
      summary: 'One run with its counts',
      tags: ['runs'],
      access: 'viewer',
      params: idParams,
      response: runSchema,
      handler: async ({ params }) => {
        const run = await getRun(db, params.id);
        if (!run) throw notFound('run', params.id);
        return toApi(run);
      },
    });

    const recordsQuery = z.strictObject({
      outcome: z.enum(recordOutcomes).optional(),
      kind: z.enum(['user', 'saas']).optional(),
      search: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    });

    defineRoute(app, registry, authorize, {
      method: 'GET',
      url: '/api/runs/:id/records',
      summary: "A run's records, filtered by outcome or text, a page at a time",
      tags: ['runs'],
      access: 'viewer',
      params: idParams,
      query: recordsQuery,
      response: z.strictObject({ records: z.array(runRecordSchema), total: z.number(), limit: z.number(), offset: z.number() }),
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
      method: 'GET',
      url: '/api/runs/:id/records.csv',
      summary: "A run's records as CSV (same filters, every page)",
      tags: ['runs'],
      access: 'viewer',
      params: idParams,
      query: recordsQuery.omit({ limit: true, offset: true }),
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
      method: 'POST',
      url: '/api/runs/:id/cancel',
      summary: 'Cancel a queued or running run (a running one stops at its next safe point)',
      tags: ['runs'],
      access: 'admin',
      params: idParams,
      response: runSchema,
      handler: async ({ params }) => {
        try {
          const run = await requestCancel(db, params.id, { now: now() });
          options.cancel(run.id);
          return toApi(run);
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
