/**
 * Oomnitza connections: instance URL and API token (sealed), with their own "Test connection".
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
import { createOomnitzaClient } from '../../oomnitza/client.ts';
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
