/**
 * The NinjaOne credentials API (`src/server/routes/credentials.ts`): CRUD, "Authenticate" (the
 * OAuth authorization-code flow) and "Test connection". No answer holds a secret or a token;
 * `clientSecretHint` is the last four characters of the secret.
 *
 * @example
 * const { credentials, redirectUrl } = await api.get('/api/credentials');
 */
import { z } from 'zod';

import { defineContract, idParamsSchema } from './route-contract.ts';

export const credentialSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  clientId: z.string(),
  clientSecretHint: z.string(),
  scopes: z.string(),
  grantType: z.enum(['authorization_code', 'client_credentials']),
  allowInsecureHttp: z.boolean(),
  status: z.enum(['pending', 'active', 'needs_reauth', 'failing']),
  statusReason: z.string().nullable(),
  grantedScopes: z.string().nullable(),
  hasRefreshToken: z.boolean(),
  accessTokenExpiresAt: z.string().nullable(),
  lastRefreshedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  usedBy: z.array(z.string()),
});
export type Credential = z.output<typeof credentialSchema>;

export const createCredentialBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  url: z.string().trim().min(1).describe('the NinjaOne URL, e.g. https://eu.ninjarmm.com or https://<subdomain>.rmmservice.com'),
  clientId: z.string().trim().min(1),
  clientSecret: z.string().min(1),
  scopes: z.string().default('monitoring management'),
  grantType: z.enum(['authorization_code', 'client_credentials']).default('authorization_code'),
  allowInsecureHttp: z.boolean().default(false),
});

export const updateCredentialBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().trim().min(1).optional(),
  clientId: z.string().trim().min(1).optional(),
  clientSecret: z.string().optional().describe('leave out (or empty) to keep the stored secret'),
  scopes: z.string().optional(),
  grantType: z.enum(['authorization_code', 'client_credentials']).optional(),
  allowInsecureHttp: z.boolean().optional(),
});

export const credentialContracts = {
  list: defineContract({
    method: 'GET',
    url: '/api/credentials',
    summary: 'List NinjaOne credentials',
    tags: ['credentials'],
    response: z.strictObject({
      credentials: z.array(credentialSchema),
      redirectUrl: z.string().describe('register exactly this redirect URL on the NinjaOne client app'),
    }),
  }),
  create: defineContract({
    method: 'POST',
    url: '/api/credentials',
    summary: 'Add a NinjaOne credential',
    tags: ['credentials'],
    body: createCredentialBodySchema,
    response: credentialSchema,
    status: 201,
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/credentials/:id',
    summary: 'One NinjaOne credential',
    tags: ['credentials'],
    params: idParamsSchema,
    response: credentialSchema,
  }),
  update: defineContract({
    method: 'PATCH',
    url: '/api/credentials/:id',
    summary: 'Change a NinjaOne credential (changing URL, client, secret, scopes or grant requires authenticating again)',
    tags: ['credentials'],
    params: idParamsSchema,
    body: updateCredentialBodySchema,
    response: credentialSchema,
  }),
  delete: defineContract({
    method: 'DELETE',
    url: '/api/credentials/:id',
    summary: 'Delete a NinjaOne credential (refused while an integration uses it)',
    tags: ['credentials'],
    params: idParamsSchema,
  }),
  authorize: defineContract({
    method: 'POST',
    url: '/api/credentials/:id/authorize',
    summary: 'Start "Authenticate": the URL to send the browser to (NinjaOne consent)',
    description:
      'Needs a browser session: the answer comes back to /oauth2/redirect in the same session. The state is single use and valid for ten minutes.',
    tags: ['credentials'],
    params: idParamsSchema,
    response: z.strictObject({ authorizeUrl: z.string(), redirectUrl: z.string() }),
  }),
  test: defineContract({
    method: 'POST',
    url: '/api/credentials/:id/test',
    summary: 'Test connection: what the credential can see',
    tags: ['credentials'],
    params: idParamsSchema,
    response: z.strictObject({
      ok: z.boolean(),
      userCount: z.number().nullable(),
      grantedScopes: z.string().nullable(),
      message: z.string(),
    }),
  }),
};
