/**
 * The integrations API (`src/server/routes/integrations.ts`): CRUD on the same document as the
 * YAML file (`src/integrations/schema.ts`), export and import as YAML.
 *
 * @example
 * const stored: ResponseOf<typeof integrationContracts.get> = await api.get('/api/integrations/:id', { params: { id } });
 */
import { z } from 'zod';

import { integrationSchema } from '../integrations/schema.ts';
import { defineContract, idParamsSchema } from './route-contract.ts';

/** The integration document as written (defaults not yet applied), as the UI edits it. */
export type { IntegrationInput } from '../integrations/schema.ts';

export const storedIntegrationSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  document: integrationSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredIntegration = z.output<typeof storedIntegrationSchema>;

/**
 * A save's answer: the stored integration and what could not be checked, e.g. the mapping against
 * Oomnitza's data model when the instance did not answer (saved all the same; each run checks again).
 */
export const savedIntegrationSchema = storedIntegrationSchema.extend({
  warnings: z.array(z.strictObject({ path: z.string(), message: z.string() })),
});
export type SavedIntegration = z.output<typeof savedIntegrationSchema>;

export const integrationContracts = {
  list: defineContract({
    method: 'GET',
    url: '/api/integrations',
    summary: 'List integrations',
    tags: ['integrations'],
    response: z.strictObject({ integrations: z.array(storedIntegrationSchema) }),
  }),
  create: defineContract({
    method: 'POST',
    url: '/api/integrations',
    summary: 'Create an integration',
    tags: ['integrations'],
    body: integrationSchema,
    response: savedIntegrationSchema,
    status: 201,
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/integrations/:id',
    summary: 'One integration',
    tags: ['integrations'],
    params: idParamsSchema,
    response: storedIntegrationSchema,
  }),
  replace: defineContract({
    method: 'PUT',
    url: '/api/integrations/:id',
    summary: "Replace an integration's document",
    tags: ['integrations'],
    params: idParamsSchema,
    body: integrationSchema,
    response: savedIntegrationSchema,
  }),
  delete: defineContract({
    method: 'DELETE',
    url: '/api/integrations/:id',
    summary: 'Delete an integration (its runs stay, without the link)',
    tags: ['integrations'],
    params: idParamsSchema,
  }),
  /** Answers YAML, not JSON: a download link, not a client call. */
  export: defineContract({
    method: 'GET',
    url: '/api/integrations/:id/export',
    summary: 'The integration as a YAML file (no secrets)',
    tags: ['integrations'],
    params: idParamsSchema,
  }),
  /** The body is the YAML text (Content-Type application/yaml), which the route reads itself. */
  import: defineContract({
    method: 'POST',
    url: '/api/integrations/import',
    summary: 'Create (or, with ?replace=true, replace by name) an integration from a YAML file',
    description:
      'Send the YAML as the body with Content-Type application/yaml. The server does not read its own environment for ${VAR} references: name stored credentials instead.',
    tags: ['integrations'],
    query: z.strictObject({ replace: z.enum(['true', 'false']).default('false') }),
    response: savedIntegrationSchema,
    status: 201,
  }),
};
