/**
 * The emulator's admin API under `/__admin`: kept apart from the vendor API, no vendor auth, and
 * exempt from the knobs, so a test can always reach it. Errors use the project's own shape
 * `{ error: { code, message } }`.
 *
 * Routes:
 * - `GET|PUT /__admin/knobs`: latency, rate limits and faults (PUT merges the given settings).
 * - `GET|DELETE /__admin/requests`: the request log.
 * - `GET|PUT /__admin/world`: the whole data world (PUT validates and replaces it).
 * - `POST /__admin/users`, `PATCH|DELETE /__admin/users/:id`: change users between runs.
 * - `GET /__admin/client-apps`, `POST /__admin/client-apps/:clientId/redirect-uris` `{ uri }`.
 * - `POST /__admin/tokens/expire`: force every access token to expire now.
 *
 * @example
 * await fetch(`${url}/__admin/knobs`, { method: 'PUT', body: JSON.stringify({ latencyMs: 50 }), headers: { 'content-type': 'application/json' } });
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

import { faultKinds } from '../common/knobs.ts';
import { WorldValidationError } from '../common/world.ts';
import { validateWorld } from '../common/world-validate.ts';

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { createKnobs, FaultRule } from '../common/knobs.ts';
import type { NinjaOneWorld, WorldUser } from '../common/world.ts';
import type { ClientApp } from './client-apps.ts';
import type { OAuthStore } from './oauth-store.ts';

export interface AdminOptions {
  knobs: ReturnType<typeof createKnobs>;
  world: NinjaOneWorld;
  store: OAuthStore;
  apps: readonly ClientApp[];
  addRedirectUri(clientId: string, uri: string): void;
}

const faultSchema = z
  .object({
    kind: z.enum(faultKinds),
    method: z.string().optional(),
    path: z.string().optional(),
    probability: z.number().min(0).max(1).optional(),
    times: z.number().int().min(1).optional(),
    after: z.number().int().min(0).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .strict();

const knobsSchema = z
  .object({
    latencyMs: z.number().min(0),
    jitterMs: z.number().min(0),
    ratePerSecond: z.number().int().min(0),
    maxConcurrent: z.number().int().min(0),
    retryAfterSeconds: z.number().int().min(0),
    faults: z.array(faultSchema),
  })
  .partial()
  .strict();

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'invalid body';
}

export async function adminRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { knobs, world, store } = options;

  app.setErrorHandler(async function adminError(error: Error & { statusCode?: number }, _request, reply) {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return fail(reply, status, status === 500 ? 'internal' : 'invalid_body', error.message);
  });

  app.get('/knobs', async () => knobs.settings);
  app.put('/knobs', async function putKnobs(request, reply) {
    const parsed = knobsSchema.safeParse(request.body);
    if (!parsed.success) return fail(reply, 400, 'invalid_knobs', zodMessage(parsed.error));
    const { faults, ...rest } = parsed.data;
    Object.assign(knobs.settings, rest);
    if (faults)
      knobs.settings.faults = faults.map(
        (fault) => Object.fromEntries(Object.entries(fault).filter(([, value]) => value !== undefined)) as unknown as FaultRule,
      );
    return knobs.settings;
  });

  app.get('/requests', async () => knobs.log);
  app.delete('/requests', async (_request, reply) => {
    knobs.clearLog();
    return reply.code(204).send();
  });

  app.get('/world', async () => world);
  app.put('/world', { bodyLimit: 200 * 1024 * 1024 }, async function putWorld(request, reply) {
    try {
      replaceWorld(world, validateWorld(request.body, 'world'));
      return {
        organizations: world.organizations.length,
        roles: world.roles.length,
        users: world.users.length,
        devices: world.devices.length,
      };
    } catch (error) {
      if (error instanceof WorldValidationError) return fail(reply, 400, 'invalid_world', error.message);
      throw error;
    }
  });

  app.post('/users', async function createUser(request, reply) {
    const body = (request.body ?? {}) as Partial<WorldUser>;
    const id = body.id ?? world.users.reduce((max, user) => Math.max(max, user.id), 0) + 1;
    const user: WorldUser = { ...newUserDefaults(world, body.userType ?? 'END_USER'), ...body, id };
    return tryChange(reply, { ...world, users: [...world.users, user] }, () =>
      reply.code(201).send(world.users.find((entry) => entry.id === id)),
    );
  });

  app.patch('/users/:id', async function patchUser(request, reply) {
    const id = Number((request.params as { id: string }).id);
    const index = world.users.findIndex((user) => user.id === id);
    if (index < 0) return fail(reply, 404, 'user_not_found', `No user with id ${String(id)}`);
    const patch = (request.body ?? {}) as Partial<WorldUser>;
    const users = [...world.users];
    users[index] = { ...users[index]!, ...patch, id };
    return tryChange(reply, { ...world, users }, () => world.users[index]);
  });

  app.delete('/users/:id', async function deleteUser(request, reply) {
    const id = Number((request.params as { id: string }).id);
    const user = world.users.find((entry) => entry.id === id);
    if (!user) return fail(reply, 404, 'user_not_found', `No user with id ${String(id)}`);
    world.users = world.users.filter((entry) => entry !== user);
    for (const device of world.devices) if (device.assignedOwnerUid === user.uid) device.assignedOwnerUid = null;
    return reply.code(204).send();
  });

  app.get('/client-apps', async () => options.apps);
  app.post('/client-apps/:clientId/redirect-uris', async function addRedirect(request, reply) {
    const { clientId } = request.params as { clientId: string };
    const uri = (request.body as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string' || !URL.canParse(uri)) return fail(reply, 400, 'invalid_uri', 'Send { "uri": "<absolute redirect URI>" }');
    if (!options.apps.some((candidate) => candidate.clientId === clientId))
      return fail(reply, 404, 'client_not_found', `No client app ${clientId}`);
    options.addRedirectUri(clientId, uri);
    return options.apps.find((candidate) => candidate.clientId === clientId);
  });

  app.post('/tokens/expire', async () => ({ expired: store.expireAllAccessTokens() }));

  function tryChange(reply: FastifyReply, candidate: NinjaOneWorld, answer: () => unknown): unknown {
    try {
      replaceWorld(world, validateWorld(candidate, 'world'));
    } catch (error) {
      if (error instanceof WorldValidationError) return fail(reply, 400, 'invalid_user', error.message);
      throw error;
    }
    return answer();
  }
}

function newUserDefaults(world: NinjaOneWorld, userType: WorldUser['userType']): Omit<WorldUser, 'id'> {
  return {
    uid: randomUUID(),
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    enabled: true,
    administrator: false,
    permitAllClients: false,
    notifyAllClients: false,
    mustChangePw: false,
    mfaConfigured: false,
    userType,
    invitationStatus: 'REGISTERED',
    organizationId: userType === 'END_USER' ? (world.organizations[0]?.id ?? null) : null,
    deviceIds: [],
    roleIds: [],
  };
}

/** Swaps the world's contents in place, so every holder of the world object sees the new data. */
export function replaceWorld(target: NinjaOneWorld, source: NinjaOneWorld): void {
  target.organizations = source.organizations;
  target.roles = source.roles;
  target.users = source.users;
  target.devices = source.devices;
}
