/**
 * Local agents as the server knows them: enrolled by an admin with a bearer token shown once and
 * stored as a SHA-256 hash, revocable, each seeing only the Local integrations assigned to it.
 * An agent is online while its last request (a long-poll, a heartbeat) is recent.
 *
 * @example
 * const { token, agent } = await createAgent(db, { name: 'site-a', createdBy: user.id }, now);
 * const found = await resolveAgentToken(db, token, now); // the agent, or null once revoked
 */
import { randomUUID } from 'node:crypto';

import { hashSecretToken, newSecretToken } from '../accounts/secrets.ts';
import { isUniqueViolation } from '../db/errors.ts';

import type { Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { AgentsTable } from '../db/types-agents.ts';

export const agentTokenPrefix = 'nsa';

/**
 * An agent long-polls for work every 25 s or so and heartbeats every few seconds while it runs;
 * silence for this long means it is not running (stopped, crashed, or cut off).
 */
export const defaultAgentOfflineAfterMs = 90_000;

export interface Agent {
  readonly id: string;
  readonly name: string;
  readonly tokenHint: string;
  readonly version: string | null;
  readonly hostname: string | null;
  readonly createdAt: string;
  readonly enrolledAt: string | null;
  readonly lastSeenAt: string | null;
  readonly revokedAt: string | null;
}

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: 'name_taken' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

/** @example agentRowToAgent(row).lastSeenAt */
export function agentRowToAgent(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id,
    name: row.name,
    tokenHint: row.token_hint,
    version: row.version,
    hostname: row.hostname,
    createdAt: row.created_at,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  };
}

/** Online: not revoked, and seen within `offlineAfterMs` of `now`. */
export function isAgentOnline(
  agent: Pick<Agent, 'lastSeenAt' | 'revokedAt'>,
  now: Date,
  offlineAfterMs = defaultAgentOfflineAfterMs,
): boolean {
  if (agent.revokedAt !== null || agent.lastSeenAt === null) return false;
  return now.getTime() - new Date(agent.lastSeenAt).getTime() <= offlineAfterMs;
}

/** Adds an agent and answers its token, which is never shown again. */
export async function createAgent(
  db: AppDb,
  input: { readonly name: string; readonly createdBy: string | null },
  now: Date,
): Promise<{ token: string; agent: Agent }> {
  const { token, hash, hint } = newSecretToken(agentTokenPrefix);
  const row: Selectable<AgentsTable> = {
    id: randomUUID(),
    name: input.name,
    token_hash: hash,
    token_hint: hint,
    version: null,
    hostname: null,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    enrolled_at: null,
    last_seen_at: null,
    revoked_at: null,
  };
  try {
    await db.insertInto('agents').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AgentError('name_taken', `an agent named "${input.name}" exists already; choose another name`);
    throw error;
  }
  return { token, agent: agentRowToAgent(row) };
}

/**
 * A new token for an existing agent (live again if it was revoked); the old token stops working.
 * For `serve --demo` on the folder of an earlier demo, whose token was only ever stored hashed.
 */
export async function reissueAgentToken(db: AppDb, id: string, now: Date): Promise<string> {
  const { token, hash, hint } = newSecretToken(agentTokenPrefix);
  const result = await db
    .updateTable('agents')
    .set({ token_hash: hash, token_hint: hint, revoked_at: null, created_at: now.toISOString() })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AgentError('not_found', `no agent with id ${id}`);
  return token;
}

/**
 * The live agent a bearer token belongs to, stamped as seen now; null when the token is unknown or
 * revoked. The token itself is only hashed, never kept or logged.
 */
export async function resolveAgentToken(db: AppDb, token: string, now: Date): Promise<Agent | null> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('token_hash', '=', hashSecretToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return null;
  const seen = now.toISOString();
  await db.updateTable('agents').set({ last_seen_at: seen }).where('id', '=', row.id).execute();
  return agentRowToAgent({ ...row, last_seen_at: seen });
}

/** What the agent says about itself when it starts (first time: enrolled). */
export async function recordAgentHello(
  db: AppDb,
  id: string,
  input: { readonly version: string; readonly hostname: string },
  now: Date,
): Promise<Agent> {
  const row = await db
    .updateTable('agents')
    .set((eb) => ({
      version: input.version,
      hostname: input.hostname,
      last_seen_at: now.toISOString(),
      enrolled_at: eb.fn.coalesce('enrolled_at', eb.val(now.toISOString())),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new AgentError('not_found', `no agent with id ${id}`);
  return agentRowToAgent(row);
}

/** @example const agents = await listAgents(db); */
export async function listAgents(db: AppDb): Promise<Agent[]> {
  return (await db.selectFrom('agents').selectAll().orderBy('name').execute()).map(agentRowToAgent);
}

/** @example const agent = await getAgent(db, id); */
export async function getAgent(db: AppDb, id: string): Promise<Agent | null> {
  const row = await db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : agentRowToAgent(row);
}

/** True when a live agent was revoked; its token stops working on its next request. */
export async function revokeAgent(db: AppDb, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('agents')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The Local integrations assigned to an agent (enabled or not), by id and name. */
export async function agentIntegrations(
  db: AppDb,
  agentId: string,
): Promise<{ readonly id: string; readonly name: string; readonly enabled: boolean }[]> {
  const rows = await db
    .selectFrom('integrations')
    .select(['id', 'name', 'enabled'])
    .where('agent_id', '=', agentId)
    .where('installation', '=', 'local')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, enabled: Number(r.enabled) === 1 }));
}

/** The worker id an agent claims runs under, so a run says which agent holds it. */
export function agentWorkerId(agentId: string): string {
  return `agent:${agentId}`;
}
