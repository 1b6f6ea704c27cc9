/**
 * The people API (`src/server/routes/people.ts`), for admins: change a person's role, set a new
 * password (which signs them out everywhere). Listing and adding people are `accessContracts`
 * (`tokens.ts`).
 *
 * @example
 * await api.patch('/api/users/:id', { params: { id }, body: { role: 'admin' } });
 */
import { z } from 'zod';

import { defineContract, idParamsSchema } from './route-contract.ts';
import { appUserSchema } from './session.ts';

export const roles = ['admin', 'viewer'] as const;

/** A person as the people screen shows them: the signed-in user's shape (`session.ts`). */
export const personSchema = appUserSchema;
export type Person = z.output<typeof personSchema>;

export const peopleContracts = {
  update: defineContract({
    method: 'PATCH',
    url: '/api/users/:id',
    summary: "Change a person's role, or disable or enable them (the last admin stays an enabled admin)",
    tags: ['access'],
    params: idParamsSchema,
    body: z.strictObject({
      role: z.enum(roles).optional(),
      disabled: z.boolean().optional().describe('true: may not sign in, sessions end (not yourself, not the last admin)'),
    }),
    response: personSchema,
  }),
  resetPassword: defineContract({
    method: 'POST',
    url: '/api/users/:id/password',
    summary: 'Set a new password for a person; their open sessions end',
    tags: ['access'],
    params: idParamsSchema,
    body: z.strictObject({ password: z.string().min(1).max(1024) }),
    response: personSchema,
  }),
};
