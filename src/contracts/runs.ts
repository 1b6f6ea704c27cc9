/**
 * The runs API (`src/server/routes/runs.ts`): "Run now" and "Dry run", the run list, one run with
 * its counts, its records (paged, filtered, or as CSV) and cancel.
 *
 * @example
 * const { runs, next } = await api.get('/api/runs', { query: { integrationId, limit: 50 } });
 */
import { z } from 'zod';

import { recordOutcomes, runStates } from '../sync/ports.ts';
import { defineContract, idParamsSchema } from './route-contract.ts';

const countsSchema = z.strictObject({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  /** No sync-key value, the preference, or a cancel: the run did not act on the record. */
  skipped: z.number(),
  /** Dropped by one of the integration's filter rules, on purpose. */
  filtered: z.number(),
  failed: z.number(),
  suspended: z.number(),
  unsuspended: z.number(),
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
  startedBy: z.string().describe('who started it, in words: an e-mail, "the schedule", "API token "ci"", "the command line"'),
  agentName: z.string().nullable().describe('the local agent that ran it, if any'),
});
export type RunView = z.output<typeof runSchema>;

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
export type RunRecordView = z.output<typeof runRecordSchema>;

const recordsQuerySchema = z.strictObject({
  outcome: z.enum(recordOutcomes).optional(),
  kind: z.enum(['user', 'saas']).optional(),
  search: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const runContracts = {
  start: defineContract({
    method: 'POST',
    url: '/api/integrations/:id/runs',
    summary: 'Run now, or dry run (the plan, record by record, with zero writes)',
    tags: ['runs'],
    params: idParamsSchema,
    body: z.strictObject({ dryRun: z.boolean().default(false) }),
    response: runSchema,
    status: 202,
  }),
  list: defineContract({
    method: 'GET',
    url: '/api/runs',
    summary: 'Runs, newest first, a page at a time',
    tags: ['runs'],
    query: z.strictObject({
      integrationId: z.string().optional(),
      state: z.union([z.enum(runStates), z.array(z.enum(runStates))]).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      before: z.string().optional().describe('the id of the last run of the previous page'),
    }),
    response: z.strictObject({ runs: z.array(runSchema), next: z.string().nullable() }),
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/runs/:id',
    summary: 'One run with its counts',
    tags: ['runs'],
    params: idParamsSchema,
    response: runSchema,
  }),
  records: defineContract({
    method: 'GET',
    url: '/api/runs/:id/records',
    summary: "A run's records, filtered by outcome or text, a page at a time",
    tags: ['runs'],
    params: idParamsSchema,
    query: recordsQuerySchema,
    response: z.strictObject({ records: z.array(runRecordSchema), total: z.number(), limit: z.number(), offset: z.number() }),
  }),
  /** Answers CSV, not JSON: a download link, not a client call. */
  recordsCsv: defineContract({
    method: 'GET',
    url: '/api/runs/:id/records.csv',
    summary: "A run's records as CSV (same filters, every page)",
    tags: ['runs'],
    params: idParamsSchema,
    query: recordsQuerySchema.omit({ limit: true, offset: true }),
  }),
  cancel: defineContract({
    method: 'POST',
    url: '/api/runs/:id/cancel',
    summary: 'Cancel a queued or running run (a running one stops at its next safe point)',
    tags: ['runs'],
    params: idParamsSchema,
    response: runSchema,
  }),
};
