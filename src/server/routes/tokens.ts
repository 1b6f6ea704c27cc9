/**
 * API tokens and app users, for admins: tokens are shown once at creation and stored hashed;
 * revoking one takes effect on the next request.
 */
import { z } from 'zod';

import { createApiToken, listApiTokens, revokeApiToken } from '../../accounts/api-tokens.ts';
import { createAppUser, listAppUsers } from '../../accounts/users.ts';
import { notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { accountErrorToApi, appUserSchema } from './session.ts';

import type { RouteKit } from '../app.ts';

export const apiTokenSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'viewer']),
  hint: z.string().describe('the last four characters of the token'),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const createTokenBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(['admin', 'viewer']).default('viewer'),
});

export const createUserBodySchema = z.strictObject({
  email: z.string().min(3).max(320),
  name: z.string().max(200).default(''),
  role: z.enum(['admin', 'viewer']),
  password: z.string().min(1).max(1024),
});

export function registerTokenRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;
  const idParams = z.strictObject({ id: z.string().min(1) });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/tokens',
    summary: 'List API tokens',
    tags: ['access'],
    access: 'admin',
    response: z.strictObject({ tokens: z.array(apiTokenSchema) }),
    handler: async () => ({ tokens: await listApiTokens(db) }),
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/tokens',
    summary: 'Create an API token (the token is shown only in this answer)',
    tags: ['access'],
    access: 'admin',
    body: createTokenBodySchema,
    status: 201,
    response: z.strictObject({ token: z.string(), record: apiTokenSchema }),
    handler: async ({ body, principal }) =>
      createApiToken(db, { name: body.name, role: body.role, createdBy: principal?.kind === 'session' ? principal.user.id : null }, now()),
  });

  defineRoute(app, registry, authorize, {
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke an API token',
    tags: ['access'],
    access: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      if (!(await revokeApiToken(db, params.id, now()))) throw notFound('live API token', params.id);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/users',
    summary: 'List app users',
    tags: ['access'],
    access: 'admin',
    response: z.strictObject({ users: z.array(appUserSchema) }),
    handler: async () => ({ users: await listAppUsers(db) }),
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/users',
    summary: 'Create an app user',
    tags: ['access'],
    access: 'admin',
    body: createUserBodySchema,
    response: appUserSchema,
    status: 201,
    handler: async ({ body }) => createAppUser(db, body, now()).catch(accountErrorToApi),
  });
}
