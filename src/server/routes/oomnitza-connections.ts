/**
 * Oomnitza connections: instance URL and API token (sealed), with their own "Test connection", and
 * the users data model of each (its fields, cached; "Refresh fields" reads it again).
 */
import { z } from 'zod';

import {
  connectionRowToConnection,
  createOomnitzaConnection,
  deleteOomnitzaConnection,
  getOomnitzaConnectionRow,
  listOomnitzaConnections,
  openOomnitzaToken,
  setConnectionStatus,
  updateOomnitzaConnection,
} from '../../credentials/oomnitza-connections.ts';
import { dataModelOf, refreshDataModel } from '../../credentials/oomnitza-data-model.ts';
import { VendorError } from '../../http/vendor-error.ts';
import { OomnitzaConfigError } from '../../oomnitza/base-url.ts';
import { createOomnitzaClient } from '../../oomnitza/client.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { credentialErrorToApi } from './credentials.ts';

import type { RouteKit } from '../app.ts';

export const oomnitzaConnectionSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  apiTokenHint: z.string(),
  allowInsecureHttp: z.boolean(),
  status: z.enum(['untested', 'ok', 'failing']),
  statusReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const oomnitzaFieldSchema = z.strictObject({
  name: z.string().describe("the field's external id, the name in the v3 API and in a mapping"),
  label: z.string(),
  dataType: z.string().describe('string, email, integer, number, boolean, date, datetime, dropdown, …'),
  unique: z.boolean(),
  editable: z.boolean(),
  required: z.boolean(),
  length: z.number().int().nullable(),
  options: z.array(z.string()).nullable().describe('the values of a dropdown field'),
});

export const dataModelSchema = z.strictObject({
  connectionId: z.string(),
  fetchedAt: z.string(),
  available: z.boolean().describe('false when the instance gives no users data model; reason says why'),
  reason: z.string().nullable(),
  fields: z.array(oomnitzaFieldSchema).describe('empty when not available'),
});

/** A stored data model in the API's one shape (no union, so the UI reads it plainly). */
function dataModelAnswer(model: Awaited<ReturnType<typeof dataModelOf>>): z.infer<typeof dataModelSchema> {
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
  if (error instanceof VendorError || error instanceof OomnitzaConfigError)
    throw new ApiError(502, 'oomnitza_unreachable', `could not read the users data model: ${error.message}`);
  throw error;
}

export const createConnectionBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  url: z.string().trim().min(1).describe('e.g. https://acme.oomnitza.com'),
  apiToken: z.string().min(1).describe('from Oomnitza: Configuration → Security → API tokens'),
  allowInsecureHttp: z.boolean().default(false),
});

export const updateConnectionBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().trim().min(1).optional(),
  apiToken: z.string().optional().describe('leave out to keep the stored token'),
  allowInsecureHttp: z.boolean().optional(),
});

export function registerOomnitzaConnectionRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, vault, now } = context;
  const idParams = z.strictObject({ id: z.string().min(1) });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/oomnitza-connections',
    summary: 'List Oomnitza connections',
    tags: ['oomnitza'],
    access: 'viewer',
    response: z.strictObject({ connections: z.array(oomnitzaConnectionSchema) }),
    handler: async () => ({ connections: await listOomnitzaConnections(db) }),
  });
  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/oomnitza-connections',
    summary: 'Add an Oomnitza connection',
    tags: ['oomnitza'],
    access: 'admin',
    body: createConnectionBodySchema,
    response: oomnitzaConnectionSchema,
    status: 201,
    handler: async ({ body }) => createOomnitzaConnection(db, vault, body, now()).catch(credentialErrorToApi),
  });
  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/oomnitza-connections/:id',
    summary: 'One Oomnitza connection',
    tags: ['oomnitza'],
    access: 'viewer',
    params: idParams,
    response: oomnitzaConnectionSchema,
    handler: async ({ params }) => connectionRowToConnection(await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi)),
  });
  defineRoute(app, registry, authorize, {
    method: 'PATCH',
    url: '/api/oomnitza-connections/:id',
    summary: 'Change an Oomnitza connection',
    tags: ['oomnitza'],
    access: 'admin',
    params: idParams,
    body: updateConnectionBodySchema,
    response: oomnitzaConnectionSchema,
    handler: async ({ params, body }) => updateOomnitzaConnection(db, vault, params.id, body, now()).catch(credentialErrorToApi),
  });
  defineRoute(app, registry, authorize, {
    method: 'DELETE',
    url: '/api/oomnitza-connections/:id',
    summary: 'Delete an Oomnitza connection (refused while an integration uses it)',
    tags: ['oomnitza'],
    access: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await deleteOomnitzaConnection(db, params.id).catch(credentialErrorToApi);
      return undefined;
    },
  });
  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/oomnitza-connections/:id/fields',
    summary: "The users data model of the connection's instance (cached; read on first use)",
    tags: ['oomnitza'],
    access: 'viewer',
    params: idParams,
    response: dataModelSchema,
    handler: async ({ params }) => {
      await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      return dataModelAnswer(await dataModelOf(db, vault, params.id, now()).catch(oomnitzaErrorToApi));
    },
  });
  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/oomnitza-connections/:id/fields/refresh',
    summary: 'Read the users data model from the instance again ("Refresh fields")',
    tags: ['oomnitza'],
    access: 'viewer',
    params: idParams,
    response: dataModelSchema,
    handler: async ({ params }) => {
      await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      return dataModelAnswer(await refreshDataModel(db, vault, params.id, now()).catch(oomnitzaErrorToApi));
    },
  });
  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/oomnitza-connections/:id/test',
    summary: 'Test an Oomnitza connection',
    tags: ['oomnitza'],
    access: 'admin',
    params: idParams,
    response: z.strictObject({ ok: z.boolean(), userCount: z.number().nullable(), message: z.string() }),
    handler: async ({ params }) => {
      const row = await getOomnitzaConnectionRow(db, params.id).catch(credentialErrorToApi);
      try {
        const client = createOomnitzaClient({
          baseUrl: row.url,
          apiToken: openOomnitzaToken(vault, row),
          allowInsecureHttp: row.allow_insecure_http === 1,
        });
        const { userCount } = await client.testConnection();
        await setConnectionStatus(db, row.id, 'ok', null, now());
        return { ok: true, userCount, message: `connected to ${row.url}: ${userCount} users` };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await setConnectionStatus(db, row.id, 'failing', message, now());
        return { ok: false, userCount: null, message };
      }
    },
  });
}
