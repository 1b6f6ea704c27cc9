/**
 * The Oomnitza connections API (`src/server/routes/oomnitza-connections.ts`): instance URL and API
 * token (sealed; answers show only its last four characters), their own "Test connection", and the
 * users data model of each (its fields, cached; "Refresh fields" reads it again).
 *
 * @example
 * const { connections } = await api.get('/api/oomnitza-connections');
 */
import { z } from 'zod';

import { defineContract, idParamsSchema } from './route-contract.ts';

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
export type OomnitzaConnection = z.output<typeof oomnitzaConnectionSchema>;

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

export type OomnitzaDataModel = z.output<typeof dataModelSchema>;

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

export const testDraftBodySchema = z.strictObject({
  url: z.string().trim().min(1).describe('the instance URL as typed'),
  apiToken: z.string().optional().describe('the token as typed; leave out to use the stored token of connectionId (same URL only)'),
  allowInsecureHttp: z.boolean().default(false),
  connectionId: z.string().optional().describe('the connection being edited, whose stored token may be used'),
});

const testResultSchema = z.strictObject({ ok: z.boolean(), userCount: z.number().nullable(), message: z.string() });

export const oomnitzaConnectionContracts = {
  list: defineContract({
    method: 'GET',
    url: '/api/oomnitza-connections',
    summary: 'List Oomnitza connections',
    tags: ['oomnitza'],
    response: z.strictObject({ connections: z.array(oomnitzaConnectionSchema) }),
  }),
  create: defineContract({
    method: 'POST',
    url: '/api/oomnitza-connections',
    summary: 'Add an Oomnitza connection',
    tags: ['oomnitza'],
    body: createConnectionBodySchema,
    response: oomnitzaConnectionSchema,
    status: 201,
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/oomnitza-connections/:id',
    summary: 'One Oomnitza connection',
    tags: ['oomnitza'],
    params: idParamsSchema,
    response: oomnitzaConnectionSchema,
  }),
  update: defineContract({
    method: 'PATCH',
    url: '/api/oomnitza-connections/:id',
    summary: 'Change an Oomnitza connection',
    tags: ['oomnitza'],
    params: idParamsSchema,
    body: updateConnectionBodySchema,
    response: oomnitzaConnectionSchema,
  }),
  delete: defineContract({
    method: 'DELETE',
    url: '/api/oomnitza-connections/:id',
    summary: 'Delete an Oomnitza connection (refused while an integration uses it)',
    tags: ['oomnitza'],
    params: idParamsSchema,
  }),
  fields: defineContract({
    method: 'GET',
    url: '/api/oomnitza-connections/:id/fields',
    summary: "The users data model of the connection's instance (cached; read on first use)",
    tags: ['oomnitza'],
    params: idParamsSchema,
    response: dataModelSchema,
  }),
  refreshFields: defineContract({
    method: 'POST',
    url: '/api/oomnitza-connections/:id/fields/refresh',
    summary: 'Read the users data model from the instance again ("Refresh fields")',
    tags: ['oomnitza'],
    params: idParamsSchema,
    response: dataModelSchema,
  }),
  test: defineContract({
    method: 'POST',
    url: '/api/oomnitza-connections/:id/test',
    summary: 'Test an Oomnitza connection',
    tags: ['oomnitza'],
    params: idParamsSchema,
    response: testResultSchema,
  }),
  testDraft: defineContract({
    method: 'POST',
    url: '/api/oomnitza-connections/test',
    summary: 'Test a URL and API token before saving them (nothing is stored)',
    tags: ['oomnitza'],
    body: testDraftBodySchema,
    response: testResultSchema,
  }),
};
