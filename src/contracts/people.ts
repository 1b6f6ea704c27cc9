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

export const roles = ['admin', 'viewer'] as const;

export const personSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type Person = z.output<typeof personSchema>;

export const peopleContracts = {
  update: defineContract({
    method: 'PATCH',
    url: '/api/users/:id',
    summary: "Change a person's role (the last admin stays an admin)",
    tags: ['access'],
    params: idParamsSchema,
    body: z.strictObject({ role: z.enum(roles) }),
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
