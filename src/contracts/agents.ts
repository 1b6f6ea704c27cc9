/**
 * The local agents API for admins (`src/server/routes/agents.ts`): enroll an agent (its token is in
 * that answer only), list agents with their state, integrations and recent runs, revoke one.
 *
 * @example
 * const { token, agent } = await api.post('/api/agents', { body: { name: 'site-a' } });
 */
import { z } from 'zod';

import { defineContract, idParamsSchema } from './route-contract.ts';
import { runSchema } from './runs.ts';

export const agentSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  tokenHint: z.string().describe('the last four characters of the token'),
  version: z.string().nullable(),
  hostname: z.string().nullable(),
  createdAt: z.string(),
  enrolledAt: z.string().nullable().describe('when the agent first called in'),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  online: z.boolean(),
  integrations: z.array(z.strictObject({ id: z.string(), name: z.string(), enabled: z.boolean() })),
  recentRuns: z.array(runSchema),
});
export type AgentView = z.output<typeof agentSchema>;

export const createAgentBodySchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, spaces, dots, dashes and underscores, e.g. site-a'),
});

export const agentContracts = {
  list: defineContract({
    method: 'GET',
    url: '/api/agents',
    summary: 'List local agents with their state, integrations and recent runs',
    tags: ['agents'],
    response: z.strictObject({
      agents: z.array(agentSchema),
      serverUrl: z.string().describe('the address agents call: the public URL of this server (PUBLIC_URL)'),
    }),
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/agents/:id',
    summary: 'One local agent',
    tags: ['agents'],
    params: idParamsSchema,
    response: agentSchema,
  }),
  create: defineContract({
    method: 'POST',
    url: '/api/agents',
    summary: 'Enroll a local agent (its token is shown only in this answer)',
    description: 'Start the agent on its machine with `ninja-sync agent --server <this URL> --token <token>`.',
    tags: ['agents'],
    body: createAgentBodySchema,
    response: z.strictObject({
      token: z.string(),
      agent: agentSchema,
      command: z.string().describe('the command to run on the machine of the agent, token included'),
    }),
    status: 201,
  }),
  revoke: defineContract({
    method: 'DELETE',
    url: '/api/agents/:id',
    summary: "Revoke a local agent's token (its integrations stay assigned and wait for a new agent)",
    tags: ['agents'],
    params: idParamsSchema,
  }),
};
