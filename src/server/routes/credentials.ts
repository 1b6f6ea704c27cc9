/**
 * NinjaOne credentials: CRUD, "Authenticate" (the OAuth authorization-code flow), and "Test
 * connection". No answer ever holds a secret or a token; `clientSecretHint` is the last four
 * characters of the secret.
 */
import { z } from 'zod';

import { oauthRedirectUrl } from '../../config.ts';
import { startAuthorization } from '../../credentials/oauth-flow.ts';
import {
  createCredential,
  CredentialError,
  credentialRowToCredential,
  deleteCredential,
  getCredentialRow,
  integrationsUsing,
  listCredentials,
  setCredentialStatus,
  updateCredential,
} from '../../credentials/store.ts';
import { createStoredTokenProvider, CredentialUnusableError } from '../../credentials/tokens.ts';
import { createNinjaOneClient } from '../../ninjaone/client.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { RouteKit } from '../app.ts';

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

export function credentialErrorToApi(error: unknown): never {
  if (error instanceof CredentialError) {
    const status = { invalid_field: 400, name_taken: 409, not_found: 404, in_use: 409 }[error.code];
    const details = { ...(error.details ?? {}), ...(error.field ? { fields: [{ path: error.field, message: error.message }] } : {}) };
    throw new ApiError(status, error.code, error.message, Object.keys(details).length > 0 ? details : undefined);
  }
  throw error;
}

export function registerCredentialRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, vault, now, dialect } = context;
  const idParams = z.strictObject({ id: z.string().min(1) });
  const withUsage = async (credential: ReturnType<typeof credentialRowToCredential>) => ({
    ...credential,
    usedBy: await integrationsUsing(db, credential.name),
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/credentials',
    summary: 'List NinjaOne credentials',
    tags: ['credentials'],
    access: 'viewer',
    response: z.strictObject({
      credentials: z.array(credentialSchema),
      redirectUrl: z.string().describe('register exactly this redirect URL on the NinjaOne client app'),
    }),
    handler: async () => ({
      credentials: await Promise.all((await listCredentials(db)).map(withUsage)),
      redirectUrl: oauthRedirectUrl(context.config),
    }),
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/credentials',
    summary: 'Add a NinjaOne credential',
    tags: ['credentials'],
    access: 'admin',
    body: createCredentialBodySchema,
    response: credentialSchema,
    status: 201,
    handler: async ({ body }) => withUsage(await createCredential(db, vault, body, now()).catch(credentialErrorToApi)),
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/credentials/:id',
    summary: 'One NinjaOne credential',
    tags: ['credentials'],
    access: 'viewer',
    params: idParams,
    response: credentialSchema,
    handler: async ({ params }) => withUsage(credentialRowToCredential(await getCredentialRow(db, params.id).catch(credentialErrorToApi))),
  });

  defineRoute(app, registry, authorize, {
    method: 'PATCH',
    url: '/api/credentials/:id',
    summary: 'Change a NinjaOne credential (changing URL, client, secret, scopes or grant requires authenticating again)',
    tags: ['credentials'],
    access: 'admin',
    params: idParams,
    body: updateCredentialBodySchema,
    response: credentialSchema,
    handler: async ({ params, body }) => withUsage(await updateCredential(db, vault, params.id, body, now()).catch(credentialErrorToApi)),
  });

  defineRoute(app, registry, authorize, {
    method: 'DELETE',
    url: '/api/credentials/:id',
    summary: 'Delete a NinjaOne credential (refused while an integration uses it)',
    tags: ['credentials'],
    access: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await deleteCredential(db, params.id).catch(credentialErrorToApi);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/credentials/:id/authorize',
    summary: 'Start "Authenticate": the URL to send the browser to (NinjaOne consent)',
    tags: ['credentials'],
    access: 'admin',
    description:
      'Needs a browser session: the answer comes back to /oauth2/redirect in the same session. The state is single use and valid for ten minutes.',
    params: idParams,
    response: z.strictObject({ authorizeUrl: z.string(), redirectUrl: z.string() }),
    handler: async ({ params, principal }) => {
      if (principal?.kind !== 'session')
        throw new ApiError(
          400,
          'session_required',
          "authenticate a credential from a signed-in browser: NinjaOne sends the admin back to this server's redirect URL",
        );
      const redirectUrl = oauthRedirectUrl(context.config);
      const { authorizeUrl } = await startAuthorization(
        { db, vault, now },
        { credentialId: params.id, sessionIdHash: principal.sessionIdHash, redirectUri: redirectUrl },
      ).catch(credentialErrorToApi);
      return { authorizeUrl, redirectUrl };
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/credentials/:id/test',
    summary: 'Test connection: what the credential can see',
    tags: ['credentials'],
    access: 'admin',
    params: idParams,
    response: z.strictObject({
      ok: z.boolean(),
      userCount: z.number().nullable(),
      grantedScopes: z.string().nullable(),
      message: z.string(),
    }),
    handler: async ({ params }) => {
      const row = await getCredentialRow(db, params.id).catch(credentialErrorToApi);
      try {
        const client = createNinjaOneClient({
          origin: new URL(row.url),
          tokens: createStoredTokenProvider({ db, vault, now, dialect }, row.id),
        });
        const result = await client.testConnection();
        const fresh = await getCredentialRow(db, row.id);
        await setCredentialStatus(db, row.id, 'active', fresh.status_reason, now());
        return {
          ok: true,
          userCount: result.userCount,
          grantedScopes: fresh.granted_scopes,
          message: `connected to ${row.url}: ${result.userCount} users visible`,
        };
      } catch (error) {
        const message = error instanceof CredentialUnusableError || error instanceof Error ? error.message : String(error);
        if (!(error instanceof CredentialUnusableError)) await setCredentialStatus(db, row.id, 'failing', message, now());
        return { ok: false, userCount: null, grantedScopes: null, message };
      }
    },
  });
}
