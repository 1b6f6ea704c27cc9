/**
 * NinjaOne credentials: CRUD, "Authenticate" (the OAuth authorization-code flow), and "Test
 * connection". No answer ever holds a secret or a token; `clientSecretHint` is the last four
 * characters of the secret.
 */
import { oauthRedirectUrl } from '../../config.ts';
import { credentialContracts } from '../../contracts/credentials.ts';
import { storedNinjaOneClient } from '../../credentials/ninjaone-client.ts';
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
import { CredentialUnusableError } from '../../credentials/tokens.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { RouteKit } from '../route-kit.ts';

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
  const withUsage = async (credential: ReturnType<typeof credentialRowToCredential>) => ({
    ...credential,
    usedBy: await integrationsUsing(db, credential.name),
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.list,
    access: 'viewer',
    handler: async () => ({
      credentials: await Promise.all((await listCredentials(db)).map(withUsage)),
      redirectUrl: oauthRedirectUrl(context.config),
    }),
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.create,
    access: 'admin',
    handler: async ({ body }) => withUsage(await createCredential(db, vault, body, now()).catch(credentialErrorToApi)),
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.get,
    access: 'viewer',
    handler: async ({ params }) => withUsage(credentialRowToCredential(await getCredentialRow(db, params.id).catch(credentialErrorToApi))),
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.update,
    access: 'admin',
    handler: async ({ params, body }) => withUsage(await updateCredential(db, vault, params.id, body, now()).catch(credentialErrorToApi)),
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.delete,
    access: 'admin',
    handler: async ({ params }) => {
      await deleteCredential(db, params.id).catch(credentialErrorToApi);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    ...credentialContracts.authorize,
    access: 'admin',
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
    ...credentialContracts.test,
    access: 'admin',
    handler: async ({ params }) => {
      const row = await getCredentialRow(db, params.id).catch(credentialErrorToApi);
      try {
        const result = await storedNinjaOneClient({ db, vault, now, dialect }, row).testConnection();
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
