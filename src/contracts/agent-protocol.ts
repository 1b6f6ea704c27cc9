/**
 * The conversation between `ninja-sync agent` and the server, as zod contracts both sides read: the
 * server validates requests with them, the agent validates answers. All of it goes from the agent
 * to the server (no inbound port at the customer), with `Authorization: Bearer nsa_…`.
 *
 * 1. `POST /api/agent/hello` — who I am (version, host); answers the agent's name and the beats.
 * 2. `GET /api/agent/integrations` — the definitions of its Local integrations (no secrets: the
 *    documents name the variables the agent holds them in).
 * 3. `POST /api/agent/claim?waitMs=25000` — long-poll: a due or queued run of its integrations
 *    (200) or none within the wait (204). When the integration's `offboarding.policy` is `suspend`,
 *    the answer also carries its user links (`links`: which Oomnitza user each NinjaOne user is, as
 *    the server keeps them from every run's reported outcomes), so the agent's run suspends and
 *    unsuspends exactly as a Cloud run does; otherwise `links` is absent (the agent needs none).
 * 4. `POST /api/agent/runs/:id/heartbeat` — alive, with the phase; answers whether to go on.
 * 5. `POST /api/agent/runs/:id/records` — per-record outcomes in numbered batches; a batch sent
 *    again is recognised (`duplicate`) and never counted twice.
 * 6. `POST /api/agent/runs/:id/finish` — the end state and counts; sending it again is harmless.
 *
 * The agent validates every answer with the same schemas (`src/agent/server-client.ts`).
 *
 * Versions: both sides parse strictly, so an optional part of an answer reaches only an agent that
 * says it reads it, in the `Ninja-Sync-Agent-Reads` header (`links`); an older agent sends none,
 * and a claim it could not run as asked (a `suspend` policy without links) is failed on the server
 * with a message that says to update the agent, never handed over to be refused or ignored. A
 * header, because an older server refuses unknown query and body fields but ignores headers.
 *
 * @example
 * defineRoute(app, registry, authorizeAgent, { ...agentProtocolContracts.claim, access: 'public', handler });
 * const answer = agentProtocolContracts.claim.response.parse(await response.json());
 */
import { z } from 'zod';

import { integrationSchema } from '../integrations/schema.ts';
import { recordOutcomes, runPhases, runStates, terminalRunStates } from '../sync/ports.ts';
import { defineContract } from './route-contract.ts';

import type { UserLink } from '../sync/ports.ts';

export const agentPaths = {
  hello: '/api/agent/hello',
  integrations: '/api/agent/integrations',
  claim: '/api/agent/claim',
  heartbeat: (runId: string) => `/api/agent/runs/${encodeURIComponent(runId)}/heartbeat`,
  records: (runId: string) => `/api/agent/runs/${encodeURIComponent(runId)}/records`,
  finish: (runId: string) => `/api/agent/runs/${encodeURIComponent(runId)}/finish`,
} as const;

export const helloBodySchema = z.strictObject({
  version: z.string().min(1).max(50),
  hostname: z.string().min(1).max(255),
});

export const helloAnswerSchema = z.strictObject({
  agent: z.strictObject({ id: z.string(), name: z.string() }),
  /** How often to heartbeat a running run. */
  heartbeatMs: z.number().int().positive(),
  /** How long one claim may wait for work. */
  claimWaitMs: z.number().int().positive(),
});

export const agentIntegrationSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  updatedAt: z.string(),
  document: integrationSchema,
});
export type AgentIntegration = z.output<typeof agentIntegrationSchema>;

export const integrationsAnswerSchema = z.strictObject({ integrations: z.array(agentIntegrationSchema) });

export const claimQuerySchema = z.strictObject({
  waitMs: z.coerce.number().int().min(0).max(60_000).default(25_000),
});

/** The header in which an agent names the optional answer parts it reads, comma-separated. */
export const agentReadsHeader = 'ninja-sync-agent-reads';
/** What this agent reads: `links` in a claim answer. */
export const agentReads = ['links'] as const;
export type AgentReads = (typeof agentReads)[number];

/** The optional parts an agent's `Ninja-Sync-Agent-Reads` header names (unknown names ignored). */
export function agentReadsOf(header: string | readonly string[] | undefined): ReadonlySet<AgentReads> {
  const names = (typeof header === 'string' ? [header] : (header ?? [])).flatMap((value) => value.split(','));
  return new Set(agentReads.filter((known) => names.some((name) => name.trim().toLowerCase() === known)));
}

/** Links a claim carries at most (about 150 bytes each: an answer of 15 MB at worst). */
export const maxClaimLinks = 100_000;
/** A link's label is only to name a user who left; the server cuts a longer one to this. */
export const maxLinkLabel = 500;

export const userLinkSchema = z.strictObject({
  oomnitzaUid: z.string().min(1).max(200),
  ninjaoneUid: z.string().min(1).max(200),
  ninjaoneId: z.string().max(200),
  label: z.string().max(maxLinkLabel),
  suspended: z.boolean(),
}) satisfies z.ZodType<UserLink>;

export const claimAnswerSchema = z.strictObject({
  run: z.strictObject({
    id: z.string(),
    integrationId: z.string(),
    dryRun: z.boolean(),
    trigger: z.string(),
    queuedAt: z.string(),
  }),
  integration: agentIntegrationSchema,
  /**
   * The integration's user links, only when its `offboarding.policy` is `suspend` and the agent
   * reads them (see `agentReadsHeader`); absent otherwise.
   */
  links: z.array(userLinkSchema).max(maxClaimLinks).optional(),
});
export type ClaimAnswer = z.output<typeof claimAnswerSchema>;

export const heartbeatBodySchema = z.strictObject({
  phase: z.enum(runPhases).optional(),
  phaseTotal: z.number().int().min(0).nullable().optional(),
});

export const heartbeatAnswerSchema = z.strictObject({
  /** False once the run was finished, canceled or failed on the server: stop it. */
  running: z.boolean(),
  state: z.enum(runStates),
  cancelRequested: z.boolean(),
});
export type HeartbeatAnswer = z.output<typeof heartbeatAnswerSchema>;

export const recordOutcomeSchema = z.strictObject({
  sourceId: z.string().nullable(),
  label: z.string(),
  kind: z.enum(['user', 'saas']),
  outcome: z.enum(recordOutcomes),
  reason: z.string().nullable(),
  destinationId: z.string().nullable(),
  changes: z.array(z.strictObject({ field: z.string(), old: z.unknown(), new: z.unknown() })),
  /** The NinjaOne uid, from which the server keeps the integration's user links (absent from older agents). */
  sourceUid: z.string().max(200).nullable().optional(),
});

/** Records per batch at most (the body stays well under the server's 2 MB limit). */
export const maxBatchRecords = 1000;

export const recordsBodySchema = z.strictObject({
  /** 1, 2, 3 … within the run; the same number again is a resend. */
  batch: z.number().int().min(1),
  records: z.array(recordOutcomeSchema).max(maxBatchRecords),
});

export const recordsAnswerSchema = z.strictObject({
  batch: z.number().int(),
  outcome: z.enum(['stored', 'duplicate']),
  records: z.number().int(),
});

const countsSchema = z.strictObject({
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  skipped: z.number().int().min(0),
  /** Sent by agents since 0006; an older agent counted its filtered records as skipped. */
  filtered: z.number().int().min(0).default(0),
  failed: z.number().int().min(0),
  // Offboarding's outcomes; an agent older than them sends none.
  suspended: z.number().int().min(0).default(0),
  unsuspended: z.number().int().min(0).default(0),
});

export const finishBodySchema = z.strictObject({
  state: z.enum(terminalRunStates),
  /** Absent when the run never started syncing: the reported records say all. */
  counts: countsSchema.optional(),
  saasCounts: countsSchema.optional(),
  error: z.string().max(20_000).nullable(),
  fuseReason: z.string().max(20_000).nullable(),
});
export type FinishBody = z.output<typeof finishBodySchema>;

export const finishAnswerSchema = z.strictObject({
  /** The run's state as stored: the one sent, or the server's own verdict if it ended the run first. */
  state: z.enum(runStates),
});

const runParams = z.strictObject({ id: z.string().min(1) });
const tags = ['agent protocol'];

export const agentProtocolContracts = {
  hello: defineContract({
    method: 'POST',
    url: agentPaths.hello,
    summary: 'Agent: say who I am (enrolls on the first call)',
    tags,
    body: helloBodySchema,
    response: helloAnswerSchema,
  }),
  integrations: defineContract({
    method: 'GET',
    url: agentPaths.integrations,
    summary: "Agent: the definitions of its Local integrations (no secrets, only their variables' names)",
    tags,
    response: integrationsAnswerSchema,
  }),
  claim: defineContract({
    method: 'POST',
    url: agentPaths.claim,
    summary: 'Agent: long-poll for a due or queued run of its integrations (204 when none came within the wait)',
    description:
      "With offboarding.policy suspend the answer carries the integration's user links, for an agent that names `links` in its Ninja-Sync-Agent-Reads header; a claim from an older agent fails such a run with a message to update the agent.",
    tags,
    query: claimQuerySchema,
    response: claimAnswerSchema,
  }),
  heartbeat: defineContract({
    method: 'POST',
    url: '/api/agent/runs/:id/heartbeat',
    summary: 'Agent: the run is alive (and in this phase); answers whether to go on',
    tags,
    params: runParams,
    body: heartbeatBodySchema,
    response: heartbeatAnswerSchema,
  }),
  records: defineContract({
    method: 'POST',
    url: '/api/agent/runs/:id/records',
    summary: 'Agent: one numbered batch of per-record outcomes (a resend is recognised, never counted twice)',
    tags,
    params: runParams,
    body: recordsBodySchema,
    response: recordsAnswerSchema,
  }),
  finish: defineContract({
    method: 'POST',
    url: '/api/agent/runs/:id/finish',
    summary: "Agent: the run's end state and counts (sending it again is harmless)",
    tags,
    params: runParams,
    body: finishBodySchema,
    response: finishAnswerSchema,
  }),
};
