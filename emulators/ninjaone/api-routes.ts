/**
 * The NinjaOne API v2 endpoints a user sync reads (reference §4–§6), registered once under `/v2`
 * and once under the `/api/v2` alias. Bearer auth runs first and answers with the auth layer's
 * own error bodies (§9); `/v2/users` and end users are bare, unpaged arrays; organisations and
 * locations and devices page by `pageSize` and `after` (ids ascending, `id > after`).
 *
 * @example
 * await app.register(apiRoutes, { prefix: '/v2', world, store });
 */
import { appError, authErrors } from './errors.ts';
import { apiDevice, apiLocation, apiOrganization, apiUser, worldView } from './serialize.ts';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NinjaOneWorld, WorldUser } from '../common/world.ts';
import type { AccessToken, OAuthStore } from './oauth-store.ts';

export interface ApiOptions {
  world: NinjaOneWorld;
  store: OAuthStore;
}

/** A query parameter NinjaOne would refuse; answered as a 400 application-layer error. */
class BadParameterError extends Error {
  override readonly name = 'BadParameterError';
}

declare module 'fastify' {
  interface FastifyRequest {
    ninjaToken?: AccessToken;
  }
}

const bearer = /^Bearer +([^\s]+) *$/i;

export async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const { world, store } = options;

  app.addHook('onRequest', async function requireBearer(request, reply) {
    const header = request.headers.authorization;
    if (header === undefined || header === '') return reply.code(authErrors.missingHeader.status).send(authErrors.missingHeader.body);
    const match = bearer.exec(header);
    if (!match?.[1]) return reply.code(authErrors.invalidHeader.status).send(authErrors.invalidHeader.body);
    const token = store.findAccessToken(match[1]);
    if (!token) return reply.code(authErrors.notAuthenticated.status).send(authErrors.notAuthenticated.body);
    request.ninjaToken = token;
    return undefined;
  });

  app.setErrorHandler(async function apiError(error: Error & { statusCode?: number }, _request, reply) {
    if (error instanceof BadParameterError) return reply.code(400).send(appError('BAD_REQUEST', error.message));
    if (error.statusCode !== undefined && error.statusCode < 500)
      return reply.code(error.statusCode).send(appError('BAD_REQUEST', error.message));
    return reply.code(500).send(appError('FAILURE', error.name));
  });

  app.get('/users', async function getUsers(request) {
    const query = request.query as Record<string, unknown>;
    const userType = enumParam(query, 'userType', ['TECHNICIAN', 'END_USER'] as const);
    const includeRoles = booleanParam(query, 'includeRoles');
    const view = worldView(world);
    return world.users
      .filter((user) => userType === undefined || user.userType === userType)
      .map((user) => apiUser(view, user, includeRoles));
  });

  app.get('/organization/:id/end-users', async function getEndUsers(request, reply) {
    const organizationId = pathId(request);
    if (!world.organizations.some((organization) => organization.id === organizationId)) return organizationNotFound(reply, organizationId);
    const includeRoles = booleanParam(request.query as Record<string, unknown>, 'includeRoles');
    const view = worldView(world);
    return world.users
      .filter((user) => user.userType === 'END_USER' && user.organizationId === organizationId)
      .map((user) => apiUser(view, user, includeRoles));
  });

  app.get('/user/roles', async function getUserRoles(request) {
    const roleType = enumParam(request.query as Record<string, unknown>, 'roleType', ['TECHNICIAN', 'END_USER'] as const);
    const members = new Map<number, WorldUser[]>();
    for (const user of world.users) {
      for (const roleId of user.roleIds) {
        const list = members.get(roleId);
        if (list) list.push(user);
        else members.set(roleId, [user]);
      }
    }
    return world.roles
      .filter((role) => roleType === undefined || role.type === roleType)
      .map((role) => ({
        id: role.id,
        name: role.name,
        type: role.type,
        description: role.description,
        members: (members.get(role.id) ?? []).map((user) => ({
          id: user.id,
          ...(user.email === null ? {} : { email: user.email }),
          name: `${user.firstName ?? ''} ${user.lastName ?? ''}`.trim(),
          source: 'DIRECT',
        })),
      }));
  });

  app.get('/organizations', async function getOrganizations(request) {
    return page(request, world.organizations).map(apiOrganization);
  });

  // One location per organisation (devices' locationId is their organisation's id).
  app.get('/locations', async function getLocations(request) {
    return page(request, world.organizations).map(apiLocation);
  });

  app.get('/devices', async function getDevices(request) {
    return page(request, world.devices).map(apiDevice);
  });

  app.get('/organization/:id/devices', async function getOrganizationDevices(request, reply) {
    const organizationId = pathId(request);
    if (!world.organizations.some((organization) => organization.id === organizationId)) return organizationNotFound(reply, organizationId);
    return page(
      request,
      world.devices.filter((device) => device.organizationId === organizationId),
    ).map(apiDevice);
  });
}

function organizationNotFound(reply: FastifyReply, id: number): FastifyReply {
  return reply.code(404).send(appError('ORGANIZATION_NOT_FOUND', `Organization ${id} not found`));
}

function pathId(request: FastifyRequest): number {
  const raw = (request.params as Record<string, string>).id ?? '';
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new BadParameterError(`Invalid organization id '${raw}'`);
  return id;
}

function stringParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new BadParameterError(`Parameter '${name}' is repeated`);
  return typeof value === 'string' ? value : undefined;
}

function enumParam<T extends string>(query: Record<string, unknown>, name: string, values: readonly T[]): T | undefined {
  const value = stringParam(query, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value))
    throw new BadParameterError(`Invalid value '${value}' for '${name}'; expected one of ${values.join(', ')}`);
  return value as T;
}

function booleanParam(query: Record<string, unknown>, name: string): boolean {
  const value = stringParam(query, name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw new BadParameterError(`Invalid value '${value}' for '${name}'; expected true or false`);
  return value === 'true';
}

function intParam(query: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = stringParam(query, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > 2_147_483_647)
    throw new BadParameterError(`Invalid value '${value}' for '${name}'; expected an integer of at least ${min}`);
  return number;
}

/**
 * One page of an id-cursor list: entries with `id > after`, ascending, at most `pageSize`.
 * No pageSize means the whole rest of the list (the real default is undocumented).
 */
function page<T extends { id: number }>(request: FastifyRequest, entries: readonly T[]): T[] {
  const query = request.query as Record<string, unknown>;
  const pageSize = intParam(query, 'pageSize', 1);
  const after = intParam(query, 'after', 0) ?? 0;
  const sorted = isAscending(entries) ? entries : [...entries].sort((a, b) => a.id - b.id);
  let start = 0;
  // Binary search for the first id > after: paging 10,000 devices stays cheap.
  for (let end = sorted.length; start < end;) {
    const middle = (start + end) >>> 1;
    if (sorted[middle]!.id <= after) start = middle + 1;
    else end = middle;
  }
  return sorted.slice(start, pageSize === undefined ? undefined : start + pageSize);
}

function isAscending(entries: readonly { id: number }[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.id >= entries[i]!.id) return false;
  return true;
}
