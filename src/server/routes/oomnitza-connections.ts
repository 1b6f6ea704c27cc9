/**
 * Oomnitza connections: instance URL and API token (sealed), with their own "Test connection", and
 * the users data model of each (its fields, cached; "Refresh fields" reads it again).
 */
import { oomnitzaConnectionContracts } from '../../contracts/oomnitza-connections.ts';
import {
  connectionRowToConnection,
  createOomnitzaConnection,
  deleteOomnitzaConnection,
  draftConnectionTarget,
  getOomnitzaConnectionRow,
  listOomnitzaConnections,
  openOomnitzaToken,
  setConnectionStatus,
  updateOomnitzaConnection,
} from '../../credentials/oomnitza-connections.ts';
import { dataModelOf, refreshDataModel } from '../../credentials/oomnitza-data-model.ts';
import { CredentialError } from '../../credentials/store.ts';
import { VendorError } from '../../http/vendor-error.ts';
import { OomnitzaConfigError } from '../../oomnitza/base-url.ts';
import { createOomnitzaClient } from '../../oomnitza/client.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { credentialErrorToApi } from './credentials.ts';

import type { OomnitzaDataModel } from '../../contracts/oomnitza-connections.ts';
import type { RouteKit } from '../route-kit.ts';

/** A stored data model in the API's one shape (no union, so the UI reads it plainly). */
function dataModelAnswer(model: Awaited<ReturnType<typeof dataModelOf>>): OomnitzaDataModel {
  return {
    connectionId: model.connectionId,
    fetchedAt: model.fetchedAt,
    available: model.available,
    reason: model.available ? null : model.reason,
    fields: model.available ? model.fields.map((field) => ({ ...field, options: field.options === null ? null : [...field.options] })) : [],
  };
}

/** Oomnitza could not be read: 502 with its words (never the token). */
function oomnitzaErrorToApi(error: unknown): never {
  // The token was dropped with a URL change: nothing to ask the instance with until one is entered.
  if (error instanceof CredentialError && error.field === 'apiToken') throw new ApiError(409, 'api_token_required', error.message);
  if (error instanceof VendorError || error instanceof OomnitzaConfigError)
    throw new ApiError(502, 'oomnitza_unreachable', `could not read the users data model: ${error.message}`);
  throw error;
}

export function registerOomnitzaConnectionRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, vault, now } = context;

  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.list,
    access: 'viewer',
    handler: async () => ({ connections: await listOomnitzaConnections(db) }),
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.create,
    access: 'admin',
    handler: async ({ body }) => createOomnitzaConnection(db, vault, body, now()).catch(credentialErrorToApi),
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.get,
    access: 'viewer',
    handler: async ({ params }) => connectionRowToConnection(await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi)),
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.update,
    access: 'admin',
    handler: async ({ params, body }) => updateOomnitzaConnection(db, vault, params.id, body, now()).catch(credentialErrorToApi),
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.delete,
    access: 'admin',
    handler: async ({ params }) => {
      await deleteOomnitzaConnection(db, params.id).catch(credentialErrorToApi);
      return undefined;
    },
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.fields,
    access: 'viewer',
    handler: async ({ params }) => {
      await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      return dataModelAnswer(await dataModelOf(db, vault, params.id, now()).catch(oomnitzaErrorToApi));
    },
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.refreshFields,
    access: 'viewer',
    handler: async ({ params }) => {
      await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      return dataModelAnswer(await refreshDataModel(db, vault, params.id, now()).catch(oomnitzaErrorToApi));
    },
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.test,
    access: 'admin',
    handler: async ({ params }) => {
      const row = await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      const result = await tryConnection(() => ({ url: row.url, apiToken: openOomnitzaToken(vault, row) }), row.allow_insecure_http === 1);
      await setConnectionStatus(db, row.id, result.ok ? 'ok' : 'failing', result.ok ? null : result.message, now());
      return result;
    },
  });
  defineRoute(app, registry, authorize, {
    ...oomnitzaConnectionContracts.testDraft,
    access: 'admin',
    handler: async ({ body }) => {
      // A bad URL or a missing token is a problem of the form (400 beside its field), not a failed test.
      const target = await draftConnectionTarget(db, vault, body).catch(credentialErrorToApi);
      return tryConnection(() => target, body.allowInsecureHttp);
    },
  });
}

/** One "Test connection": the user count, or what went wrong in Oomnitza's words (never the token). */
async function tryConnection(
  target: () => { url: string; apiToken: string },
  allowInsecureHttp: boolean,
): Promise<{ ok: boolean; userCount: number | null; message: string }> {
  try {
    const { url, apiToken } = target();
    const client = createOomnitzaClient({ baseUrl: url, apiToken, allowInsecureHttp });
    const { userCount } = await client.testConnection();
    return { ok: true, userCount, message: `connected to ${url}: ${userCount} users` };
  } catch (error) {
    return { ok: false, userCount: null, message: error instanceof Error ? error.message : String(error) };
  }
}
