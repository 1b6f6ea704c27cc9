/**
 * The catalogue API (served beside the web UI, `src/server/routes/web.ts`): the NinjaOne user
 * fields a mapping can read, with their types and, for a closed set, their values.
 *
 * @example
 * const { fields } = await api.get('/api/catalogue');
 */
import { z } from 'zod';

import { defineContract } from './route-contract.ts';

export const catalogueFieldSchema = z.strictObject({
  key: z.string(),
  label: z.string(),
  type: z.string(),
  description: z.string(),
  values: z.array(z.string()).optional(),
});
export type CatalogueField = z.output<typeof catalogueFieldSchema>;

export const catalogueContracts = {
  list: defineContract({
    method: 'GET',
    url: '/api/catalogue',
    summary: 'The NinjaOne user fields a mapping can read',
    tags: ['mapping'],
    response: z.strictObject({ fields: z.array(catalogueFieldSchema) }),
  }),
};
