/**
 * The signed-in person's inbox (notifications with an unread count, mark read, mark all read) and
 * the alerts list. The inbox belongs to a person: an API token has none and gets a 403 saying so.
 */
import { z } from 'zod';

import { alertConditions, alertSubjectTypes } from '../../db/types-alerts.ts';
import { listAlerts } from '../../notifications/alerts.ts';
import { listInbox, markAllRead, markRead, unreadCount } from '../../notifications/inbox.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { RouteKit } from '../app.ts';
import type { Principal } from '../auth/principal.ts';

export const notificationSchema = z.strictObject({
  id: z.string(),
  alertId: z.string().nullable(),
  kind: z.enum(['alert', 'recovered']),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable().describe('path in the app, e.g. /runs/<id>'),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const alertSchema = z.strictObject({
  id: z.string(),
  subjectType: z.enum(alertSubjectTypes),
  subjectId: z.string(),
  subjectName: z.string(),
  condition: z.enum(alertConditions),
  message: z.string(),
  error: z.string().nullable(),
  runId: z.string().nullable(),
  count: z.number().int().describe('how many times the problem was seen while the alert was open'),
  openedAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
});

export const inboxQuerySchema = z.strictObject({
  unreadOnly: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const alertsQuerySchema = z.strictObject({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  subjectId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function inboxOwner(principal: Principal | null): string {
  if (principal?.kind === 'session') return principal.user.id;
  throw new ApiError(403, 'no_inbox', 'an API token has no inbox; sign in as a person to read notifications, or read GET /api/alerts');
}

export function registerNotificationRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/notifications',
    summary: "The signed-in person's notifications, newest first, with the unread count",
    tags: ['notifications'],
    access: 'viewer',
    query: inboxQuerySchema,
    response: z.strictObject({ notifications: z.array(notificationSchema), unreadCount: z.number().int() }),
    handler: async ({ query, principal }) => {
      const userId = inboxOwner(principal);
      return {
        notifications: await listInbox(db, userId, { unreadOnly: query.unreadOnly, limit: query.limit }),
        unreadCount: await unreadCount(db, userId),
      };
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/notifications/read-all',
    summary: "Mark all of the signed-in person's notifications read",
    tags: ['notifications'],
    access: 'viewer',
    response: z.strictObject({ marked: z.number().int() }),
    handler: async ({ principal }) => ({ marked: await markAllRead(db, inboxOwner(principal), now()) }),
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/notifications/:id/read',
    summary: 'Mark one notification read',
    tags: ['notifications'],
    access: 'viewer',
    params: z.strictObject({ id: z.string().min(1) }),
    handler: async ({ params, principal }) => {
      if (!(await markRead(db, inboxOwner(principal), params.id, now()))) throw notFound('notification of yours', params.id);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/alerts',
    summary: 'Alerts, most recently seen first (open ones by default)',
    tags: ['notifications'],
    access: 'viewer',
    query: alertsQuerySchema,
    response: z.strictObject({ alerts: z.array(alertSchema) }),
    handler: async ({ query }) => ({
      alerts: await listAlerts(db, {
        status: query.status,
        limit: query.limit,
        ...(query.subjectId === undefined ? {} : { subjectId: query.subjectId }),
      }),
    }),
  });
}
