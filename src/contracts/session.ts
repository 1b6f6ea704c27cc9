/**
 * The session API (`src/server/routes/session.ts`): first-run setup, sign-in, who is signed in (with
 * the CSRF token a browser sends with every write) and sign-out.
 *
 * @example
 * const session = await api.get('/api/session');
 */
import { z } from 'zod';

import { defineContract } from './route-contract.ts';

export const appUserSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'viewer']),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  disabledAt: z.string().nullable().describe('set while the person may not sign in'),
});
export type AppUser = z.output<typeof appUserSchema>;

export const sessionSchema = z.strictObject({
  user: appUserSchema.nullable(),
  /** Send as `x-csrf-token` with every change made from the browser. */
  csrfToken: z.string().nullable(),
  setupRequired: z.boolean(),
  demo: z.strictObject({ ninjaOneUrl: z.string(), oomnitzaUrl: z.string() }).nullable(),
  via: z.enum(['session', 'token']).nullable(),
});
export type Session = z.output<typeof sessionSchema>;

export const setupBodySchema = z.strictObject({
  email: z.string().min(3).max(320),
  name: z.string().max(200).default(''),
  password: z.string().min(1).max(1024),
});

export const loginBodySchema = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export const sessionContracts = {
  setupState: defineContract({
    method: 'GET',
    url: '/api/setup',
    summary: 'Whether first-run setup is still open',
    tags: ['session'],
    response: z.strictObject({ setupRequired: z.boolean() }),
  }),
  setup: defineContract({
    method: 'POST',
    url: '/api/setup',
    summary: 'Create the first admin (only while there are no users)',
    tags: ['session'],
    body: setupBodySchema,
    response: sessionSchema,
    status: 201,
  }),
  signIn: defineContract({
    method: 'POST',
    url: '/api/session',
    summary: 'Sign in',
    tags: ['session'],
    body: loginBodySchema,
    response: sessionSchema,
  }),
  get: defineContract({
    method: 'GET',
    url: '/api/session',
    summary: 'Who is signed in',
    tags: ['session'],
    response: sessionSchema,
  }),
  signOut: defineContract({
    method: 'DELETE',
    url: '/api/session',
    summary: 'Sign out',
    tags: ['session'],
  }),
};
