/**
 * API tokens and app users, for admins (`src/server/routes/tokens.ts`): a token is shown once, in
 * the answer that creates it; answers otherwise carry only its last four characters.
 *
 * @example
 * const { token } = await api.post('/api/tokens', { body: { name: 'ci', role: 'viewer' } });
 */
import { z } from 'zod';

import { defineContract, idParamsSchema } from './route-contract.ts';
import { appUserSchema } from './session.ts';

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

export const accessContracts = {
  listTokens: defineContract({
    method: 'GET',
    url: '/api/tokens',
    summary: 'List API tokens',
    tags: ['access'],
    response: z.strictObject({ tokens: z.array(apiTokenSchema) }),
  }),
  createToken: defineContract({
    method: 'POST',
    url: '/api/tokens',
    summary: 'Create an API token (the token is shown only in this answer)',
    tags: ['access'],
    body: createTokenBodySchema,
    response: z.strictObject({ token: z.string(), record: apiTokenSchema }),
    status: 201,
  }),
  revokeToken: defineContract({
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke an API token',
    tags: ['access'],
    params: idParamsSchema,
  }),
  listUsers: defineContract({
    method: 'GET',
    url: '/api/users',
    summary: 'List app users',
    tags: ['access'],
    response: z.strictObject({ users: z.array(appUserSchema) }),
  }),
  createUser: defineContract({
    method: 'POST',
    url: '/api/users',
    summary: 'Create an app user',
    tags: ['access'],
    body: createUserBodySchema,
    response: appUserSchema,
    status: 201,
  }),
};
