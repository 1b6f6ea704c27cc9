/**
 * The preview API (`src/server/routes/preview.ts`): an integration document mapped against the
 * NinjaOne tenant while it is edited; the first records kept, dropped and failed, and sample values
 * of each NinjaOne field. Nothing is written.
 *
 * @example
 * const preview = await api.post('/api/integrations/preview', { body: { document, limit: 5 } });
 */
import { z } from 'zod';

import { integrationSchema } from '../integrations/schema.ts';
import { defineContract } from './route-contract.ts';

export const previewBodySchema = z.strictObject({
  document: integrationSchema,
  limit: z.number().int().min(1).max(50).default(10),
});

export const recordSchema = z.strictObject({ sourceId: z.string(), label: z.string() });

export const previewSchema = z.strictObject({
  /** Users NinjaOne returned. */
  total: z.number().int(),
  kept: z.array(recordSchema.extend({ fields: z.record(z.string(), z.unknown()) })),
  keptTotal: z.number().int(),
  dropped: z.array(recordSchema.extend({ reason: z.string() })),
  droppedTotal: z.number().int(),
  failed: z.array(recordSchema.extend({ reason: z.string() })),
  failedTotal: z.number().int(),
  /** Catalogue key → up to 3 distinct non-empty values, as text. */
  samples: z.record(z.string(), z.array(z.string())),
  /** What could not be checked, e.g. Oomnitza's data model when the instance did not answer. */
  warnings: z.array(z.strictObject({ path: z.string(), message: z.string() })),
});
export type Preview = z.output<typeof previewSchema>;

export const previewContracts = {
  preview: defineContract({
    method: 'POST',
    url: '/api/integrations/preview',
    summary: 'Preview an integration document against the NinjaOne tenant (writes nothing)',
    description:
      "Reads the users with the document's stored credential (source.credential), maps them, converts each kept record into the types of the Oomnitza connection's users data model as a run does, and answers the first `limit` kept, dropped and failed records and up to 3 sample values per NinjaOne field. Of Oomnitza only the data model is read (the stored one, else once); nothing is written.",
    tags: ['integrations'],
    body: previewBodySchema,
    response: previewSchema,
  }),
};
